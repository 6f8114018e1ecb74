/* Register IPC (the fast path) and its mixing with the general path: a
 * server in register mode answers register calls and message calls; then,
 * in message mode, it answers register calls. Then IPC_SET_TIMEOUT: a
 * register receive and a register call with nobody on the other side time
 * out, and a server serving with a timeout answers every call and times
 * out once the calls stop. With an argument this is the server. Exits with
 * the number of failed checks. */
#include <rae.h>

static int failures;

static void check(int ok, const char *what)
{
	if (!ok) {
		failures++;
		rae_puts("ipcfast: FAILED: ");
		rae_puts(what);
		rae_puts("\n");
	}
}

/* After a first call tagged 55: serves register calls with a 200 ms
 * timeout, and exits 7 once one passes without a call. */
static int serve_with_timeout(rae_handle_t ep, rae_regs_t *first)
{
	rae_ipc_set_timeout(200000000ull);
	rae_regs_t m = *first;
	int64_t st = RAE_OK;
	while (st == RAE_OK) {
		m.w[0] += 1;
		st = rae_ipc_reply_recv_regs(ep, &m);
	}
	return st == RAE_ERR_TIMED_OUT ? 7 : 1;
}

static int serve(rae_handle_t ep)
{
	rae_regs_t m = {0};
	int64_t st = rae_ipc_recv_regs(ep, &m);
	if (st == RAE_OK && m.tag == 55)
		return serve_with_timeout(ep, &m);
	/* Register mode until told otherwise. */
	while (st == RAE_OK && m.tag != 77) {
		m.tag += 1000;
		m.w[0] += 1;
		m.w[3] = m.badge;
		st = rae_ipc_reply_recv_regs(ep, &m);
	}
	/* Answer the switch (tag 77) with a message reply, then message mode. */
	rae_msg_t r = {.tag = 77};
	rae_ipc_reply(&r);
	for (;;) {
		rae_msg_t c = {0};
		if (rae_ipc_receive(ep, &c, RAE_TIMEOUT_NEVER) != RAE_OK)
			return 1;
		rae_msg_t a = {.tag = c.tag + 1000, .words = {c.words[0] + 1, 0, 0, c.badge}};
		rae_ipc_reply(&a);
		if (c.tag == 99)
			return 0;
	}
}

int main(uint64_t arg)
{
	rae_set_affinity(1); /* one CPU: the direct-switch case */
	if (arg)
		return serve((rae_handle_t)arg);
	rae_handle_t ep = RAE_HANDLE_INVALID;
	rae_endpoint_create(&ep);
	rae_handle_t give =
	    (rae_handle_t)rae_sys_handle_dup(ep, RAE_RIGHT_READ | RAE_RIGHT_TRANSFER);
	rae_handle_t badged = (rae_handle_t)rae_sys_handle_mint(ep, RAE_RIGHT_WRITE, 42);
	rae_handle_t server = RAE_HANDLE_INVALID;
	rae_spawn_with("bin/ipcfast", give, 0, &server);
	check(server > 0, "spawn the server");
	/* A badge is never replaced: a badged handle cannot be re-minted. */
	rae_handle_t dupable = RAE_HANDLE_INVALID;
	rae_handle_mint(ep, RAE_RIGHT_WRITE | RAE_RIGHT_DUPLICATE, 42, &dupable);
	check(rae_sys_handle_mint(dupable, RAE_RIGHT_WRITE, 1) == RAE_ERR_ACCESS_DENIED,
	      "a badged handle cannot be minted with another badge");
	rae_handle_t copy = RAE_HANDLE_INVALID;
	rae_handle_dup(dupable, RAE_RIGHT_WRITE, &copy);
	check(copy > 0, "but it can be duplicated, badge and all");
	rae_handle_close(copy);
	rae_handle_close(dupable);

	int ok = 1;
	for (uint64_t i = 0; i < 1000; i++) {
		rae_regs_t m = {.tag = 1, .w = {i, 7, 8, 0}};
		if (rae_ipc_call_regs(badged, &m) != RAE_OK || m.tag != 1001 || m.w[0] != i + 1 ||
		    m.w[1] != 7 || m.w[3] != 42)
			ok = 0;
	}
	check(ok, "1000 register calls get register replies with the badge");
	ok = 1;
	for (uint64_t i = 0; i < 10; i++) {
		rae_msg_t m = {.tag = 2, .words = {i}};
		if (rae_ipc_call(badged, &m, RAE_TIMEOUT_NEVER) != RAE_OK || m.tag != 1002 ||
		    m.words[0] != i + 1)
			ok = 0;
	}
	check(ok, "message calls to a register-mode server");
	/* Bad calls while the server waits in register mode: the fast path
	 * (object/ipc_fast.c) leaves them to the dispatcher, which reports
	 * them, and the words stay as they were. */
	rae_regs_t bad = {.tag = 4, .w = {1, 2, 3, 4}};
	check(rae_ipc_call_regs(0, &bad) == RAE_ERR_BAD_HANDLE && bad.tag == 4 && bad.w[3] == 4,
	      "a register call on no handle is BAD_HANDLE, its registers left alone");
	rae_handle_t readonly = RAE_HANDLE_INVALID;
	rae_handle_dup(ep, RAE_RIGHT_READ, &readonly);
	check(rae_ipc_call_regs(readonly, &bad) == RAE_ERR_ACCESS_DENIED && bad.tag == 4 &&
		  bad.w[0] == 1,
	      "a register call needs WRITE");
	rae_handle_t notification = RAE_HANDLE_INVALID;
	rae_notify_create(&notification);
	check(rae_ipc_call_regs(notification, &bad) == RAE_ERR_WRONG_TYPE,
	      "a register call needs an endpoint");
	bad.tag = RAE_IPC_TAG_CLOSED;
	check(rae_ipc_call_regs(badged, &bad) == RAE_ERR_INVALID && bad.w[2] == 3,
	      "nobody forges the kernel's closed notice");
	rae_handle_close(readonly);
	rae_handle_close(notification);
	rae_regs_t after = {.tag = 1, .w = {41}};
	check(rae_ipc_call_regs(badged, &after) == RAE_OK && after.tag == 1001 && after.w[0] == 42,
	      "and the server, still waiting, answers the next call");
	rae_regs_t sw = {.tag = 77};
	check(rae_ipc_call_regs(badged, &sw) == RAE_OK && sw.tag == 77, "switch the server mode");
	ok = 1;
	for (uint64_t i = 0; i < 10; i++) {
		rae_regs_t m = {.tag = 3, .w = {i}};
		if (rae_ipc_call_regs(badged, &m) != RAE_OK || m.tag != 1003 || m.w[0] != i + 1 ||
		    m.w[3] != 42)
			ok = 0;
	}
	check(ok, "register calls to a message-mode server");
	rae_regs_t bye = {.tag = 99};
	rae_ipc_call_regs(badged, &bye);
	int status = -1;
	check(rae_wait(server, &status) == RAE_OK && status == 0, "the server ends cleanly");

	/* Timeouts on the register path (IPC_SET_TIMEOUT). */
	rae_handle_t lone = RAE_HANDLE_INVALID;
	rae_endpoint_create(&lone);
	check(rae_ipc_set_timeout(2000000) == RAE_OK, "set a 2 ms timeout");
	rae_regs_t r = {0};
	check(rae_ipc_recv_regs(lone, &r) == RAE_ERR_TIMED_OUT,
	      "a register receive with no caller times out");
	r.tag = 5;
	check(rae_ipc_call_regs(lone, &r) == RAE_ERR_TIMED_OUT && r.tag == 5,
	      "a register call with no receiver times out, its registers left alone");
	rae_ipc_set_timeout(RAE_TIMEOUT_NEVER);
	give = (rae_handle_t)rae_sys_handle_dup(ep, RAE_RIGHT_READ | RAE_RIGHT_TRANSFER);
	server = rae_sys_spawn_with("bin/ipcfast", give, 0);
	ok = server > 0;
	for (uint64_t i = 0; i < 100 && ok; i++) {
		rae_regs_t m = {.tag = i ? 1 : 55, .w = {i}};
		if (rae_ipc_call_regs(badged, &m) != RAE_OK || m.w[0] != i + 1)
			ok = 0;
	}
	check(ok, "a server with a timeout answers 100 register calls");
	check(rae_wait(server, &status) == RAE_OK && status == 7,
	      "and times out once the calls stop");
	rae_puts(failures ? "ipcfast: some checks failed\n" : "ipcfast: all checks passed\n");
	return failures;
}
