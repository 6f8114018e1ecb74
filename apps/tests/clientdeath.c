/* A server learns when a client is gone (HANDLE_MINT_WATCHED): one
 * RAE_IPC_TAG_CLOSED notice per watched mint, once its last copy is
 * closed, moved away and dropped, or its holder killed mid-call; through
 * both receives; nobody can forge one. Exits with the number of failed
 * checks. */
#include <rae.h>

#define MS 1000000ull

static int failures;

static void check(int ok, const char *what)
{
	if (!ok) {
		failures++;
		rae_printf("clientdeath: FAILED: %s\n", what);
	}
}

/* The next message on ep within `ms`: its status, the message in *m. */
static int64_t next(rae_handle_t ep, rae_msg_t *m, uint64_t ms)
{
	*m = (rae_msg_t){0};
	return rae_ipc_receive(ep, m, ms * MS);
}

static int is_notice(const rae_msg_t *m, uint64_t badge)
{
	return m->tag == RAE_IPC_TAG_CLOSED && m->badge == badge && (m->flags & RAE_MSG_ONEWAY) &&
	       m->handle_count == 0 && m->buf_len == 0;
}

static uint64_t free_pages(void)
{
	rae_system_info_t info;
	return rae_system_info(&info) == RAE_OK ? info.free_pages : 0;
}

/* The child: calls its server once and waits for an answer that never
 * comes (the parent kills it mid-call). */
static int child_main(rae_handle_t server)
{
	rae_msg_t m = {.tag = 7};
	rae_ipc_call(server, &m, RAE_TIMEOUT_NEVER);
	return 1;
}

static void test_copies(rae_handle_t ep)
{
	rae_msg_t m;
	rae_handle_t a = RAE_HANDLE_INVALID;
	rae_handle_mint_watched(ep, RAE_RIGHT_WRITE | RAE_RIGHT_DUPLICATE, 5, &a);
	int64_t b = a > 0 ? rae_sys_handle_dup(a, RAE_RIGHT_WRITE) : -1;
	check(a > 0 && b > 0, "mint a watched handle and copy it");
	/* A call through it reaches the endpoint with its badge. */
	rae_regs_t r = {.tag = 3};
	rae_ipc_set_timeout(0);
	check(rae_ipc_call_regs((rae_handle_t)b, &r) == RAE_ERR_TIMED_OUT,
	      "a call with nobody receiving times out");
	rae_handle_close(a);
	check(next(ep, &m, 10) == RAE_ERR_TIMED_OUT, "no notice while a copy is left");
	rae_handle_close((rae_handle_t)b);
	check(next(ep, &m, 100) == RAE_OK && is_notice(&m, 5), "the notice once the last goes");
	check(next(ep, &m, 10) == RAE_ERR_TIMED_OUT, "exactly one notice");

	/* Through the register receive as well, tag and badge in registers. */
	a = rae_sys_handle_mint_watched(ep, RAE_RIGHT_WRITE, 6);
	rae_handle_close(a);
	r = (rae_regs_t){0};
	rae_ipc_set_timeout(100 * MS);
	check(rae_ipc_recv_regs(ep, &r) == RAE_OK && r.tag == RAE_IPC_TAG_CLOSED && r.badge == 6,
	      "the notice through IPC_RECV_REG");
	rae_ipc_set_timeout(RAE_TIMEOUT_NEVER);
}

static void test_refusals(rae_handle_t ep)
{
	rae_handle_t a = RAE_HANDLE_INVALID;
	rae_handle_mint_watched(ep, RAE_RIGHT_WRITE | RAE_RIGHT_DUPLICATE, 9, &a);
	check(rae_sys_handle_mint_watched(a, RAE_RIGHT_WRITE, 10) == RAE_ERR_ACCESS_DENIED,
	      "a badged handle cannot be minted again");
	check(rae_sys_handle_mint_watched(ep, RAE_RIGHT_WRITE, 0) == RAE_ERR_INVALID, "badge 0");
	rae_handle_t weak = RAE_HANDLE_INVALID;
	rae_handle_dup(ep, RAE_RIGHT_WRITE | RAE_RIGHT_DUPLICATE, &weak);
	check(rae_sys_handle_mint_watched(weak, RAE_RIGHT_WRITE, 11) == RAE_ERR_ACCESS_DENIED,
	      "minting a watched handle needs READ (the server's right)");
	rae_handle_t n = RAE_HANDLE_INVALID;
	rae_notify_create(&n);
	check(rae_sys_handle_mint_watched(n, RAE_RIGHT_SIGNAL, 12) == RAE_ERR_WRONG_TYPE,
	      "only endpoints");
	/* Nobody forges a notice. */
	rae_msg_t m = {.tag = RAE_IPC_TAG_CLOSED};
	check(rae_ipc_call(a, &m, 0) == RAE_ERR_INVALID, "IPC_CALL with the tag");
	m = (rae_msg_t){.tag = RAE_IPC_TAG_CLOSED};
	check(rae_ipc_send(a, &m, 0) == RAE_ERR_INVALID, "IPC_SEND with the tag");
	rae_regs_t r = {.tag = RAE_IPC_TAG_CLOSED};
	check(rae_ipc_call_regs(a, &r) == RAE_ERR_INVALID, "IPC_CALL_REG with the tag");
	rae_handle_close(a);
	check(next(ep, &m, 100) == RAE_OK && is_notice(&m, 9), "its notice");
	rae_handle_close(weak);
	rae_handle_close(n);
}

/* A copy moved in a message lives on in its receiver, and goes with it. */
static void test_moved(rae_handle_t ep)
{
	rae_msg_t m;
	rae_handle_t other = RAE_HANDLE_INVALID;
	rae_endpoint_create(&other);
	rae_handle_t a = RAE_HANDLE_INVALID;
	rae_handle_mint_watched(ep, RAE_RIGHT_WRITE | RAE_RIGHT_TRANSFER, 21, &a);
	m = (rae_msg_t){.tag = 1, .handle_count = 1};
	m.handles[0] = a;
	/* A one-way send nobody takes: the message, and so the copy, is freed. */
	check(rae_ipc_send(other, &m, 5 * MS) == RAE_ERR_TIMED_OUT, "a send nobody takes");
	check(next(ep, &m, 100) == RAE_OK && is_notice(&m, 21),
	      "a copy dropped with its message ends the mint");
	rae_handle_close(other);
}

/* Killed while the server holds its call: the reply finds the caller
 * gone, then the notice comes. */
static void test_killed_mid_call(rae_handle_t ep)
{
	rae_msg_t m;
	rae_handle_t give = RAE_HANDLE_INVALID;
	rae_handle_mint_watched(ep, RAE_RIGHT_WRITE | RAE_RIGHT_TRANSFER, 31, &give);
	rae_handle_t child = RAE_HANDLE_INVALID;
	rae_spawn_with("bin/clientdeath", give, 0, &child);
	check(child > 0, "start a client");
	check(next(ep, &m, 5000) == RAE_OK && m.tag == 7 && m.badge == 31, "its call");
	rae_kill(child);
	rae_wait(child, NULL);
	check(next(ep, &m, 100) == RAE_OK && is_notice(&m, 31), "the notice after the kill");
	m = (rae_msg_t){.tag = RAE_OK};
	check(rae_ipc_reply(&m) == RAE_ERR_PEER_CLOSED, "the reply finds the caller gone");
	rae_handle_close(child);
}

/* Many clients: every notice comes, and the memory comes back. */
static void test_many(rae_handle_t ep)
{
	enum { CLIENTS = 1000 };
	rae_msg_t m;
	uint64_t before = free_pages();
	for (int round = 0; round < 2; round++) {
		static int64_t h[100];
		int seen = 0;
		for (int i = 0; i < CLIENTS; i += 100) {
			for (int j = 0; j < 100; j++)
				h[j] = rae_sys_handle_mint_watched(
				    ep, RAE_RIGHT_WRITE, 1000 + (uint64_t)i + (uint64_t)j);
			for (int j = 0; j < 100; j++)
				rae_handle_close((rae_handle_t)h[j]);
			while (next(ep, &m, 0) == RAE_OK && m.tag == RAE_IPC_TAG_CLOSED)
				seen++;
		}
		check(seen == CLIENTS, "a notice for each of 1,000 clients");
	}
	uint64_t after = free_pages();
	rae_printf("# free pages before %llu, after %llu\n", (unsigned long long)before,
		   (unsigned long long)after);
	check(after + 8 >= before, "1,000 watched clients leave no memory behind");
}

int main(uint64_t arg)
{
	if (arg)
		return child_main((rae_handle_t)arg);
	rae_handle_t ep = RAE_HANDLE_INVALID;
	rae_endpoint_create(&ep);
	check(ep > 0, "create an endpoint");
	test_copies(ep);
	test_refusals(ep);
	test_moved(ep);
	test_killed_mid_call(ep);
	test_many(ep);
	rae_puts(failures ? "clientdeath: some checks failed\n"
			  : "clientdeath: all checks passed\n");
	return failures;
}
