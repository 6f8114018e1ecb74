/* The file-system client (rae_vfs.h): each operation is one call of the
 * stubs generated from services/contracts/vfs.contract; reads and writes
 * longer than RAE_VFS_IO_MAX take several. */
#include <rae_startup.h>
#include <rae_vfs.h>

#define VFS_T RAE_VFS_CALL_TIMEOUT_NS

rae_status_t rae_vfs_session_open(rae_handle_t server, rae_handle_t *session)
{
	return rae_vfs_session_open_within(server, VFS_T, session);
}

rae_status_t rae_vfs_session_open_within(rae_handle_t server, uint64_t timeout_ns,
					 rae_handle_t *session)
{
	vfs_open_session_reply_t rep = {0};
	int64_t st =
	    vfs_open_session_call(server, timeout_ns, &(vfs_open_session_request_t){0}, &rep);
	if (st < 0)
		return (rae_status_t)st;
	*session = rep.session;
	return RAE_OK;
}

rae_status_t rae_vfs_session_close(rae_handle_t session)
{
	vfs_close_session_reply_t rep = {0};
	int64_t st =
	    vfs_close_session_call(session, VFS_T, &(vfs_close_session_request_t){0}, &rep);
	rae_handle_close(session);
	return (rae_status_t)st;
}

/* A path's length, or RAE_ERR_RANGE past what the protocol carries (the
 * stubs would refuse it too; uint32_t must not wrap first). */
static int64_t vfs_path_len(const char *path)
{
	size_t len = strnlen(path, RAE_VFS_PATH_MAX + 1);
	return len > RAE_VFS_PATH_MAX ? RAE_ERR_RANGE : (int64_t)len;
}

int64_t rae_vfs_open(rae_handle_t s, const char *path, uint32_t flags, uint32_t perm)
{
	int64_t len = vfs_path_len(path);
	if (len < 0)
		return len;
	vfs_open_reply_t rep = {0};
	return vfs_open_call(
	    s, VFS_T,
	    &(vfs_open_request_t){
		.path = path, .path_len = (uint32_t)len, .flags = flags, .perm = perm},
	    &rep);
}

rae_status_t rae_vfs_close(rae_handle_t s, int64_t fd)
{
	vfs_close_reply_t rep = {0};
	return (rae_status_t)vfs_close_call(s, VFS_T, &(vfs_close_request_t){.fd = (uint64_t)fd},
					    &rep);
}

/* Reads in RAE_VFS_IO_MAX pieces at `offset` (or the position). */
static int64_t vfs_read_loop(rae_handle_t s, int64_t fd, void *buf, size_t n, uint64_t offset)
{
	size_t done = 0;
	while (done < n) {
		size_t want = n - done > RAE_VFS_IO_MAX ? RAE_VFS_IO_MAX : n - done;
		uint64_t at = offset == RAE_VFS_AT_POSITION ? offset : offset + done;
		vfs_read_reply_t rep = {.data = (uint8_t *)buf + done, .data_cap = (uint32_t)want};
		int64_t r = vfs_read_call(
		    s, VFS_T,
		    &(vfs_read_request_t){.fd = (uint64_t)fd, .count = want, .offset = at}, &rep);
		if (r < 0)
			return done ? (int64_t)done : r;
		if (r == 0 || (size_t)r != rep.data_len)
			break;
		done += rep.data_len;
		if (rep.data_len < want)
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
		vfs_write_reply_t rep = {0};
		int64_t r =
		    vfs_write_call(s, VFS_T,
				   &(vfs_write_request_t){.fd = (uint64_t)fd,
							  .offset = at,
							  .data = (const uint8_t *)buf + done,
							  .data_len = (uint32_t)len},
				   &rep);
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
	vfs_seek_reply_t rep = {0};
	return vfs_seek_call(
	    s, VFS_T, &(vfs_seek_request_t){.fd = (uint64_t)fd, .offset = offset, .whence = whence},
	    &rep);
}

static rae_status_t vfs_stat_flags(rae_handle_t s, const char *path, uint64_t flags,
				   struct rae_stat *st)
{
	int64_t len = vfs_path_len(path);
	if (len < 0)
		return (rae_status_t)len;
	vfs_stat_reply_t rep = {.stat = st};
	int64_t r = vfs_stat_call(
	    s, VFS_T,
	    &(vfs_stat_request_t){.path = path, .path_len = (uint32_t)len, .flags = flags}, &rep);
	return r < 0 ? (rae_status_t)r : RAE_OK;
}

rae_status_t rae_vfs_stat(rae_handle_t s, const char *path, struct rae_stat *st)
{
	return vfs_stat_flags(s, path, 0, st);
}

rae_status_t rae_vfs_lstat(rae_handle_t s, const char *path, struct rae_stat *st)
{
	return vfs_stat_flags(s, path, RAE_VFS_STAT_NOFOLLOW, st);
}

rae_status_t rae_vfs_fstat(rae_handle_t s, int64_t fd, struct rae_stat *st)
{
	vfs_fstat_reply_t rep = {.stat = st};
	int64_t r = vfs_fstat_call(s, VFS_T, &(vfs_fstat_request_t){.fd = (uint64_t)fd}, &rep);
	return r < 0 ? (rae_status_t)r : RAE_OK;
}

int64_t rae_vfs_getdents(rae_handle_t s, int64_t fd, void *buf, size_t cap)
{
	size_t room = cap > RAE_VFS_IO_MAX ? RAE_VFS_IO_MAX : cap;
	vfs_getdents_reply_t rep = {.entries = buf, .entries_cap = (uint32_t)room};
	return vfs_getdents_call(s, VFS_T,
				 &(vfs_getdents_request_t){.fd = (uint64_t)fd, .room = room}, &rep);
}

rae_status_t rae_vfs_mkdir(rae_handle_t s, const char *path, uint32_t perm)
{
	int64_t len = vfs_path_len(path);
	if (len < 0)
		return (rae_status_t)len;
	vfs_mkdir_reply_t rep = {0};
	return (rae_status_t)vfs_mkdir_call(
	    s, VFS_T, &(vfs_mkdir_request_t){.path = path, .path_len = (uint32_t)len, .perm = perm},
	    &rep);
}

rae_status_t rae_vfs_unlink(rae_handle_t s, const char *path)
{
	int64_t len = vfs_path_len(path);
	if (len < 0)
		return (rae_status_t)len;
	vfs_unlink_reply_t rep = {0};
	return (rae_status_t)vfs_unlink_call(
	    s, VFS_T, &(vfs_unlink_request_t){.path = path, .path_len = (uint32_t)len}, &rep);
}

rae_status_t rae_vfs_rmdir(rae_handle_t s, const char *path)
{
	int64_t len = vfs_path_len(path);
	if (len < 0)
		return (rae_status_t)len;
	vfs_rmdir_reply_t rep = {0};
	return (rae_status_t)vfs_rmdir_call(
	    s, VFS_T, &(vfs_rmdir_request_t){.path = path, .path_len = (uint32_t)len}, &rep);
}

rae_status_t rae_vfs_rename(rae_handle_t s, const char *from, const char *to)
{
	int64_t la = vfs_path_len(from), lb = vfs_path_len(to);
	if (la < 0 || lb < 0)
		return RAE_ERR_RANGE;
	vfs_rename_reply_t rep = {0};
	return (rae_status_t)vfs_rename_call(
	    s, VFS_T,
	    &(vfs_rename_request_t){
		.from = from, .from_len = (uint32_t)la, .to = to, .to_len = (uint32_t)lb},
	    &rep);
}

rae_status_t rae_vfs_symlink(rae_handle_t s, const char *target, const char *path)
{
	int64_t la = vfs_path_len(target), lb = vfs_path_len(path);
	if (la < 0 || lb < 0)
		return RAE_ERR_RANGE;
	vfs_symlink_reply_t rep = {0};
	return (rae_status_t)vfs_symlink_call(s, VFS_T,
					      &(vfs_symlink_request_t){.target = target,
								       .target_len = (uint32_t)la,
								       .path = path,
								       .path_len = (uint32_t)lb},
					      &rep);
}

int64_t rae_vfs_readlink(rae_handle_t s, const char *path, char *buf, size_t cap)
{
	int64_t len = vfs_path_len(path);
	if (len < 0)
		return len;
	/* The whole target comes back; the caller gets what fits. */
	char target[RAE_VFS_PATH_MAX];
	vfs_readlink_reply_t rep = {.target = target, .target_cap = sizeof(target)};
	int64_t r = vfs_readlink_call(
	    s, VFS_T, &(vfs_readlink_request_t){.path = path, .path_len = (uint32_t)len}, &rep);
	if (r < 0)
		return r;
	memcpy(buf, target, rep.target_len < cap ? rep.target_len : cap);
	return r;
}

rae_status_t rae_vfs_truncate(rae_handle_t s, int64_t fd, uint64_t size)
{
	vfs_truncate_reply_t rep = {0};
	return (rae_status_t)vfs_truncate_call(
	    s, VFS_T, &(vfs_truncate_request_t){.fd = (uint64_t)fd, .size = size}, &rep);
}

rae_status_t rae_vfs_mount(rae_handle_t s, const char *path, rae_handle_t fs)
{
	int64_t len = vfs_path_len(path);
	if (len < 0)
		return (rae_status_t)len;
	vfs_mount_reply_t rep = {0};
	return (rae_status_t)vfs_mount_call(
	    s, VFS_T, &(vfs_mount_request_t){.path = path, .path_len = (uint32_t)len, .fs = fs},
	    &rep);
}

rae_status_t rae_vfs_unmount(rae_handle_t s, const char *path)
{
	int64_t len = vfs_path_len(path);
	if (len < 0)
		return (rae_status_t)len;
	vfs_unmount_reply_t rep = {0};
	return (rae_status_t)vfs_unmount_call(
	    s, VFS_T, &(vfs_unmount_request_t){.path = path, .path_len = (uint32_t)len}, &rep);
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
