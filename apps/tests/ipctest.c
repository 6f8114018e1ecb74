/* IPC and capability checks from user mode: a client process calls this
 * one over an endpoint (words, buffers, a moved handle, a badge); rights
 * are enforced per call with distinct errors; a stale handle is refused; a
 * server that dies mid-call gives PEER_CLOSED; timeouts end waits. Exits
 * with the number of failed checks. */
#include <stdbool.h>
#include <rae.h>

static int failures;

static void check(int ok, const char *what)
{
	if (!ok) {
		failures++;
		rae_puts("ipctest: FAILED: ");
		rae_puts(what);
		rae_puts("\n");
	}
}

static void serve(rae_handle_t ep, int64_t client)
{
	char buf[64];
	rae_msg_t r, *reply = 0; /* nothing owed before the first call */
	bool tried_bad_replies = false;
	for (;;) {
		rae_msg_t m = {.buf = (uint64_t)(uintptr_t)buf, .buf_cap = sizeof(buf)};
		/* One call answers the last call and takes the next. */
		if (rae_ipc_reply_recv(ep, reply, &m, 5000000000ull) != RAE_OK) {
			check(0, "reply and receive from the client");
			return;
		}
		check(m.badge == 7, "the call carries the badge minted for the client");
		r = (rae_msg_t){.tag = m.tag};
		if (m.tag == 1) {
			r.words[0] = m.words[0] + 1;
			r.words[1] = m.words[1] + 1;
		} else if (m.tag == 2) {
			check(m.buf_len == 5 && buf[0] == 'p' && buf[1] == 'i',
			      "the client's buffer");
		} else if (m.tag == 3) {
			r.buf = (uint64_t)(uintptr_t) "pong";
			r.buf_len = 5;
		} else if (m.tag == 4) {
			check(m.handle_count == 1, "a handle arrived");
			check(rae_notify_signal(m.handles[0], 0x40) == RAE_OK,
			      "signal through the received handle");
			rae_handle_close(m.handles[0]);
		}
		reply = &r;
		if (m.tag == 1 && !tried_bad_replies) {
			/* Refused before anything is sent: the call stays owed, and
			 * the client checks that the answer it gets is r (a wrong
			 * one sent here would fail it). */
			tried_bad_replies = true;
			rae_msg_t wrong = {.tag = 1, .words = {12345, 12345}};
			rae_msg_t spare = {0};
			check(rae_ipc_reply_recv(RAE_HANDLE_INVALID, &wrong, &spare, 0) ==
				  RAE_ERR_BAD_HANDLE,
			      "reply-receive on a bad handle sends nothing");
			check(rae_ipc_reply_recv(ep, (const rae_msg_t *)8, &spare, 0) ==
				  RAE_ERR_FAULT,
			      "reply-receive with a bad reply pointer");
			check(rae_ipc_receive(ep, &spare, 0) == RAE_ERR_INVALID,
			      "the call is still owed after both");
		}
		if (m.tag == 99) {
			rae_ipc_reply(&r);
			break;
		}
	}
	int status = -1;
	check(rae_wait(client, &status) == RAE_OK && status == 0, "the client saw every reply");
	/* No call owed: a reply is dropped as IPC_REPLY would, and the receive
	 * still happens (here it times out: nobody calls). */
	rae_msg_t none = {.tag = 1};
	rae_msg_t spare = {0};
	check(rae_ipc_reply_recv(ep, &none, &spare, 1000000) == RAE_ERR_TIMED_OUT,
	      "reply-receive owing nothing receives");
}

int main(uint64_t arg)
{
	(void)arg;
	rae_handle_t ep = RAE_HANDLE_INVALID;
	rae_endpoint_create(&ep);
	rae_handle_t note = RAE_HANDLE_INVALID;
	rae_notify_create(&note);
	check(ep > 0 && note > 0, "create an endpoint and a notification");

	/* Rights: each call needs its own right, and the errors differ. */
	rae_handle_t recv_only;
	rae_handle_dup(ep, RAE_RIGHT_READ, &recv_only);
	rae_msg_t m = {0};
	check(rae_ipc_call(recv_only, &m, 0) == RAE_ERR_ACCESS_DENIED, "call needs WRITE");
	check(rae_sys_handle_dup(recv_only, RAE_RIGHTS_ALL) == RAE_ERR_ACCESS_DENIED,
	      "dup needs DUPLICATE and cannot add rights");
	check(rae_ipc_call(note, &m, 0) == RAE_ERR_WRONG_TYPE, "a notification is not an endpoint");
	check(rae_notify_signal(ep, 1) == RAE_ERR_WRONG_TYPE, "an endpoint is not a notification");
	rae_handle_t sig_only = (rae_handle_t)rae_sys_handle_dup(note, RAE_RIGHT_SIGNAL);
	check(rae_notify_wait(sig_only, 0) == RAE_ERR_ACCESS_DENIED, "wait needs WAIT");
	check(rae_handle_close(recv_only) == RAE_OK, "close");
	check(rae_ipc_receive(recv_only, &m, 0) == RAE_ERR_BAD_HANDLE, "a closed handle is stale");
	check(rae_handle_close(0) == RAE_ERR_BAD_HANDLE, "handle 0 is never valid");
	check(rae_sys_handle_mint(ep, RAE_RIGHTS_ALL + 1, 1) == RAE_ERR_INVALID,
	      "mint with unknown rights");

	/* Timeouts. */
	check(rae_ipc_call(ep, &m, 10000000) == RAE_ERR_TIMED_OUT,
	      "a call nobody receives times out");
	check(rae_notify_wait(note, 10000000) == RAE_ERR_TIMED_OUT,
	      "a wait nobody signals times out");
	check(rae_notify_signal(sig_only, 5) == RAE_OK && rae_notify_wait(note, 0) == 5,
	      "signal, then wait takes the bits");

	/* A client process with a send-only, badged handle. */
	rae_handle_t for_client;
	rae_handle_mint(ep, RAE_RIGHT_WRITE | RAE_RIGHT_TRANSFER, 7, &for_client);
	rae_handle_t client = RAE_HANDLE_INVALID;
	rae_spawn_with("bin/ipcclient", for_client, 0, &client);
	check(client > 0, "spawn the client with its handle");
	check(rae_handle_close(for_client) == RAE_ERR_BAD_HANDLE, "the handle moved to the child");
	if (client > 0)
		serve(ep, client);

	/* A server that dies in the middle of the call. */
	rae_handle_t ep2 = RAE_HANDLE_INVALID;
	rae_endpoint_create(&ep2);
	rae_handle_t for_server;
	rae_handle_dup(ep2, RAE_RIGHT_READ | RAE_RIGHT_TRANSFER, &for_server);
	rae_handle_t dier = RAE_HANDLE_INVALID;
	rae_spawn_with("bin/ipcdie", for_server, 0, &dier);
	check(dier > 0, "spawn the dying server");
	m = (rae_msg_t){.tag = 5};
	check(rae_ipc_call(ep2, &m, RAE_TIMEOUT_NEVER) == RAE_ERR_PEER_CLOSED,
	      "a server that exits mid-call gives PEER_CLOSED");
	rae_wait(dier, 0);

	rae_puts(failures ? "ipctest: some checks failed\n" : "ipctest: all checks passed\n");
	return failures;
}
