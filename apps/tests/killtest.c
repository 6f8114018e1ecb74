/* KILL always ends a process, whatever its threads wait on: a child (this
 * program again) blocks in one system call per run, joins and nested joins
 * included, and must be gone within a second of the kill. Also: a new
 * thread starts as if it had been called (System V ABI), so aligned SSE
 * stores to its stack work. Exits with the number of failed checks. */
#include <rae.h>

#include "killtest.h"

static int failures;

static void check(int ok, const char *what, const char *detail)
{
	if (!ok) {
		failures++;
		rae_printf("killtest: FAILED: %s (%s)\n", what, detail);
	}
}

/* --- the child: blocks as its mode says ----------------------------------- */

static rae_handle_t own_ep;          /* an endpoint nobody else receives on */
static volatile uint32_t futex_word; /* never changes */
static rae_handle_t blocker_thread;  /* what the joiner threads join */

static void block_receive(uint64_t arg)
{
	(void)arg;
	rae_msg_t m = {0};
	rae_ipc_receive(own_ep, &m, RAE_TIMEOUT_NEVER);
	rae_thread_exit(1);
}

/* Receives the call of a CALL_REG and never answers it. */
static void take_call_and_hang(uint64_t arg)
{
	(void)arg;
	rae_regs_t r = {0};
	rae_ipc_recv_regs(own_ep, &r);
	rae_handle_t n = RAE_HANDLE_INVALID;
	rae_notify_create(&n);
	rae_notify_wait(n, RAE_TIMEOUT_NEVER);
	rae_thread_exit(1);
}

static void join_blocker(uint64_t arg)
{
	rae_thread_join((int64_t)arg, NULL);
	rae_thread_exit(1);
}

static void block_as(uint64_t mode, rae_handle_t given)
{
	rae_msg_t m = {0};
	rae_regs_t r = {0};
	int64_t n, t, u;
	rae_handle_t ends[2];
	static char buf[4096];
	switch (mode) {
	case MODE_IPC_RECEIVE: rae_ipc_receive(own_ep, &m, RAE_TIMEOUT_NEVER); break;
	case MODE_IPC_CALL: rae_ipc_call(own_ep, &m, RAE_TIMEOUT_NEVER); break;
	case MODE_IPC_SEND: rae_ipc_send(own_ep, &m, RAE_TIMEOUT_NEVER); break;
	case MODE_RECV_REG:
		rae_ipc_set_timeout(RAE_TIMEOUT_NEVER);
		rae_ipc_recv_regs(own_ep, &r);
		break;
	case MODE_CALL_REG:
		rae_ipc_set_timeout(RAE_TIMEOUT_NEVER);
		rae_sys_thread_create(take_call_and_hang, 0, 0);
		rae_sleep_ns(5 * MS); /* let it wait first: the direct path */
		rae_ipc_call_regs(own_ep, &r);
		break;
	case MODE_NOTIFY_WAIT:
		n = rae_sys_notify_create();
		rae_notify_wait((rae_handle_t)n, RAE_TIMEOUT_NEVER);
		break;
	case MODE_FUTEX_WAIT: rae_futex_wait(&futex_word, 0, RAE_TIMEOUT_NEVER); break;
	case MODE_PIPE_READ:
		rae_pipe_create(ends);
		rae_pipe_read(ends[0], buf, sizeof(buf), RAE_TIMEOUT_NEVER);
		break;
	case MODE_PIPE_WRITE:
		rae_pipe_create(ends);
		for (;;) {
			if (rae_pipe_write(ends[1], buf, sizeof(buf), RAE_TIMEOUT_NEVER) < 0)
				break;
		}
		break;
	case MODE_SLEEP: rae_sleep_ns(UINT64_MAX / 2); break;
	case MODE_WAIT_PROCESS: rae_wait(given, NULL); break;
	case MODE_JOIN:
		/* The case: the joined thread waits with no timeout. */
		t = rae_sys_thread_create(block_receive, 0, 0);
		rae_thread_join(t, NULL);
		break;
	case MODE_NESTED_JOIN:
		/* main joins u, u joins t, t waits in IPC_RECEIVE. */
		t = rae_sys_thread_create(block_receive, 0, 0);
		u = rae_sys_thread_create(join_blocker, (uint64_t)t, 0);
		rae_thread_join(u, NULL);
		break;
	case MODE_JOIN_MANY:
		/* Several threads in several calls at once: receives, a join,
		 * a call taken and never answered, a notification wait. */
		rae_thread_create(block_receive, 0, 0, &blocker_thread);
		rae_sys_thread_create(block_receive, 0, 0);
		rae_sys_thread_create(join_blocker, blocker_thread, 0);
		rae_sys_thread_create(take_call_and_hang, 0, 0);
		n = rae_sys_notify_create();
		rae_notify_wait((rae_handle_t)n, RAE_TIMEOUT_NEVER);
		break;
	}
	/* Only a kill may end the wait: anything else is a failure. */
	rae_exit(99);
}

static int child_main(rae_handle_t parent)
{
	rae_handle_t ep = RAE_HANDLE_INVALID;
	rae_endpoint_create(&ep);
	if (!ep)
		return 98;
	own_ep = ep;
	/* Ask the parent what to block in; it may hand a process handle. */
	static rae_msg_t m;
	m.tag = 1;
	if (rae_ipc_call(parent, &m, 5000 * MS) != RAE_OK)
		return 97;
	block_as(m.words[0], m.handle_count ? m.handles[0] : 0);
	return 99;
}

/* --- the parent ------------------------------------------------------------ */

/* Runs one child blocked in `mode`, kills it, and checks it ends. */
static void kill_blocked_child(int mode)
{
	const char *name = mode_names[mode];
	rae_handle_t ep = RAE_HANDLE_INVALID;
	rae_endpoint_create(&ep);
	rae_handle_t give = RAE_HANDLE_INVALID;
	rae_handle_dup(ep, RAE_RIGHT_WRITE | RAE_RIGHT_TRANSFER, &give);
	rae_handle_t child = RAE_HANDLE_INVALID;
	rae_spawn_with("bin/killtest", give, 0, &child);
	if (!(ep > 0 && give > 0 && child > 0)) {
		check(0, "start a child", name);
		return;
	}
	rae_handle_t ended = RAE_HANDLE_INVALID;
	rae_notify_create(&ended);
	rae_process_watch(child, ended, 1);
	int64_t grandchild = 0;
	rae_msg_t m = {0};
	if (rae_ipc_receive(ep, &m, 5000 * MS) != RAE_OK) {
		check(0, "the child asks for its mode", name);
		rae_kill(child);
		return;
	}
	m = (rae_msg_t){.tag = RAE_OK};
	m.words[0] = (uint64_t)mode;
	if (mode == MODE_WAIT_PROCESS) {
		grandchild = rae_sys_spawn("bin/sleeper");
		rae_handle_dup((rae_handle_t)grandchild, RAE_RIGHT_WAIT | RAE_RIGHT_TRANSFER,
			       &m.handles[0]);
		m.handle_count = 1;
	}
	rae_ipc_reply(&m);
	/* Time to block (and to show it does not end by itself). */
	int64_t early = rae_notify_wait(ended, 30 * MS);
	if (early != RAE_ERR_TIMED_OUT)
		rae_printf("# %s: notify_wait before the kill: %lld\n", name, (long long)early);
	check(early == RAE_ERR_TIMED_OUT, "the child blocks until killed", name);
	uint64_t t0 = rae_clock_ns();
	check(rae_kill(child) == RAE_OK, "KILL", name);
	uint64_t bits = rae_notify_wait(ended, 1000 * MS);
	uint64_t took = rae_clock_ns() - t0;
	check(bits == 1, "the killed child ends within a second", name);
	int status = -1;
	int64_t ws = rae_wait_nohang(child, &status);
	if (ws != RAE_OK || status != RAE_EXIT_KILLED)
		rae_printf("# %s: wait %lld status %d\n", name, (long long)ws, status);
	check(ws == RAE_OK && status == RAE_EXIT_KILLED, "its status says it was killed", name);
	rae_printf("# %s: ended %llu us after the kill\n", name, (unsigned long long)(took / 1000));
	if (grandchild > 0) {
		rae_kill(grandchild);
		rae_wait(grandchild, NULL);
		rae_handle_close((rae_handle_t)grandchild);
	}
	rae_handle_close(child);
	rae_handle_close(ended);
	rae_handle_close(ep);
}

/* Compiled at -O2: the vector is kept in an aligned stack slot, written
 * with an aligned store (movaps/movdqa), which faults on a stack that is
 * misaligned at entry. */
typedef int v4si __attribute__((vector_size(16)));
static volatile int aligned_ok;

__attribute__((noinline)) static void touch_vector(volatile v4si *v)
{
	*v = *v + (v4si){1, 2, 3, 4};
}

static void aligned_thread(uint64_t arg)
{
	volatile v4si v = {(int)arg, 0, 0, 0};
	touch_vector(&v);
	/* The frame pointer is rsp at entry - 8: 16-byte aligned if the
	 * entry's rsp + 8 was. */
	aligned_ok = ((uintptr_t)__builtin_frame_address(0) & 15) == 0 && v[1] == 2;
	rae_thread_exit(0);
}

int main(uint64_t arg)
{
	if (arg)
		return child_main((rae_handle_t)arg);

	rae_handle_t t = RAE_HANDLE_INVALID;
	rae_thread_create(aligned_thread, 7, 0, &t);
	int code = -1;
	check(t > 0 && rae_thread_join(t, &code) == RAE_OK && code == 0,
	      "a thread using aligned SSE stores on its stack runs", "THREAD_CREATE");
	check(aligned_ok, "a new thread's stack is aligned as at a call", "rsp + 8 = 0 mod 16");

	for (int mode = 0; mode < MODE_COUNT; mode++)
		kill_blocked_child(mode);

	rae_puts(failures ? "killtest: some checks failed\n" : "killtest: all checks passed\n");
	return failures;
}
