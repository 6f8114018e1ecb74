/* What a bin/killtest child blocks in (its parent's reply names one): shared
 * by bin/killtest (one kill each, waiting for the child to block first) and
 * bin/killloop (a thousand kills at every point of the child's way there). */
#ifndef APPS_TESTS_KILLTEST_H
#define APPS_TESTS_KILLTEST_H

#define MS 1000000ull

enum {
	MODE_IPC_RECEIVE,
	MODE_IPC_CALL,
	MODE_IPC_SEND,
	MODE_RECV_REG,
	MODE_CALL_REG,
	MODE_NOTIFY_WAIT,
	MODE_FUTEX_WAIT,
	MODE_PIPE_READ,
	MODE_PIPE_WRITE,
	MODE_SLEEP,
	MODE_WAIT_PROCESS,
	MODE_JOIN,
	MODE_NESTED_JOIN,
	MODE_JOIN_MANY,
	MODE_COUNT
};

static const char *const mode_names[MODE_COUNT] = {
    "IPC_RECEIVE", "IPC_CALL",    "IPC_SEND",     "IPC_RECV_REG",   "IPC_CALL_REG",
    "NOTIFY_WAIT", "FUTEX_WAIT",  "PIPE_READ",    "PIPE_WRITE",     "SLEEP",
    "WAIT",        "THREAD_JOIN", "nested joins", "joins and calls"};

#endif
