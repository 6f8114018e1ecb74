/* In-kernel benchmarks: registered in one linker-built table (section
 * .kbench), run with bench=all (or bench=NAME,...) on the command line,
 * reported as one "BENCH {json}" line each. Under QEMU's -icount the time
 * stamp counter advances once per guest instruction, so the unit is guest
 * instructions. */
#ifndef TEST_KBENCH_H
#define TEST_KBENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <compiler.h>

#define KBENCH_MAX_SAMPLES 20000

typedef struct {
	const char *name;
	uint64_t *samples; /* room for KBENCH_MAX_SAMPLES */
	size_t count;
	uint64_t overhead; /* cost of an empty timed region, subtracted */
	bool external;     /* the case printed its own BENCH line */
	bool failed;       /* the case could not measure (it said why) */
} kbench_t;

typedef struct {
	const char *name;
	void (*fn)(kbench_t *b);
} kbench_case_t;

#define KBENCH(name_)                                                                              \
	static void kbench_##name_(kbench_t *b);                                                   \
	static const kbench_case_t kbench_case_##name_ USED SECTION(".kbench")                     \
	    ALIGNED(8) = {.name = #name_, .fn = kbench_##name_};                                   \
	static void kbench_##name_(kbench_t *b)

/* A timestamp: the TSC (guest instructions under -icount). */
uint64_t kbench_now(void);

/* Records one sample (end - start - overhead, floored at 0). */
void kbench_sample(kbench_t *b, uint64_t start, uint64_t end);

/* Prints a BENCH line with a single value (a size, a count). */
void kbench_report_value(const char *name, const char *unit, uint64_t value);

/* Runs the selected benchmarks ("all" or a comma-separated list), prints a
 * BENCH line for each and "bench: done". Returns the number of unknown
 * names plus failed cases. */
unsigned kbench_run(const char *selection);

#endif
