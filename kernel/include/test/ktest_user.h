/* Kernel tests that run a user program with hardware authority. */
#ifndef TEST_KTEST_USER_H
#define TEST_KTEST_USER_H

#include <stdint.h>
#include <test/ktest.h>

/* Bits of the call's word 0 (apps/tests/hwtest.c reads them). */
#define KTEST_ROOT_HAS_IRQ_LINES 0x1 /* interrupt lines can be claimed */
#define KTEST_ROOT_INTERACTIVE   0x2 /* the harness types keys (bin/consoletest) */
#define KTEST_ROOT_MANY_CLIENTS  0x4 /* 1,000 killed clients, not 40 (bin/consoletest) */

/* Starts `path` with an endpoint, hands it the root resource and the
 * platform's facts in one call (word 0: KTEST_ROOT_* bits, with `flags`
 * added; words 1-2: the framebuffer's physical address and visible bytes;
 * word 3: a page of RAM), and returns its exit status (-1 if it could not
 * be started or did not take the call). */
int ktest_run_with_root(ktest_t *t, const char *path, uint64_t flags);

#endif
