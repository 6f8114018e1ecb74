/* The client half of ipctest: calls the endpoint it was given (main's
 * argument) with numbers, a buffer and a handle, and checks every reply.
 * Exits with the number of failed checks. */
#include <rae.h>

static int failures;

static void check(int ok, const char *what)
{
	if (!ok) {
		failures++;
		rae_puts("ipcclient: FAILED: ");
		rae_puts(what);
		rae_puts("\n");
	}
}

int main(uint64_t arg)
{
	rae_handle_t ep = (rae_handle_t)arg;
	rae_msg_t m;
	for (uint64_t i = 0; i < 100; i++) {
		m = (rae_msg_t){.tag = 1, .words = {i, i * 2}};
		int64_t st = rae_ipc_call(ep, &m, RAE_TIMEOUT_NEVER);
		if (st != RAE_OK || m.words[0] != i + 1 || m.words[1] != i * 2 + 1) {
			check(0, "call 100 times and get n+1 back");
			break;
		}
	}
	/* A buffer out and a buffer back. */
	char out[] = "ping", back[16] = {0};
	m = (rae_msg_t){.tag = 2, .buf = (uint64_t)(uintptr_t)out, .buf_len = 5};
	m.buf = (uint64_t)(uintptr_t)out;
	int64_t st = rae_ipc_call(ep, &m, RAE_TIMEOUT_NEVER);
	check(st == RAE_OK, "call with a buffer");
	/* The reply's buffer lands where the reply message points, so ask
	 * again with room for it. */
	m = (rae_msg_t){.tag = 3, .buf = (uint64_t)(uintptr_t)back, .buf_cap = sizeof(back)};
	st = rae_ipc_call(ep, &m, RAE_TIMEOUT_NEVER);
	check(st == RAE_OK && m.buf_len == 5 && back[0] == 'p' && back[1] == 'o' && back[2] == 'n',
	      "a buffer comes back in the reply");
	/* Send a notification handle; the server signals it. */
	rae_handle_t n, kept = 0;
	check(rae_notify_create(&n) == RAE_OK, "create a notification");
	m = (rae_msg_t){.tag = 4, .handle_count = 1};
	m.handles[0] = n;
	check(rae_handle_dup(n, RAE_RIGHTS_ALL, &kept) == RAE_OK, "keep a copy");
	st = rae_ipc_call(ep, &m, RAE_TIMEOUT_NEVER);
	check(st == RAE_OK, "call carrying a handle");
	check(rae_notify_signal(n, 1) == RAE_ERR_BAD_HANDLE,
	      "a handle sent in a message leaves the sender");
	check(rae_notify_wait(kept, 1000000000ull) == 0x40,
	      "the server signalled the handle it got");
	m = (rae_msg_t){.tag = 99};
	rae_ipc_call(ep, &m, RAE_TIMEOUT_NEVER); /* tells the server we are done */
	return failures;
}
