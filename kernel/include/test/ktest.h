/* In-kernel tests: registered in one linker-built table (section .ktest),
 * chosen with test=all or test=NAME[,NAME...] on the command line, and
 * reported as KTAP on the console. */
#ifndef TEST_KTEST_H
#define TEST_KTEST_H

#include <stdbool.h>
#include <stdint.h>
#include <compiler.h>

typedef struct {
	const char *name;
	unsigned checks;
	unsigned failures;
} ktest_t;

/* A test that deliberately crashes the kernel (the negative tests): run
 * only when named explicitly, never by test=all. */
#define KTEST_DELIBERATE_FAULT 1u
/* A test whose verdict depends on guest time matching guest work (real-time
 * deadlines): QEMU's TCG follows the host clock, so a busy host steals time
 * from the guest. These run only with exact_time on the command line, which
 * the harness gives runs under -icount (guest time = instructions); other
 * runs report them as skipped. */
#define KTEST_NEEDS_EXACT_TIME 2u
/* A test that needs the harness at the keyboard (it types keys and takes
 * screendumps): run only when named, like the deliberate faults. */
#define KTEST_NEEDS_HARNESS 4u
/* A long test with runs of its own in the matrix (the hostile suite,
 * ktest_hostile.c): run only when named, so test=all stays quick. */
#define KTEST_OWN_RUN_ONLY 8u

typedef struct {
	const char *name;
	void (*fn)(ktest_t *t);
	unsigned flags;
} ktest_case_t;

#define KTEST_REGISTER(name_, flags_)                                                              \
	void ktest_##name_(ktest_t *t);                                                            \
	static const ktest_case_t ktest_case_##name_ USED SECTION(".ktest")                        \
	    ALIGNED(8) = {.name = #name_, .fn = ktest_##name_, .flags = (flags_)};                 \
	NOIPA void ktest_##name_(ktest_t *t)

/* Defines and registers test `name`; the body receives `ktest_t *t`. */
#define KTEST(name_)             KTEST_REGISTER(name_, 0)
#define KTEST_FAULT(name_)       KTEST_REGISTER(name_, KTEST_DELIBERATE_FAULT)
#define KTEST_EXACT_TIME(name_)  KTEST_REGISTER(name_, KTEST_NEEDS_EXACT_TIME)
#define KTEST_INTERACTIVE(name_) KTEST_REGISTER(name_, KTEST_NEEDS_HARNESS)
#define KTEST_OWN_RUN(name_)     KTEST_REGISTER(name_, KTEST_OWN_RUN_ONLY)

/* Records one check; prints a KTAP diagnostic when it fails. */
bool ktest_check(ktest_t *t, bool ok, const char *expr, const char *file, int line);
bool ktest_check_u64(ktest_t *t, uint64_t a, uint64_t b, const char *ea, const char *eb,
		     const char *file, int line);

#define KTEST_EXPECT(t, cond) ktest_check((t), (cond), #cond, __FILE__, __LINE__)
#define KTEST_EXPECT_EQ(t, a, b)                                                                   \
	ktest_check_u64((t), (uint64_t)(a), (uint64_t)(b), #a, #b, __FILE__, __LINE__)

/* Runs the tests `selection` names ("all" or a comma-separated list), prints
 * KTAP and a "ktest: done: X passed, Y failed" line, and returns the number
 * of failed tests (an unknown name counts as a failure). */
unsigned ktest_run(const char *selection);

#endif
