/* One-way IPC (IPC_SEND): delivered to a waiting receiver at once, taken
 * from the queue by a receiver that comes later (general or register
 * receive), refused at its timeout when nobody takes it (its handles then
 * close), and never leaves a reply owed. */
#include <rae.h>

static int failures;
static rae_handle_t ep;
static volatile int phase;
static uint8_t rbuf[64];

static void check(int ok, const char *what)
{
	if (!ok) {
		rae_puts("ipcsend: FAIL: ");
		rae_puts(what);
		rae_puts("\n");
		failures++;
	}
}

static void receiver(uint64_t arg)
{
	(void)arg;
	/* 1: a general receive that waits first. */
	rae_msg_t m = {.buf = (uint64_t)(uintptr_t)rbuf, .buf_cap = sizeof(rbuf)};
	check(rae_ipc_receive(ep, &m, RAE_TIMEOUT_NEVER) == RAE_OK, "receive a send");
	check(m.tag == 7 && m.words[0] == 70 && m.buf_len == 3 && rbuf[2] == 'c',
	      "the message and its buffer");
	check(m.handle_count == 1, "the handle came along");
	if (m.handle_count == 1)
		check(rae_notify_signal(m.handles[0], 1) == RAE_OK, "the moved handle works");
	rae_msg_t r = {0};
	check(rae_ipc_reply(&r) == RAE_ERR_PEER_CLOSED, "no reply is owed after a send");
	/* 2: a register receive, after the sender queued. */
	while (phase != 2)
		rae_yield();
	rae_sleep_ns(5000000);
	rae_regs_t g = {0};
	check(rae_ipc_recv_regs(ep, &g) == RAE_OK && g.tag == 8 && g.w[3] == 83,
	      "a register receive takes a queued send");
	rae_thread_exit(0);
}

int main(uint64_t arg)
{
	(void)arg;
	rae_set_affinity(1);
	rae_handle_t n = 0, tid = 0;
	check(rae_endpoint_create(&ep) == RAE_OK && rae_notify_create(&n) == RAE_OK, "create");
	check(rae_thread_create(receiver, 0, 0, &tid) == RAE_OK, "thread");
	rae_sleep_ns(5000000); /* the receiver waits by now */
	uint8_t buf[3] = {'a', 'b', 'c'};
	rae_msg_t m = {.tag = 7, .words = {70}, .buf = (uint64_t)(uintptr_t)buf, .buf_len = 3};
	m.handle_count = 1;
	m.handles[0] = n;
	check(rae_ipc_send(ep, &m, RAE_TIMEOUT_NEVER) == RAE_OK, "send to a waiting receiver");
	check(rae_handle_close(n) == RAE_ERR_BAD_HANDLE, "the sent handle left");
	phase = 2;
	rae_msg_t q = {.tag = 8, .words = {80, 81, 82, 83}};
	check(rae_ipc_send(ep, &q, 2000000000ull) == RAE_OK, "a queued send is taken");
	int code = -1;
	rae_thread_join(tid, &code);
	/* Nobody receives now: the send times out and its handle closes. */
	rae_handle_t n2 = 0;
	check(rae_notify_create(&n2) == RAE_OK, "create another");
	rae_msg_t t = {.tag = 9, .handle_count = 1, .handles = {n2}};
	check(rae_ipc_send(ep, &t, 10000000) == RAE_ERR_TIMED_OUT, "a send nobody takes times out");
	check(rae_handle_close(n2) == RAE_ERR_BAD_HANDLE, "its handle went with the message");
	check(rae_ipc_send(n2, &t, 0) == RAE_ERR_BAD_HANDLE, "a bad handle");
	if (!failures)
		rae_puts("ipcsend: all checks passed\n");
	return failures;
}
