/* Host tests for the code the contract generator writes
 * (tools/build/contract_gen.py, build/gen/contracts/): the server's decoder
 * refuses short, oversized, NUL-bearing, handle-less and unknown requests
 * with an error and takes good ones apart; the dispatcher closes every
 * handle nobody kept, answers pings and honours `admit`; the client stubs
 * refuse out-of-bound requests before sending and forged replies after. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include <rae/console_contract.h>
#include <rae/names_contract.h>
#include <rae/services.h>
#include <rae/vfs_contract.h>

/* The generated code closes handles through this; the test counts. */
static unsigned closed[64];
static unsigned closed_count;

rae_status_t rae_handle_close(rae_handle_t h);
rae_status_t rae_handle_close(rae_handle_t h)
{
	if (h < 64)
		closed[h]++;
	closed_count++;
	return RAE_OK;
}

static uint8_t buf[RAE_IPC_BUF_MAX + 16];

static rae_msg_t call(uint64_t tag, const void *data, uint32_t len)
{
	rae_msg_t m = {.tag = tag, .badge = 7};
	if (len)
		memcpy(buf, data, len);
	m.buf = (uint64_t)(uintptr_t)buf;
	m.buf_len = len;
	return m;
}

static int reset(void **state)
{
	(void)state;
	memset(closed, 0, sizeof(closed));
	closed_count = 0;
	return 0;
}

static void test_good_requests_decode(void **state)
{
	(void)state;
	vfs_request_t q;
	rae_msg_t m = call(RAE_VFS_OPEN, "etc/motd", 8);
	m.words[0] = RAE_VFS_O_READ;
	m.words[1] = 0644;
	assert_int_equal(vfs_decode(&m, &q), RAE_OK);
	assert_int_equal(q.number, RAE_VFS_OPEN);
	assert_int_equal(q.u.open.path_len, 8);
	assert_memory_equal(q.u.open.path, "etc/motd", 8);
	assert_int_equal(q.u.open.flags, RAE_VFS_O_READ);
	assert_int_equal(q.u.open.perm, 0644);

	/* Two strings: the first's length in w0, the second the rest. */
	m = call(RAE_VFS_RENAME, "a/bc/d", 6);
	m.words[0] = 3;
	assert_int_equal(vfs_decode(&m, &q), RAE_OK);
	assert_int_equal(q.u.rename.from_len, 3);
	assert_memory_equal(q.u.rename.from, "a/b", 3);
	assert_int_equal(q.u.rename.to_len, 3);
	assert_memory_equal(q.u.rename.to, "c/d", 3);

	/* WRITE's offset sits in w2, as declared with @w2. */
	m = call(RAE_VFS_WRITE, "\0\1\2", 3);
	m.words[0] = 5;
	m.words[2] = 99;
	assert_int_equal(vfs_decode(&m, &q), RAE_OK);
	assert_int_equal(q.u.write.fd, 5);
	assert_int_equal(q.u.write.offset, 99);
	assert_int_equal(q.u.write.data_len, 3);

	names_request_t n;
	m = call(RAE_SVC_LOOKUP, "vfs", 3);
	assert_int_equal(names_decode(&m, &n), RAE_OK);
	assert_int_equal(n.u.lookup.name_len, 3);

	console_request_t c;
	m = call(RAE_CONSOLE_ATTACH, NULL, 0);
	m.words[0] = 1;
	m.words[1] = 2;
	m.handle_count = 1;
	m.handles[0] = 9;
	assert_int_equal(console_decode(&m, &c), RAE_OK);
	assert_int_equal(c.u.attach.notify, 9);
	assert_int_equal(c.u.attach.input_bits, 1);
	assert_int_equal(c.u.attach.interrupt_bits, 2);
}

static void test_malformed_requests_are_refused(void **state)
{
	(void)state;
	vfs_request_t q;
	names_request_t n;
	console_request_t c;
	static char path[RAE_VFS_PATH_MAX + 1];
	memset(path, 'a', sizeof(path));

	/* Unknown numbers get the protocol's status. */
	rae_msg_t m = call(999, NULL, 0);
	assert_int_equal(vfs_decode(&m, &q), RAE_ERR_INVALID);
	assert_int_equal(console_decode(&m, &c), RAE_ERR_INVALID);
	assert_int_equal(names_decode(&m, &n), RAE_ERR_UNSUPPORTED);
	m = call(0, NULL, 0);
	assert_int_equal(vfs_decode(&m, &q), RAE_ERR_INVALID);

	/* A string over its bound; one at the bound is fine. */
	m = call(RAE_VFS_STAT, path, RAE_VFS_PATH_MAX + 1);
	assert_int_equal(vfs_decode(&m, &q), RAE_ERR_RANGE);
	m = call(RAE_VFS_STAT, path, RAE_VFS_PATH_MAX);
	assert_int_equal(vfs_decode(&m, &q), RAE_OK);
	m = call(RAE_SVC_LOOKUP, path, RAE_SVC_NAME_MAX);
	assert_int_equal(names_decode(&m, &n), RAE_ERR_RANGE);
	/* Under its lower bound. */
	m = call(RAE_SVC_LOOKUP, NULL, 0);
	assert_int_equal(names_decode(&m, &n), RAE_ERR_INVALID);

	/* A NUL inside a string. */
	m = call(RAE_VFS_STAT, "etc\0motd", 8);
	assert_int_equal(vfs_decode(&m, &q), RAE_ERR_INVALID);

	/* Short: the first string's length runs past the buffer. */
	m = call(RAE_VFS_RENAME, "abc", 3);
	m.words[0] = 4;
	assert_int_equal(vfs_decode(&m, &q), RAE_ERR_INVALID);
	m.words[0] = UINT64_MAX;
	assert_int_equal(vfs_decode(&m, &q), RAE_ERR_RANGE);

	/* A buffer where the request has none. */
	m = call(RAE_VFS_CLOSE, "x", 1);
	assert_int_equal(vfs_decode(&m, &q), RAE_ERR_INVALID);
	/* More bytes than a message holds. */
	m = call(RAE_VFS_WRITE, NULL, 0);
	m.buf_len = RAE_IPC_BUF_MAX + 1;
	assert_int_equal(vfs_decode(&m, &q), RAE_ERR_INVALID);

	/* An integer that does not fit its type. */
	m = call(RAE_VFS_OPEN, "a", 1);
	m.words[0] = 1ull << 32;
	assert_int_equal(vfs_decode(&m, &q), RAE_ERR_INVALID);

	/* A missing handle, and one too many. */
	m = call(RAE_VFS_MOUNT, "mnt", 3);
	assert_int_equal(vfs_decode(&m, &q), RAE_ERR_INVALID);
	m.handle_count = 1;
	m.handles[0] = 3;
	assert_int_equal(vfs_decode(&m, &q), RAE_OK);
	m.handle_count = 2;
	assert_int_equal(vfs_decode(&m, &q), RAE_ERR_INVALID);
	m = call(RAE_CONSOLE_ATTACH, NULL, 0);
	assert_int_equal(console_decode(&m, &c), RAE_ERR_INVALID);
	m.handle_count = RAE_IPC_HANDLES_MAX + 1;
	assert_int_equal(console_decode(&m, &c), RAE_ERR_INVALID);
}

/* --- the dispatcher -------------------------------------------------------- */

static int mount_calls, keep_handle;
static rae_handle_t mounted;

static int64_t on_mount(void *ctx, const rae_msg_t *c, vfs_mount_request_t *q,
			vfs_mount_reply_t *rep)
{
	(void)ctx;
	(void)c;
	(void)rep;
	mount_calls++;
	mounted = q->fs;
	if (keep_handle)
		q->fs = RAE_HANDLE_INVALID;
	return RAE_OK;
}

static struct rae_stat stat_out = {.ino = 42, .size = 7};

static int64_t on_stat(void *ctx, const rae_msg_t *c, vfs_stat_request_t *q, vfs_stat_reply_t *rep)
{
	(void)ctx;
	(void)c;
	(void)q;
	rep->stat = &stat_out;
	return RAE_OK;
}

static int64_t on_open_session(void *ctx, const rae_msg_t *c, vfs_open_session_request_t *q,
			       vfs_open_session_reply_t *rep)
{
	(void)c;
	(void)q;
	rep->session = 11;
	rep->session_id = 77;
	return ctx ? RAE_ERR_LIMIT : RAE_OK; /* ctx set: fails after making the handle */
}

static int64_t refuse_badge_7(void *ctx, const rae_msg_t *c, uint64_t number)
{
	(void)ctx;
	(void)number;
	return c->badge == 7 ? RAE_ERR_ACCESS_DENIED : 0;
}

static const vfs_handlers_t handlers = {
    .mount = on_mount, .stat = on_stat, .open_session = on_open_session};

static void test_dispatch_runs_handlers_and_fills_replies(void **state)
{
	(void)state;
	rae_msg_t m = call(RAE_VFS_STAT, "etc", 3), r;
	assert_int_equal(vfs_dispatch(&handlers, NULL, &m, &r), RAE_OK);
	assert_int_equal(r.tag, RAE_OK);
	assert_int_equal(r.buf_len, sizeof(struct rae_stat));
	assert_ptr_equal((void *)(uintptr_t)r.buf, &stat_out);

	m = call(RAE_VFS_OPEN_SESSION, NULL, 0);
	assert_int_equal(vfs_dispatch(&handlers, NULL, &m, &r), RAE_OK);
	assert_int_equal(r.handle_count, 1);
	assert_int_equal(r.handles[0], 11);
	assert_int_equal(r.words[0], 77);
	assert_int_equal(closed_count, 0);

	/* A handler that fails: its reply handle is closed, nothing is sent. */
	m = call(RAE_VFS_OPEN_SESSION, NULL, 0);
	assert_int_equal(vfs_dispatch(&handlers, (void *)1, &m, &r), RAE_ERR_LIMIT);
	assert_int_equal((int64_t)r.tag, RAE_ERR_LIMIT);
	assert_int_equal(r.handle_count, 0);
	assert_int_equal(closed[11], 1);

	/* No handler for a known request: the unknown status. */
	m = call(RAE_VFS_CLOSE, NULL, 0);
	assert_int_equal(vfs_dispatch(&handlers, NULL, &m, &r), RAE_ERR_INVALID);
}

static void test_dispatch_closes_handles_nobody_kept(void **state)
{
	(void)state;
	rae_msg_t m = call(RAE_VFS_MOUNT, "mnt", 3), r;
	m.handle_count = 1;
	m.handles[0] = 5;
	keep_handle = 0;
	assert_int_equal(vfs_dispatch(&handlers, NULL, &m, &r), RAE_OK);
	assert_int_equal(mounted, 5);
	assert_int_equal(closed[5], 1);

	keep_handle = 1;
	m = call(RAE_VFS_MOUNT, "mnt", 3);
	m.handle_count = 1;
	m.handles[0] = 6;
	assert_int_equal(vfs_dispatch(&handlers, NULL, &m, &r), RAE_OK);
	assert_int_equal(closed[6], 0);

	/* Stray handles of a refused request are closed, each once. */
	mount_calls = 0;
	m = call(RAE_VFS_STAT, "etc\0", 4);
	m.handle_count = 2;
	m.handles[0] = 12;
	m.handles[1] = 13;
	assert_int_equal(vfs_dispatch(&handlers, NULL, &m, &r), RAE_ERR_INVALID);
	assert_int_equal(closed[12], 1);
	assert_int_equal(closed[13], 1);
	assert_int_equal(r.buf_len, 0);
	m = call(RAE_VFS_MOUNT, "mnt", 3);
	m.handle_count = 2;
	m.handles[0] = 14;
	m.handles[1] = 15;
	assert_int_equal(vfs_dispatch(&handlers, NULL, &m, &r), RAE_ERR_INVALID);
	assert_int_equal(mount_calls, 0);
	assert_int_equal(closed[14] + closed[15], 2);
}

static void test_dispatch_ping_and_admit(void **state)
{
	(void)state;
	rae_msg_t m = call(RAE_SVC_PING, NULL, 0), r;
	m.words[0] = 1234;
	assert_int_equal(vfs_dispatch(&handlers, NULL, &m, &r), RAE_OK);
	assert_int_equal(r.words[0], 1234);

	vfs_handlers_t gated = handlers;
	gated.admit = refuse_badge_7;
	m = call(RAE_VFS_MOUNT, "mnt", 3);
	m.handle_count = 1;
	m.handles[0] = 20;
	mount_calls = 0;
	assert_int_equal(vfs_dispatch(&gated, NULL, &m, &r), RAE_ERR_ACCESS_DENIED);
	assert_int_equal(mount_calls, 0);
	assert_int_equal(closed[20], 1);
	m = call(RAE_VFS_STAT, "etc", 3);
	m.badge = 8;
	assert_int_equal(vfs_dispatch(&gated, NULL, &m, &r), RAE_OK);
}

/* --- the client stubs, against forged replies ------------------------------ */

/* What the fake server answers: the reply it copies over the call. */
static rae_msg_t forged;
static uint8_t forged_buf[RAE_IPC_BUF_MAX];
static rae_msg_t sent;
static int calls;

int64_t rae_ipc_call(rae_handle_t h, rae_msg_t *msg, uint64_t timeout_ns);
int64_t rae_ipc_call(rae_handle_t h, rae_msg_t *msg, uint64_t timeout_ns)
{
	(void)h;
	(void)timeout_ns;
	calls++;
	sent = *msg;
	/* As the kernel does, a buffer longer than the room is cut to it. */
	uint32_t len = forged.buf_len < msg->buf_cap ? forged.buf_len : msg->buf_cap;
	if (len)
		memcpy((void *)(uintptr_t)msg->buf, forged_buf, len);
	msg->tag = forged.tag;
	memcpy(msg->words, forged.words, sizeof(msg->words));
	msg->buf_len = len;
	msg->handle_count = forged.handle_count;
	memcpy(msg->handles, forged.handles, sizeof(msg->handles));
	return RAE_OK;
}

static void forge(int64_t tag, const void *data, uint32_t len, uint32_t handles)
{
	forged = (rae_msg_t){.tag = (uint64_t)tag, .buf_len = len, .handle_count = handles};
	for (uint32_t i = 0; i < handles; i++)
		forged.handles[i] = 30 + i;
	if (len)
		memcpy(forged_buf, data, len);
}

static void test_client_refuses_bad_requests_before_sending(void **state)
{
	(void)state;
	static char path[RAE_VFS_PATH_MAX + 1];
	calls = 0;
	vfs_stat_reply_t rep = {.stat = &stat_out};
	assert_int_equal(
	    vfs_stat_call(1, 0, &(vfs_stat_request_t){.path = path, .path_len = sizeof(path)},
			  &rep),
	    RAE_ERR_RANGE);
	names_lookup_reply_t lrep = {0};
	assert_int_equal(
	    names_lookup_call(1, 0, &(names_lookup_request_t){.name = "", .name_len = 0}, &lrep),
	    RAE_ERR_RANGE);
	assert_int_equal(calls, 0);

	/* A good one goes out packed where the contract says. */
	forge(0, NULL, 0, 0);
	vfs_rename_reply_t rrep = {0};
	assert_int_equal(
	    vfs_rename_call(
		1, 0, &(vfs_rename_request_t){.from = "ab", .from_len = 2, .to = "c", .to_len = 1},
		&rrep),
	    RAE_OK);
	assert_int_equal(sent.tag, RAE_VFS_RENAME);
	assert_int_equal(sent.words[0], 2);
	assert_int_equal(sent.buf_len, 3);
}

static void test_client_refuses_forged_replies(void **state)
{
	(void)state;
	struct rae_stat st;
	vfs_stat_reply_t rep = {.stat = &st};
	const vfs_stat_request_t q = {.path = "etc", .path_len = 3};

	/* A whole record: taken. */
	forge(0, &stat_out, sizeof(stat_out), 0);
	assert_int_equal(vfs_stat_call(1, 0, &q, &rep), RAE_OK);
	assert_int_equal(st.ino, 42);
	/* Short, or with a handle nobody asked for (which is closed). */
	forge(0, &stat_out, sizeof(stat_out) - 1, 0);
	assert_int_equal(vfs_stat_call(1, 0, &q, &rep), RAE_ERR_INVALID);
	forge(0, &stat_out, sizeof(stat_out), 1);
	assert_int_equal(vfs_stat_call(1, 0, &q, &rep), RAE_ERR_INVALID);
	assert_int_equal(closed[30], 1);
	/* An error result passes through, its handles closed. */
	forge(RAE_ERR_NOT_FOUND, NULL, 0, 2);
	assert_int_equal(vfs_stat_call(1, 0, &q, &rep), RAE_ERR_NOT_FOUND);
	assert_int_equal(closed[30] + closed[31], 3);

	/* A session without its handle. */
	vfs_open_session_reply_t srep = {0};
	forge(0, NULL, 0, 0);
	assert_int_equal(vfs_open_session_call(1, 0, &(vfs_open_session_request_t){0}, &srep),
			 RAE_ERR_INVALID);

	/* A count that does not match the bytes, or more than the caller's room. */
	rae_svc_info_t rows[2];
	static rae_svc_info_t three[3];
	names_list_reply_t lrep = {.services = rows, .services_cap = 2};
	forge(0, three, sizeof(rae_svc_info_t), 0);
	forged.words[0] = 2;
	assert_int_equal(names_list_call(1, 0, &(names_list_request_t){0}, &lrep), RAE_ERR_INVALID);
	forged.words[0] = 1;
	assert_int_equal(names_list_call(1, 0, &(names_list_request_t){0}, &lrep), RAE_OK);
	assert_int_equal(lrep.services_count, 1);
	/* Three records for room for two: cut to two, which the count belies. */
	forge(0, three, 3 * sizeof(rae_svc_info_t), 0);
	forged.words[0] = 3;
	assert_int_equal(names_list_call(1, 0, &(names_list_request_t){0}, &lrep), RAE_ERR_INVALID);
	/* A word that does not fit its type. */
	forge(0, NULL, 0, 0);
	forged.words[1] = 1ull << 33;
	lrep.services_cap = 2;
	assert_int_equal(names_list_call(1, 0, &(names_list_request_t){0}, &lrep), RAE_ERR_INVALID);

	/* The console's READ: the counted length must match the bytes. */
	char data[16];
	console_read_reply_t crep = {.data = data, .data_cap = sizeof(data)};
	forge(0, "hello", 5, 0);
	forged.words[0] = 4;
	assert_int_equal(console_read_call(1, 0, &(console_read_request_t){.max = 16}, &crep),
			 RAE_ERR_INVALID);
	forged.words[0] = 5;
	assert_int_equal(console_read_call(1, 0, &(console_read_request_t){.max = 16}, &crep),
			 RAE_OK);
	assert_int_equal(crep.data_len, 5);
	assert_memory_equal(data, "hello", 5);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(test_good_requests_decode, reset),
	    cmocka_unit_test_setup(test_malformed_requests_are_refused, reset),
	    cmocka_unit_test_setup(test_dispatch_runs_handlers_and_fills_replies, reset),
	    cmocka_unit_test_setup(test_dispatch_closes_handles_nobody_kept, reset),
	    cmocka_unit_test_setup(test_dispatch_ping_and_admit, reset),
	    cmocka_unit_test_setup(test_client_refuses_bad_requests_before_sending, reset),
	    cmocka_unit_test_setup(test_client_refuses_forged_replies, reset),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
