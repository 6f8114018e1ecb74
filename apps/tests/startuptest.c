/* The start-up convention (rae/startup.h) end to end. Run with argument 0
 * it is the parent: it starts itself as a child with arguments, an
 * environment and more handles than fit one message, then checks that the
 * child saw them all and used them. As the child (its argument a start-up
 * endpoint) it checks what came and reports back through the handles.
 * Also checks that malformed start-up messages are refused. Exits 0 when
 * every check holds. */
#include <rae.h>

#define CHILD_HANDLES 6 /* two messages' worth */
#define ROLE_REPLY    (RAE_ROLE_PRIVATE + 1)
#define ROLE_EXTRA    (RAE_ROLE_PRIVATE + 2)

static int failures;

static void check(int ok, const char *what)
{
	if (!ok) {
		rae_puts("startuptest: FAIL: ");
		rae_puts(what);
		rae_puts("\n");
		failures++;
	}
}

static int same(const char *a, const char *b)
{
	while (*a && *a == *b) {
		a++;
		b++;
	}
	return *a == *b;
}

static int child(rae_handle_t ep)
{
	static rae_startup_t s;
	check(rae_startup_receive(ep, &s, RAE_TIMEOUT_NEVER) == RAE_OK, "child: start-up arrives");
	check(s.argc == 3, "child: three arguments");
	check(s.argc == 3 && same(s.argv[0], "startuptest") && same(s.argv[1], "child") &&
		  same(s.argv[2], "two words") && s.argv[3] == NULL,
	      "child: the arguments, in order, NULL-terminated");
	check(s.envp[0] && same(s.envp[0], "HOME=/") && s.envp[1] && same(s.envp[1], "X=1") &&
		  s.envp[2] == NULL,
	      "child: the environment");
	check(s.handle_count == CHILD_HANDLES, "child: every handle came");
	/* The reply notification is named by its role wherever it came. */
	rae_handle_t reply = rae_startup_take(&s, ROLE_REPLY);
	check(reply != RAE_HANDLE_INVALID, "child: the reply handle is found by role");
	check(rae_startup_take(&s, ROLE_REPLY) == RAE_HANDLE_INVALID, "child: taken only once");
	unsigned extras = 0;
	while (rae_startup_take(&s, ROLE_EXTRA) != RAE_HANDLE_INVALID)
		extras++;
	check(extras == CHILD_HANDLES - 1, "child: the other handles");
	check(rae_startup_take(&s, RAE_ROLE_VFS) == RAE_HANDLE_INVALID, "child: no vfs was given");
	if (!failures)
		rae_notify_signal(reply, 1);
	return failures;
}

/* A raw message sent by a second thread to a fresh endpoint, and what
 * rae_startup_receive makes of it. */
static rae_handle_t raw_ep;
static rae_msg_t raw_msg;

static void raw_sender(uint64_t arg)
{
	(void)arg;
	rae_ipc_send(raw_ep, &raw_msg, 1000000000ull);
	rae_thread_exit(0);
}

static rae_status_t receive_raw(void)
{
	static rae_startup_t s;
	rae_endpoint_create(&raw_ep);
	rae_handle_t mine;
	rae_handle_dup(raw_ep, RAE_RIGHT_READ, &mine);
	rae_handle_t tid = RAE_HANDLE_INVALID;
	rae_thread_create(raw_sender, 0, 0, &tid);
	rae_status_t st = rae_startup_receive(mine, &s, 1000000000ull);
	rae_thread_join(tid, 0);
	rae_handle_close(raw_ep);
	return st;
}

static int parent(void)
{
	/* Malformed start-up messages are refused, not believed. */
	raw_msg = (rae_msg_t){.tag = 0x1234};
	check(receive_raw() == RAE_ERR_INVALID, "a foreign tag is refused");
	raw_msg = (rae_msg_t){.tag = RAE_STARTUP_TAG};
	raw_msg.words[RAE_STARTUP_WORD_INDEX] = 1;
	check(receive_raw() == RAE_ERR_INVALID, "a message out of order is refused");
	static char bad[16] = {2, 0, 0, 0, 0, 0, 0, 0, 'a', 0, 'b', 'c'}; /* 2nd string unended */
	raw_msg =
	    (rae_msg_t){.tag = RAE_STARTUP_TAG, .buf = (uint64_t)(uintptr_t)bad, .buf_len = 12};
	check(receive_raw() == RAE_ERR_TRUNCATED, "an unterminated argument is refused");
	bad[0] = 0xff;
	bad[3] = 0x7f;
	check(receive_raw() == RAE_ERR_RANGE, "an absurd argument count is refused");
	raw_msg =
	    (rae_msg_t){.tag = RAE_STARTUP_TAG, .buf = (uint64_t)(uintptr_t)bad, .buf_len = 4};
	check(receive_raw() == RAE_ERR_TRUNCATED, "a buffer without counts is refused");

	/* Too much to send is refused before anything moves. */
	static char big[RAE_IPC_BUF_MAX];
	memset(big, 'x', sizeof(big) - 1);
	const char *const too_long[] = {big, NULL};
	rae_handle_t ep;
	rae_endpoint_create(&ep);
	check(rae_startup_send(ep, too_long, NULL, NULL, NULL, 0, 0) == RAE_ERR_RANGE,
	      "arguments past the buffer are refused");
	rae_handle_close(ep);

	/* The real thing: a child with arguments, environment, six handles. */
	rae_handle_t done;
	rae_notify_create(&done);
	rae_handle_t handles[CHILD_HANDLES];
	uint16_t roles[CHILD_HANDLES];
	for (int i = 0; i < CHILD_HANDLES; i++) {
		rae_notify_create(&handles[i]);
		roles[i] = ROLE_EXTRA;
	}
	/* The reply handle rides in the second message. */
	rae_handle_close(handles[4]);
	rae_handle_dup(done, RAE_RIGHT_SIGNAL | RAE_RIGHT_TRANSFER, &handles[4]);
	roles[4] = ROLE_REPLY;
	const char *const argv[] = {"startuptest", "child", "two words", NULL};
	const char *const envp[] = {"HOME=/", "X=1", NULL};
	rae_handle_t p;
	rae_status_t started = rae_spawn_start(0, 0, 0, "bin/startuptest", 0, argv, envp, handles,
					       roles, CHILD_HANDLES, &p);
	check(started == RAE_OK, "the child starts");
	int status = -1;
	if (started == RAE_OK) {
		check(rae_wait(p, &status) == RAE_OK && status == 0, "the child's checks hold");
		check(rae_notify_wait(done, 0) == 1, "the child signalled through its handle");
	}
	/* The handles left the parent. */
	check(rae_handle_close(handles[0]) == RAE_ERR_BAD_HANDLE, "sent handles are gone");
	check(rae_spawn_start(0, 0, 0, "bin/no-such-program", 0, argv, envp, NULL, NULL, 0, &p) ==
		  RAE_ERR_NOT_FOUND,
	      "a missing program is reported");
	if (!failures)
		rae_puts("startuptest: all checks passed\n");
	return failures;
}

int main(uint64_t arg)
{
	return arg ? child((rae_handle_t)arg) : parent();
}
