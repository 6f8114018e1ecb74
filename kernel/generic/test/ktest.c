/* The in-kernel test runner: walks the .ktest table, runs what the command
 * line selected and reports KTAP (version 1) on the console. */
#include <cmdline.h>
#include <console/kprintf.h>
#include <kernel.h>
#include <lib/ustar.h>
#include <mm/phys.h>
#include <panic.h>
#include <string.h>
#include <test/ktest.h>

extern const ktest_case_t __ktest_start[], __ktest_end[];

#define KTEST_MAX_SELECTED 256
#define KTEST_NAME_MAX     48
#define KTEST_INITRD_MARK  "bin/hello" /* a test program every test initrd holds */

bool ktest_check(ktest_t *t, bool ok, const char *expr, const char *file, int line)
{
	t->checks++;
	if (!ok) {
		t->failures++;
		kprintf("# %s: check failed at %s:%d: %s\n", t->name, file, line, expr);
	}
	return ok;
}

bool ktest_check_u64(ktest_t *t, uint64_t a, uint64_t b, const char *ea, const char *eb,
		     const char *file, int line)
{
	t->checks++;
	if (a != b) {
		t->failures++;
		kprintf("# %s: check failed at %s:%d: %s == %s (0x%lx != 0x%lx)\n", t->name, file,
			line, ea, eb, a, b);
		return false;
	}
	return true;
}

static const ktest_case_t *ktest_find(const char *name, size_t len)
{
	for (const ktest_case_t *c = __ktest_start; c < __ktest_end; c++) {
		if (strlen(c->name) == len && strncmp(c->name, name, len) == 0)
			return c;
	}
	return NULL;
}

/* Kept out of line so a deliberate fault's backtrace names the runner. */
static bool exact_time;

NOIPA static bool ktest_run_one(const ktest_case_t *c, unsigned number)
{
	if ((c->flags & KTEST_NEEDS_EXACT_TIME) && !exact_time) {
		kprintf("ok %u %s # SKIP needs exact guest time (exact_time under -icount)\n",
			number, c->name);
		return true;
	}
	ktest_t t = {.name = c->name};
	c->fn(&t);
	bool ok = t.failures == 0 && t.checks > 0;
	if (t.checks == 0)
		kprintf("# %s: made no checks\n", c->name);
	kprintf("%sok %u %s\n", ok ? "" : "not ", number, c->name);
	return ok;
}

/* The tests that start user programs find them in the test initrd
 * (build/initrd-test.tar); the system's own initrd has none. Says so
 * before the report, so that their failures explain themselves. */
static void ktest_check_initrd(void)
{
	const boot_module_t *m = kernel_initrd_module();
	const void *data = m ? phys_to_virt(m->start, m->end - m->start) : NULL;
	if (data) {
		ustar_reader_t r;
		ustar_entry_t e;
		ustar_reader_init(&r, data, m->end - m->start);
		while (ustar_next(&r, &e) == RAE_OK) {
			const char *name =
			    e.name[0] == '.' && e.name[1] == '/' ? e.name + 2 : e.name;
			if (strcmp(name, KTEST_INITRD_MARK) == 0)
				return;
		}
	}
	kprintf("ktest: the initrd has no test programs (no %s): tests that start them "
		"will fail; boot the test initrd (build/initrd-test.tar: make run TESTS=1)\n",
		KTEST_INITRD_MARK);
}

unsigned ktest_run(const char *selection)
{
	ktest_check_initrd();
	/* Static: too large for a kernel stack, and tests run once at a time. */
	static const ktest_case_t *chosen[KTEST_MAX_SELECTED];
	static char unknown[KTEST_MAX_SELECTED][KTEST_NAME_MAX];
	unsigned n_chosen = 0, n_unknown = 0;
	bool all = strcmp(selection, "all") == 0;
	exact_time = cmdline_has(boot_info.cmdline, "exact_time");

	if (all) {
		for (const ktest_case_t *c = __ktest_start; c < __ktest_end; c++) {
			if (c->flags &
			    (KTEST_DELIBERATE_FAULT | KTEST_NEEDS_HARNESS | KTEST_OWN_RUN_ONLY))
				continue;
			if (n_chosen == KTEST_MAX_SELECTED)
				panic("ktest: more than %u tests; raise KTEST_MAX_SELECTED",
				      KTEST_MAX_SELECTED);
			chosen[n_chosen++] = c;
		}
	} else {
		const char *p = selection;
		while (*p) {
			const char *end = strchr(p, ',');
			size_t len = end ? (size_t)(end - p) : strlen(p);
			if (len > 0 && n_chosen + n_unknown < KTEST_MAX_SELECTED) {
				const ktest_case_t *c = ktest_find(p, len);
				if (c) {
					chosen[n_chosen++] = c;
				} else {
					size_t l =
					    len < KTEST_NAME_MAX - 1 ? len : KTEST_NAME_MAX - 1;
					memcpy(unknown[n_unknown], p, l);
					unknown[n_unknown++][l] = '\0';
				}
			}
			p += len;
			if (*p == ',')
				p++;
		}
	}

	unsigned total = n_chosen + n_unknown, passed = 0, number = 0;
	kprintf("KTAP version 1\n1..%u\n", total);
	for (unsigned i = 0; i < n_chosen; i++) {
		if (ktest_run_one(chosen[i], ++number))
			passed++;
	}
	for (unsigned i = 0; i < n_unknown; i++)
		kprintf("not ok %u %s # no such test\n", ++number, unknown[i]);
	kprintf("ktest: done: %u passed, %u failed\n", passed, total - passed);
	return total - passed;
}
