/* The global lock order. A CPU holding a lock of level N may only take
 * locks of a higher level. Leaves (taken last, while anything else may be
 * held) get the highest levels. */
#ifndef SYNC_LOCK_LEVELS_H
#define SYNC_LOCK_LEVELS_H

#define LOCK_LEVEL_TEST_OUTER 10 /* the lock-order tests */
#define LOCK_LEVEL_TEST_INNER 11
#define LOCK_LEVEL_THREADS    15
#define LOCK_LEVEL_HANDLES    16
#define LOCK_LEVEL_PROCESS    12
#define LOCK_LEVEL_REAPER     13 /* orphaned processes waiting for the reaper */
#define LOCK_LEVEL_AS         18
#define LOCK_LEVEL_JOB        19
#define LOCK_LEVEL_IOPORT     21 /* processes' I/O permission bitmaps */
#define LOCK_LEVEL_VMM        20
#define LOCK_LEVEL_HEAP       25
#define LOCK_LEVEL_PMM        30
#define LOCK_LEVEL_PIPE       32 /* a pipe's ring and waiters; thread_wake runs under it */
#define LOCK_LEVEL_IPC        33
#define LOCK_LEVEL_FUTEX      34 /* futex buckets; thread_wake runs under them */
#define LOCK_LEVEL_RQ         35
#define LOCK_LEVEL_TIMER      40
#define LOCK_LEVEL_SMP_CALL   5  /* held with interrupts on, so it comes first */
#define LOCK_LEVEL_DEVICES    50 /* the PCI functions with device objects (object/device.c) */
#define LOCK_LEVEL_DEVICE     52 /* one function's kernel-owned state (bus mastering, MSI) */
#define LOCK_LEVEL_IRQ_LINES  55 /* interrupt lines claimed by interrupt objects */
#define LOCK_LEVEL_PCI_CONFIG 58 /* the legacy configuration ports 0xcf8/0xcfc */
#define LOCK_LEVEL_IOAPIC     60
#define LOCK_LEVEL_CONSOLE    100 /* kprintf may be called with anything held */

#endif
