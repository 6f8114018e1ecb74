/* The protocol of bin/hangd, the service manager's health-check test
 * service (apps/tests/hangd.c). Besides these it answers RAE_SVC_PING. */
#ifndef APPS_TESTS_HANG_H
#define APPS_TESTS_HANG_H

/* Reply: tag RAE_OK, word 0 the pings this instance answered, word 1 its
 * pid. */
#define HANG_STATUS 1
/* Word 0: milliseconds. The server sleeps that long, its loop not
 * running (pings wait meanwhile), then replies RAE_OK: slow, not hung. */
#define HANG_SLOW 2
/* The server stops, never replying, as a thread deadlocked on a lock: it
 * waits for a notification nobody signals. The call ends with
 * RAE_ERR_PEER_CLOSED when the manager kills the instance. */
#define HANG_DEADLOCK 3
/* The server replies RAE_OK, then loops forever without a system call. */
#define HANG_SPIN 4

#endif
