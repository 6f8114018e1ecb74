/* rae-vfsd against garbage: thousands of random requests (tags, words,
 * buffers, stray handles) through its admin handle, a connect handle and a
 * session. Every call must be answered (an error or a result, never a dead
 * server), and afterwards the server must still serve a fresh session
 * correctly. Started like the first process (it needs the initrd for vfsd).
 * Exits with the number of failed checks. */
#include <rae.h>
#include <rae_startup.h>
#include <rae_vfs.h>

#define GARBAGE_CALLS 3000

static int failures;

static void check(int ok, const char *what)
{
	if (!ok) {
		failures++;
		rae_puts("vfsgarbage: FAILED: ");
		rae_puts(what);
		rae_puts("\n");
	}
}

static uint64_t rng = 0x243f6a8885a308d3ull;

static uint64_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* A word that is often near a boundary the server checks. */
static uint64_t word(void)
{
	static const uint64_t edges[] = {0,
					 1,
					 2,
					 63,
					 64,
					 4095,
					 4096,
					 4097,
					 RAE_VFS_FILE_MAX,
					 RAE_VFS_AT_POSITION,
					 0x7fffffffffffffffull,
					 0x8000000000000000ull};
	uint64_t r = next();
	return r & 1 ? edges[(r >> 1) % (sizeof(edges) / sizeof(edges[0]))] : next() >> (r % 64);
}

static uint8_t buf[RAE_IPC_BUF_MAX], reply[RAE_IPC_BUF_MAX];

/* Fills len bytes with path-like junk: names, dots, slashes, NULs. */
static void junk(uint32_t len)
{
	static const char alphabet[] = "ab./..//\0xetcmotdbin\xff";
	for (uint32_t i = 0; i < len; i++)
		buf[i] = next() % 4 ? (uint8_t)alphabet[next() % (sizeof(alphabet) - 1)]
				    : (uint8_t)next();
}

int main(uint64_t arg)
{
	rae_handle_t root = 0, initrd = 0;
	uint64_t bytes = 0;
	check(rae_bootstrap_receive((rae_handle_t)arg, &root, &initrd, &bytes) == RAE_OK,
	      "the bootstrap call");
	rae_handle_close(root);
	rng ^= rae_rdtsc();
	/* vfsd runs on this CPU too: a call is then a switch, not a wake-up
	 * of another (slow under TCG with several CPUs). */
	int cpu = (int)rae_cpu();
	rae_set_affinity(1ull << cpu);
	int64_t ep = rae_sys_endpoint_create();
	rae_handle_t proc = RAE_HANDLE_INVALID;
	check(rae_vfs_start("bin/vfsd", (rae_handle_t)ep, initrd, bytes, "garbage", cpu, &proc) ==
		  RAE_OK,
	      "start bin/vfsd");
	rae_handle_t s = 0, connect = (rae_handle_t)rae_sys_handle_mint(
				(rae_handle_t)ep, RAE_RIGHT_WRITE | RAE_RIGHT_TRANSFER,
				RAE_VFS_BADGE_CONNECT);
	check(rae_vfs_session_open((rae_handle_t)ep, &s) == RAE_OK, "open a session");
	/* Something for it to chew on. */
	rae_vfs_mkdir(s, "a", 0755);
	int64_t fd = rae_vfs_open(s, "a/b", RAE_VFS_O_CREATE | RAE_VFS_O_WRITE, 0644);
	rae_vfs_write(s, fd, "data", 4);
	rae_vfs_symlink(s, "b", "a/l");

	int answered = 0;
	for (int i = 0; i < GARBAGE_CALLS; i++) {
		rae_handle_t via = i % 5 == 0 ? (rae_handle_t)ep : i % 5 == 1 ? connect : s;
		uint64_t tag = next() % 8 ? 1 + next() % (RAE_VFS_UNMOUNT + 1) : next();
		/* Closing or opening sessions at random would only end the test's own. */
		if (tag == RAE_VFS_CLOSE_SESSION || tag == RAE_VFS_OPEN_SESSION)
			tag = RAE_VFS_STAT;
		rae_msg_t q = {.tag = tag, .buf = (uint64_t)(uintptr_t)buf};
		for (int w = 0; w < 4; w++)
			q.words[w] = word();
		q.buf_len = (uint32_t)(next() % 5 ? next() % 64 : next() % (RAE_IPC_BUF_MAX + 1));
		junk(q.buf_len);
		if (next() % 16 == 0) {
			/* A stray handle, which the server must close, not keep. */
			rae_notify_create(&q.handles[0]);
			q.handle_count = 1;
		}
		rae_msg_t *out = &q;
		int64_t st = rae_ipc_call(via, out, RAE_VFS_CALL_TIMEOUT_NS);
		if (st == RAE_OK)
			answered++;
		else
			break;
		for (uint32_t h = 0; h < q.handle_count; h++)
			rae_handle_close(q.handles[h]);
	}
	check(answered == GARBAGE_CALLS, "every garbage request was answered");

	/* The server still works, for a fresh session too. */
	rae_handle_t s2 = 0;
	check(rae_vfs_session_open(connect, &s2) == RAE_OK, "a fresh session after the garbage");
	int64_t n = 0;
	int64_t f2 = rae_vfs_open(s2, "etc/motd", RAE_VFS_O_READ, 0);
	if (f2 >= 0)
		n = rae_vfs_read(s2, f2, reply, sizeof(reply));
	check(n > 19 && memcmp(reply, "Welcome to RaeenOS.", 19) == 0,
	      "it still reads /etc/motd correctly");
	check(rae_vfs_session_close(s2) == RAE_OK, "close it");
	check(rae_vfs_session_close(s) == RAE_OK, "the garbage session closes cleanly");
	rae_kill(proc);
	int status = 0;
	rae_wait(proc, &status);
	check(status == RAE_EXIT_KILLED, "vfsd was still running (killed, not crashed)");
	if (!failures) {
		rae_puts("vfsgarbage: ");
		rae_put_dec(answered);
		rae_puts(" garbage requests answered, server intact\n");
	}
	return failures;
}
