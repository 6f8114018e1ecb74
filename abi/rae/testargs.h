/* The argument page a kernel test may hand a test program: main's argument
 * is then a handle to a one-page memory object (READ, WRITE, MAP) starting
 * with this, so one program serves a short run in `make test` and a long
 * one in `make fuzz-os` (kernel/generic/test/ktest_hostile.c). */
#ifndef RAE_TESTARGS_H
#define RAE_TESTARGS_H

#include <stdint.h>

#define RAE_TESTARGS_MAGIC 0x5341475241545352ull /* "RSTARGAS" */

typedef struct rae_testargs {
	uint64_t magic;   /* RAE_TESTARGS_MAGIC */
	uint64_t seconds; /* how long to run */
	uint64_t seed;    /* 0: pick one (and print it) */
} rae_testargs_t;

#endif
