/* The file-system client (rae_vfs.h): packs each operation of abi/rae/vfs.h
 * into one IPC call and unpacks the reply. */
#include <rae_startup.h>
#include <rae_vfs.h>

int64_t rae_vfs_call(rae_handle_t s, uint64_t tag, const uint64_t words[4], const void *out,
		     size_t out_len, void *in, size_t in_cap, size_t *reply_len)
{
	if (out_len > RAE_IPC_BUF_MAX)
		return RAE_ERR_RANGE;
	/* One buffer serves both ways: the request's bytes go out and the
	 * reply's come back into it, so a request with both needs a copy. */
	rae_msg_t m = {.tag = tag};
	if (words)
		memcpy(m.words, words, sizeof(m.words));
	if (out_len) {
		m.buf = (uint64_t)(uintptr_t)out;
		m.buf_len = (uint32_t)out_len;
	}
	if (in) {
		if (out_len && in != out)
			return RAE_ERR_INVALID;
		m.buf = (uint64_t)(uintptr_t)in;
		m.buf_cap = in_cap > RAE_IPC_BUF_MAX ? RAE_IPC_BUF_MAX : (uint32_t)in_cap;
	}
	int64_t st = rae_ipc_call(s, &m, RAE_VFS_CALL_TIMEOUT_NS);
	if (reply_len)
		*reply_len = st == RAE_OK ? m.buf_len : 0;
	if (st != RAE_OK)
		return st;
	for (uint32_t i = 0; i < m.handle_count; i++)
		rae_handle_close(m.handles[i]); /* no operation here expects one */
	return (int64_t)m.tag;
}

/* A call whose buffer is one path (and whose reply carries no buffer). */
static int64_t vfs_path_call(rae_handle_t s, uint64_t tag, const char *path, uint64_t w0,
			     uint64_t w1)
{
	const uint64_t w[4] = {w0, w1, 0, 0};
	return rae_vfs_call(s, tag, w, path, rae_strlen(path), NULL, 0, NULL);
}

rae_status_t rae_vfs_session_open(rae_handle_t server, rae_handle_t *session)
{
	return rae_vfs_session_open_within(server, RAE_VFS_CALL_TIMEOUT_NS, session);
}

rae_status_t rae_vfs_session_open_within(rae_handle_t server, uint64_t timeout_ns,
					 rae_handle_t *session)
{
	rae_msg_t m = {.tag = RAE_VFS_OPEN_SESSION};
	int64_t st = rae_ipc_call(server, &m, timeout_ns);
	if (st == RAE_OK && (int64_t)m.tag < 0)
		st = (int64_t)m.tag;
	if (st == RAE_OK && m.handle_count != 1)
		st = RAE_ERR_INVALID;
	if (st != RAE_OK) {
		for (uint32_t i = 0; i < m.handle_count; i++)
			rae_handle_close(m.handles[i]);
		return (rae_status_t)st;
	}
	*session = m.handles[0];
	return RAE_OK;
}

rae_status_t rae_vfs_session_close(rae_handle_t session)
{
	int64_t st = rae_vfs_call(session, RAE_VFS_CLOSE_SESSION, NULL, NULL, 0, NULL, 0, NULL);
	rae_handle_close(session);
	return (rae_status_t)st;
}

int64_t rae_vfs_open(rae_handle_t s, const char *path, uint32_t flags, uint32_t perm)
{
	return vfs_path_call(s, RAE_VFS_OPEN, path, flags, perm);
}

rae_status_t rae_vfs_close(rae_handle_t s, int64_t fd)
{
	const uint64_t w[4] = {(uint64_t)fd, 0, 0, 0};
	return (rae_status_t)rae_vfs_call(s, RAE_VFS_CLOSE, w, NULL, 0, NULL, 0, NULL);
}

/* Reads in RAE_VFS_IO_MAX pieces at `offset` (or the position). */
static int64_t vfs_read_loop(rae_handle_t s, int64_t fd, void *buf, size_t n, uint64_t offset)
{
	size_t done = 0;
	while (done < n) {
		size_t want = n - done > RAE_VFS_IO_MAX ? RAE_VFS_IO_MAX : n - done;
		uint64_t at = offset == RAE_VFS_AT_POSITION ? offset : offset + done;
		const uint64_t w[4] = {(uint64_t)fd, want, at, 0};
		size_t got = 0;
		int64_t r =
		    rae_vfs_call(s, RAE_VFS_READ, w, NULL, 0, (uint8_t *)buf + done, want, &got);
		if (r < 0)
			return done ? (int64_t)done : r;
		if (r == 0 || (size_t)r != got)
			break;
		done += got;
		if (got < want)
			break;
	}
	return (int64_t)done;
}

int64_t rae_vfs_read(rae_handle_t s, int64_t fd, void *buf, size_t n)
{
	return vfs_read_loop(s, fd, buf, n, RAE_VFS_AT_POSITION);
}

int64_t rae_vfs_pread(rae_handle_t s, int64_t fd, void *buf, size_t n, uint64_t offset)
{
	if (offset == RAE_VFS_AT_POSITION)
		return RAE_ERR_RANGE;
	return vfs_read_loop(s, fd, buf, n, offset);
}

static int64_t vfs_write_loop(rae_handle_t s, int64_t fd, const void *buf, size_t n,
			      uint64_t offset)
{
	size_t done = 0;
	while (done < n) {
		size_t len = n - done > RAE_VFS_IO_MAX ? RAE_VFS_IO_MAX : n - done;
		uint64_t at = offset == RAE_VFS_AT_POSITION ? offset : offset + done;
		const uint64_t w[4] = {(uint64_t)fd, 0, at, 0};
		int64_t r = rae_vfs_call(s, RAE_VFS_WRITE, w, (const uint8_t *)buf + done, len,
					 NULL, 0, NULL);
		if (r < 0)
			return done ? (int64_t)done : r;
		done += (size_t)r;
		if ((size_t)r < len)
			break;
	}
	return (int64_t)done;
}

int64_t rae_vfs_write(rae_handle_t s, int64_t fd, const void *buf, size_t n)
{
	return vfs_write_loop(s, fd, buf, n, RAE_VFS_AT_POSITION);
}

int64_t rae_vfs_pwrite(rae_handle_t s, int64_t fd, const void *buf, size_t n, uint64_t offset)
{
	if (offset == RAE_VFS_AT_POSITION)
		return RAE_ERR_RANGE;
	return vfs_write_loop(s, fd, buf, n, offset);
}

int64_t rae_vfs_seek(rae_handle_t s, int64_t fd, int64_t offset, uint32_t whence)
{
	const uint64_t w[4] = {(uint64_t)fd, (uint64_t)offset, whence, 0};
	return rae_vfs_call(s, RAE_VFS_SEEK, w, NULL, 0, NULL, 0, NULL);
}

/* A call whose reply buffer must be one whole struct rae_stat. */
static rae_status_t vfs_stat_call(rae_handle_t s, uint64_t tag, const uint64_t w[4],
				  const char *path, struct rae_stat *st)
{
	/* The path goes out and the stat comes back in the same buffer. */
	char buf[RAE_VFS_PATH_MAX];
	size_t len = path ? rae_strlen(path) : 0, got = 0;
	if (len > sizeof(buf))
		return RAE_ERR_RANGE;
	if (len)
		memcpy(buf, path, len);
	int64_t r = rae_vfs_call(s, tag, w, len ? buf : NULL, len, buf, sizeof(buf), &got);
	if (r < 0)
		return (rae_status_t)r;
	if (got != sizeof(*st))
		return RAE_ERR_INVALID;
	memcpy(st, buf, sizeof(*st));
	return RAE_OK;
}

rae_status_t rae_vfs_stat(rae_handle_t s, const char *path, struct rae_stat *st)
{
	const uint64_t w[4] = {0, 0, 0, 0};
	return vfs_stat_call(s, RAE_VFS_STAT, w, path, st);
}

rae_status_t rae_vfs_lstat(rae_handle_t s, const char *path, struct rae_stat *st)
{
	const uint64_t w[4] = {RAE_VFS_STAT_NOFOLLOW, 0, 0, 0};
	return vfs_stat_call(s, RAE_VFS_STAT, w, path, st);
}

rae_status_t rae_vfs_fstat(rae_handle_t s, int64_t fd, struct rae_stat *st)
{
	const uint64_t w[4] = {(uint64_t)fd, 0, 0, 0};
	return vfs_stat_call(s, RAE_VFS_FSTAT, w, NULL, st);
}

int64_t rae_vfs_getdents(rae_handle_t s, int64_t fd, void *buf, size_t cap)
{
	size_t room = cap > RAE_VFS_IO_MAX ? RAE_VFS_IO_MAX : cap;
	const uint64_t w[4] = {(uint64_t)fd, room, 0, 0};
	return rae_vfs_call(s, RAE_VFS_GETDENTS, w, NULL, 0, buf, room, NULL);
}

rae_status_t rae_vfs_mkdir(rae_handle_t s, const char *path, uint32_t perm)
{
	return (rae_status_t)vfs_path_call(s, RAE_VFS_MKDIR, path, perm, 0);
}

rae_status_t rae_vfs_unlink(rae_handle_t s, const char *path)
{
	return (rae_status_t)vfs_path_call(s, RAE_VFS_UNLINK, path, 0, 0);
}

rae_status_t rae_vfs_rmdir(rae_handle_t s, const char *path)
{
	return (rae_status_t)vfs_path_call(s, RAE_VFS_RMDIR, path, 0, 0);
}

/* A call whose buffer is two strings back to back, w0 the first's length. */
static rae_status_t vfs_two_path_call(rae_handle_t s, uint64_t tag, const char *a, const char *b)
{
	char buf[2 * RAE_VFS_PATH_MAX];
	size_t la = rae_strlen(a), lb = rae_strlen(b);
	if (la > RAE_VFS_PATH_MAX || lb > RAE_VFS_PATH_MAX)
		return RAE_ERR_RANGE;
	memcpy(buf, a, la);
	memcpy(buf + la, b, lb);
	const uint64_t w[4] = {la, 0, 0, 0};
	return (rae_status_t)rae_vfs_call(s, tag, w, buf, la + lb, NULL, 0, NULL);
}

rae_status_t rae_vfs_rename(rae_handle_t s, const char *from, const char *to)
{
	return vfs_two_path_call(s, RAE_VFS_RENAME, from, to);
}

rae_status_t rae_vfs_symlink(rae_handle_t s, const char *target, const char *path)
{
	return vfs_two_path_call(s, RAE_VFS_SYMLINK, target, path);
}

int64_t rae_vfs_readlink(rae_handle_t s, const char *path, char *buf, size_t cap)
{
	char tmp[RAE_VFS_PATH_MAX];
	size_t len = rae_strlen(path), got = 0;
	if (len > sizeof(tmp))
		return RAE_ERR_RANGE;
	memcpy(tmp, path, len);
	int64_t r = rae_vfs_call(s, RAE_VFS_READLINK, NULL, tmp, len, tmp, sizeof(tmp), &got);
	if (r < 0)
		return r;
	memcpy(buf, tmp, got < cap ? got : cap);
	return r;
}

rae_status_t rae_vfs_truncate(rae_handle_t s, int64_t fd, uint64_t size)
{
	const uint64_t w[4] = {(uint64_t)fd, size, 0, 0};
	return (rae_status_t)rae_vfs_call(s, RAE_VFS_TRUNCATE, w, NULL, 0, NULL, 0, NULL);
}

rae_status_t rae_vfs_mount(rae_handle_t s, const char *path, rae_handle_t fs)
{
	rae_msg_t m = {.tag = RAE_VFS_MOUNT, .handle_count = 1};
	m.buf = (uint64_t)(uintptr_t)path;
	m.buf_len = (uint32_t)rae_strlen(path);
	m.handles[0] = fs;
	if (m.buf_len > RAE_VFS_PATH_MAX)
		return RAE_ERR_RANGE;
	int64_t st = rae_ipc_call(s, &m, RAE_VFS_CALL_TIMEOUT_NS);
	return (rae_status_t)(st == RAE_OK ? (int64_t)m.tag : st);
}

rae_status_t rae_vfs_unmount(rae_handle_t s, const char *path)
{
	return (rae_status_t)vfs_path_call(s, RAE_VFS_UNMOUNT, path, 0, 0);
}

/* Formats v in decimal into buf (at least 21 bytes). */
static void vfs_format_dec(char *buf, uint64_t v)
{
	char tmp[21];
	int n = 0;
	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	for (int i = 0; i < n; i++)
		buf[i] = tmp[n - 1 - i];
	buf[n] = 0;
}

/* "--initrd-bytes=" and "--cpu=": vfsd's options, each followed by a number. */
#define VFS_ARG_INITRD_BYTES "--initrd-bytes="
#define VFS_ARG_CPU          "--cpu="
#define VFS_ARG_NAME         "--name="
#define VFS_NAME_MAX         32
#define literal_len(s)       (sizeof(s) - 1)

rae_status_t rae_vfs_start(const char *path, rae_handle_t service, rae_handle_t initrd,
			   uint64_t initrd_bytes, const char *name, int cpu, rae_handle_t *proc_out)
{
	/* Copies for vfsd: it receives and mints on the endpoint; it only maps
	 * the archive, read-only. */
	rae_handle_t svc = 0, ro = 0, ep = 0, child_ep = 0, proc;
	rae_status_t st = rae_handle_dup(
	    service, RAE_RIGHT_READ | RAE_RIGHT_WRITE | RAE_RIGHT_DUPLICATE | RAE_RIGHT_TRANSFER,
	    &svc);
	if (st == RAE_OK && initrd)
		st = rae_handle_dup(initrd, RAE_RIGHT_READ | RAE_RIGHT_MAP | RAE_RIGHT_TRANSFER,
				    &ro);
	if (st == RAE_OK)
		st = rae_endpoint_create(&ep);
	if (st == RAE_OK)
		st = rae_handle_dup(ep, RAE_RIGHT_READ | RAE_RIGHT_TRANSFER, &child_ep);
	if (st == RAE_OK)
		st = rae_spawn_with(path, child_ep, 0, &proc); /* child_ep moves to the child */
	if (st != RAE_OK) {
		const rae_handle_t made[4] = {svc, ro, ep, child_ep};
		for (int i = 0; i < 4; i++) {
			if (made[i])
				rae_handle_close(made[i]);
		}
		return st;
	}
	char bytes_arg[40] = VFS_ARG_INITRD_BYTES, cpu_arg[24] = VFS_ARG_CPU,
	     name_arg[48] = VFS_ARG_NAME;
	_Static_assert(sizeof(bytes_arg) >= literal_len(VFS_ARG_INITRD_BYTES) + 21,
		       "room for a number");
	_Static_assert(sizeof(cpu_arg) >= literal_len(VFS_ARG_CPU) + 11, "room for an int");
	_Static_assert(sizeof(name_arg) > literal_len(VFS_ARG_NAME) + VFS_NAME_MAX,
		       "room for a name");
	vfs_format_dec(bytes_arg + literal_len(VFS_ARG_INITRD_BYTES), initrd_bytes);
	vfs_format_dec(cpu_arg + literal_len(VFS_ARG_CPU), cpu >= 0 ? (uint64_t)cpu : 0);
	size_t n = name ? rae_strlen(name) : 0;
	n = n > VFS_NAME_MAX ? VFS_NAME_MAX : n;
	memcpy(name_arg + literal_len(VFS_ARG_NAME), name ? name : "", n);
	name_arg[literal_len(VFS_ARG_NAME) + n] = 0;
	const char *argv[5] = {path, bytes_arg};
	uint32_t argc = 2;
	if (name)
		argv[argc++] = name_arg;
	if (cpu >= 0)
		argv[argc++] = cpu_arg;
	argv[argc] = NULL;
	rae_handle_t handles[2] = {svc, ro};
	const uint16_t roles[2] = {RAE_ROLE_VFS, RAE_ROLE_INITRD};
	st = rae_startup_send(ep, argv, NULL, handles, roles, ro ? 2 : 1, RAE_VFS_CALL_TIMEOUT_NS);
	rae_handle_close(ep);
	if (st != RAE_OK) {
		rae_kill(proc);
		rae_wait(proc, NULL);
		rae_handle_close(proc);
		return st;
	}
	*proc_out = proc;
	return RAE_OK;
}
