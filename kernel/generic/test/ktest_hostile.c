/* The hostile suite: user programs that attack the kernel from user mode
 * (bad pointers and lengths to every system call, privileged instructions,
 * every limited resource used up, random system calls from throwaway
 * children in jobs of their own). Each must leave the kernel running and
 * itself able to tell what went wrong. They run in runs of their own
 * (tools/test/matrix.py, `make fuzz-os`), never in test=all. */
#include <cmdline.h>
#include <kernel.h>
#include <mm/phys.h>
#include <proc/process.h>
#include <object/job.h>
#include <object/memory.h>
#include <rae/handle.h>
#include <rae/testargs.h>
#include <string.h>
#include <test/ktest.h>
#include <test/ktest_user.h>

#define FUZZ_SECONDS_DEFAULT 3

static int run_hostile(ktest_t *t, const char *path, kobject_t *give)
{
	rae_status_t st;
	process_t *p = process_spawn_with(
	    path, NULL, give, give ? RAE_RIGHT_READ | RAE_RIGHT_WRITE | RAE_RIGHT_MAP : 0, 0, NULL,
	    &st);
	if (!KTEST_EXPECT_EQ(t, st, RAE_OK) || !p)
		return -1;
	int status = -1;
	KTEST_EXPECT_EQ(t, process_wait(p, &status), RAE_OK);
	return status;
}

/* A decimal number from the command line, or `dflt`. */
static uint64_t cmdline_number(const char *key, uint64_t dflt)
{
	char v[24];
	if (!cmdline_get(boot_info.cmdline, key, v, sizeof(v)) || !v[0])
		return dflt;
	uint64_t n = 0;
	for (const char *c = v; *c >= '0' && *c <= '9'; c++)
		n = n * 10 + (uint64_t)(*c - '0');
	return n;
}

KTEST_OWN_RUN(hostile_bad_pointers)
{
	KTEST_EXPECT_EQ(t, run_hostile(t, "bin/badptr", NULL), 0);
}

KTEST_OWN_RUN(hostile_privileged_instructions)
{
	KTEST_EXPECT_EQ(t, run_hostile(t, "bin/privop", NULL), 0);
}

KTEST_OWN_RUN(hostile_exhaustion)
{
	KTEST_EXPECT_EQ(t, run_hostile(t, "bin/exhaust", NULL), 0);
}

/* bin/sysfuzz's parent mode for fuzz_seconds=N (default 3) with
 * fuzz_seed=S (default: its own pick, printed). */
KTEST_OWN_RUN(hostile_random_syscalls)
{
	rae_status_t st;
	memory_object_t *m = memory_object_create(1, false, &job_root, &st);
	if (!KTEST_EXPECT(t, m != NULL))
		return;
	rae_testargs_t *args = phys_to_virt(m->frames[0], PAGE_SIZE);
	args->magic = RAE_TESTARGS_MAGIC;
	args->seconds = cmdline_number("fuzz_seconds", FUZZ_SECONDS_DEFAULT);
	args->seed = cmdline_number("fuzz_seed", 0);
	KTEST_EXPECT_EQ(t, run_hostile(t, "bin/sysfuzz", &m->obj), 0);
}

/* Killed clients of the console: 1,000 programs attached through OPEN
 * handles are killed; the service frees every slot (the kernel's
 * RAE_IPC_TAG_CLOSED notice) and memory comes back. test=all's console
 * test kills 40, more than its 32 slots. */
KTEST_OWN_RUN(hostile_killed_console_clients)
{
	KTEST_EXPECT_EQ(t, ktest_run_with_root(t, "bin/consoletest", KTEST_ROOT_MANY_CLIENTS), 0);
}
