/* Files: the Linux file calls served by rae-vfsd (abi/rae/vfs.h) through
 * lib/librae's client. When the start-up set holds a RAE_ROLE_VFS handle
 * the runtime opens one session on it before main (crt.c); each open file
 * is then a descriptor kind of fd.c whose context holds the session's
 * descriptor, the access mode and the file's path. The runtime keeps the
 * working directory (the VFS resolves every path from its root): a
 * relative path, or one relative to a directory descriptor (the *at
 * calls), is joined to it before it goes out, and chdir keeps a lexically
 * cleaned absolute path ("a/b/.." is "a", even through a symbolic link).
 * Without a session every path call fails with ENOENT. */
#define _GNU_SOURCE
#include <dirent.h>
#include <stdbool.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <rae.h>
#include <rae_vfs.h>
#include "posix.h"

#define FILES_MAX 64
#define PATH_ROOM (RAE_VFS_PATH_MAX + 1)

typedef struct {
	int refs;             /* descriptors that refer to it; 0: free */
	int flags;            /* O_ACCMODE (O_PATH as 3), O_APPEND, O_DIRECTORY */
	int64_t vfd;          /* the session's descriptor */
	uint32_t gen;         /* the session it belongs to (session_gen then) */
	int64_t dir_off;      /* d_off of the next getdents64 record */
	char path[PATH_ROOM]; /* absolute and cleaned (for fchdir and *at) */
} vfs_file_t;

#define ACC_PATH 3 /* no access: O_PATH */

static rae_handle_t session;
/* The handle sessions are opened through (the start-up set's
 * RAE_ROLE_VFS), kept to open a new one when the service restarts: a
 * session handle then gets RAE_ERR_PEER_CLOSED. Descriptors of the old
 * session are gone with it (EBADF); paths work again at once. A child of a
 * C program gets its parent's endpoint along with its session
 * (RAE_POSIX_ROLE_VFS_CONNECT) for the same. */
static rae_handle_t connect_handle;
static volatile uint32_t session_gen;
static const rae_fd_ops_t file_ops;
static vfs_file_t files[FILES_MAX];
static char cwd[PATH_ROOM] = "/";
static int umask_bits = 022;
static volatile int file_lock;

static void path_clean(char *p);

static void lock_take(void)
{
	while (__atomic_exchange_n(&file_lock, 1, __ATOMIC_ACQUIRE))
		rae_sys_yield();
}

static void lock_drop(void)
{
	__atomic_store_n(&file_lock, 0, __ATOMIC_RELEASE);
}

void rae_posix_file_init(rae_handle_t vfs)
{
	rae_handle_t s;
	connect_handle = vfs;
	if (vfs != RAE_HANDLE_INVALID && rae_vfs_session_open(vfs, &s) == RAE_OK)
		session = s;
}

/* The session `old` was lost (the server restarted): opens a new one
 * through the connect handle, unless another thread did already. Whether
 * `session` is now another than `old`. */
static bool vfs_reconnect(rae_handle_t old)
{
	bool changed;
	lock_take();
	rae_handle_t s;
	if (session == old && connect_handle != RAE_HANDLE_INVALID &&
	    rae_vfs_session_open(connect_handle, &s) == RAE_OK) {
		session = s;
		session_gen++;
		rae_handle_close(old);
	}
	changed = session != old;
	lock_drop();
	return changed;
}

/* A path call (it uses `session`), made again once on a new session when
 * the old one was lost. */
#define VFS_PATH_CALL(call)                                                                        \
	({                                                                                         \
		rae_handle_t old_ = session;                                                       \
		int64_t r_ = (call);                                                               \
		if (r_ == RAE_ERR_PEER_CLOSED && vfs_reconnect(old_))                              \
			r_ = (call);                                                               \
		r_;                                                                                \
	})

/* The session handle for descriptor f: none (a call fails with EBADF) when
 * f belongs to a session lost since. */
static rae_handle_t fd_session(const vfs_file_t *f)
{
	return f->gen == session_gen ? session : RAE_HANDLE_INVALID;
}

/* The result of a call on a descriptor: a lost session is reconnected for
 * the calls after it, and this descriptor is gone (EBADF). */
static int64_t fd_result(int64_t r)
{
	if (r == RAE_ERR_PEER_CLOSED) {
		vfs_reconnect(session);
		return RAE_ERR_BAD_HANDLE;
	}
	return r;
}

void rae_posix_file_adopt(rae_handle_t s, rae_handle_t connect)
{
	session = s;
	connect_handle = connect;
}

rae_handle_t rae_posix_file_connect(void)
{
	return connect_handle;
}

rae_handle_t rae_posix_file_session(void)
{
	return session;
}

/* rae-vfsd keeps a session until it is closed (it does not see a client
 * end), so a program closes its own as it exits. */
void rae_posix_file_fini(void)
{
	rae_handle_t s = __atomic_exchange_n(&session, RAE_HANDLE_INVALID, __ATOMIC_ACQ_REL);
	if (s != RAE_HANDLE_INVALID)
		rae_vfs_session_close(s);
}

void rae_posix_cwd_set_unchecked(const char *path)
{
	size_t len = strlen(path);
	if (path[0] != '/' || len > RAE_VFS_PATH_MAX)
		return;
	lock_take();
	memcpy(cwd, path, len + 1);
	path_clean(cwd);
	lock_drop();
}

/* The one table from RaeenOS status codes to errno for file calls. */
long rae_posix_vfs_errno(int64_t status)
{
	switch (status) {
	case RAE_ERR_NOT_FOUND: return -ENOENT;
	case RAE_ERR_EXISTS: return -EEXIST;
	case RAE_ERR_NOT_DIR: return -ENOTDIR;
	case RAE_ERR_IS_DIR: return -EISDIR;
	case RAE_ERR_NOT_EMPTY: return -ENOTEMPTY;
	case RAE_ERR_LOOP: return -ELOOP;
	case RAE_ERR_CROSS_DEVICE: return -EXDEV;
	case RAE_ERR_ACCESS_DENIED: return -EACCES;
	case RAE_ERR_NO_MEMORY: return -ENOMEM;
	case RAE_ERR_LIMIT: return -EMFILE;
	case RAE_ERR_RANGE: return -ENAMETOOLONG; /* only paths and names are checked */
	case RAE_ERR_BUSY: return -EBUSY;
	case RAE_ERR_BAD_HANDLE: return -EBADF;
	case RAE_ERR_INVALID: return -EINVAL;
	case RAE_ERR_UNSUPPORTED: return -ENOSYS;
	case RAE_ERR_FAULT: return -EFAULT;
	default: return -EIO; /* the server is gone, timed out, or answered nonsense */
	}
}

static long vfs_result(int64_t r)
{
	return r < 0 ? rae_posix_vfs_errno(r) : (long)r;
}

/* Cleans an absolute path in place: no ".", "..", repeated or trailing
 * slashes. */
static void path_clean(char *p)
{
	char *out = p, *in = p;
	while (*in) {
		while (*in == '/')
			in++;
		const char *name = in;
		while (*in && *in != '/')
			in++;
		size_t len = (size_t)(in - name);
		if (!len || (len == 1 && name[0] == '.'))
			continue;
		if (len == 2 && name[0] == '.' && name[1] == '.') {
			while (out > p && *--out != '/')
				;
			continue;
		}
		*out++ = '/';
		memmove(out, name, len);
		out += len;
	}
	if (out == p)
		*out++ = '/';
	*out = 0;
}

/* The path the VFS gets for `path` relative to dirfd (AT_FDCWD: the
 * working directory). */
static long path_at(int dirfd, const char *path, char *out)
{
	if (!session)
		return -ENOENT;
	if (!path)
		return -EFAULT;
	if (!*path)
		return -ENOENT;
	size_t len = strlen(path);
	if (len > RAE_VFS_PATH_MAX)
		return -ENAMETOOLONG;
	if (path[0] == '/') {
		memcpy(out, path, len + 1);
		return 0;
	}
	const char *base = cwd;
	char snap[PATH_ROOM];
	if (dirfd == AT_FDCWD) {
		lock_take();
		memcpy(snap, cwd, sizeof(snap));
		lock_drop();
		base = snap;
	} else {
		vfs_file_t *f = rae_fd_ctx(dirfd, &file_ops);
		if (!f)
			return rae_fd_valid(dirfd) ? -ENOTDIR : -EBADF;
		base = f->path;
	}
	size_t blen = strlen(base);
	if (blen + 1 + len > RAE_VFS_PATH_MAX)
		return -ENAMETOOLONG;
	memcpy(out, base, blen);
	out[blen] = '/';
	memcpy(out + blen + 1, path, len + 1);
	return 0;
}

long rae_posix_path_absolute(const char *base, const char *path, char *out)
{
	if (!path)
		return -EFAULT;
	if (!*path)
		return -ENOENT;
	size_t len = strlen(path);
	if (len > RAE_VFS_PATH_MAX)
		return -ENAMETOOLONG;
	if (path[0] == '/') {
		memcpy(out, path, len + 1);
	} else {
		char snap[PATH_ROOM];
		if (!base) {
			lock_take();
			memcpy(snap, cwd, sizeof(snap));
			lock_drop();
			base = snap;
		}
		size_t blen = strlen(base);
		if (blen + 1 + len > RAE_VFS_PATH_MAX)
			return -ENAMETOOLONG;
		memmove(out + blen + 1, path, len + 1);
		memmove(out, base, blen);
		out[blen] = '/';
	}
	path_clean(out);
	return 0;
}

/* --- the descriptor kind ------------------------------------------------ */

static int acc_mode(const vfs_file_t *f)
{
	return f->flags & 3; /* musl's O_ACCMODE has O_PATH too */
}

static long file_read(void *ctx, void *buf, size_t n)
{
	vfs_file_t *f = ctx;
	if (acc_mode(f) == O_WRONLY || acc_mode(f) == ACC_PATH)
		return -EBADF;
	return vfs_result(fd_result(rae_vfs_read(fd_session(f), f->vfd, buf, n)));
}

static long file_write(void *ctx, const void *buf, size_t n)
{
	vfs_file_t *f = ctx;
	if (acc_mode(f) == O_RDONLY || acc_mode(f) == ACC_PATH)
		return -EBADF;
	return vfs_result(fd_result(rae_vfs_write(fd_session(f), f->vfd, buf, n)));
}

static long file_ioctl(void *ctx, unsigned long req, void *arg)
{
	(void)ctx;
	(void)req;
	(void)arg;
	return -ENOTTY;
}

static long file_close(void *ctx)
{
	vfs_file_t *f = ctx;
	int64_t vfd = f->vfd; /* the slot may be reused once refs is 0 */
	rae_handle_t s = fd_session(f);
	if (__atomic_sub_fetch(&f->refs, 1, __ATOMIC_ACQ_REL) > 0)
		return 0;
	if (s == RAE_HANDLE_INVALID)
		return 0; /* its session is gone, and the descriptor with it */
	int64_t r = fd_result(rae_vfs_close(s, vfd));
	return r < 0 ? rae_posix_vfs_errno(r) : 0;
}

static long file_lseek(void *ctx, long off, int whence)
{
	vfs_file_t *f = ctx;
	if (whence != SEEK_SET && whence != SEEK_CUR && whence != SEEK_END)
		return -EINVAL;
	if ((f->flags & O_DIRECTORY) && whence == SEEK_SET && off == 0)
		f->dir_off = 0; /* rewinddir: the VFS position goes back too */
	return vfs_result(fd_result(rae_vfs_seek(fd_session(f), f->vfd, off, (uint32_t)whence)));
}

static void file_hold(void *ctx)
{
	vfs_file_t *f = ctx;
	__atomic_add_fetch(&f->refs, 1, __ATOMIC_ACQ_REL);
}

static int file_getfl(void *ctx)
{
	vfs_file_t *f = ctx;
	return acc_mode(f) == ACC_PATH ? (O_PATH | (f->flags & ~3)) : f->flags;
}

static const rae_fd_ops_t file_ops = {
    .read = file_read,
    .write = file_write,
    .ioctl = file_ioctl,
    .close = file_close,
    .lseek = file_lseek,
    .hold = file_hold,
    .getfl = file_getfl,
};

static vfs_file_t *file_get(int fd)
{
	return rae_fd_ctx(fd, &file_ops);
}

/* A file's context for calls that need one: *err gets EBADF (not open) or
 * `other` (open but of another kind). */
static vfs_file_t *file_need(int fd, long other, long *err)
{
	vfs_file_t *f = file_get(fd);
	if (!f)
		*err = rae_fd_valid(fd) ? other : -EBADF;
	return f;
}

/* --- calls --------------------------------------------------------------- */

static long file_openat(int dirfd, const char *path, int flags, int mode)
{
	char p[PATH_ROOM];
	long r = path_at(dirfd, path, p);
	if (r < 0)
		return r;
	uint32_t vf = 0;
	int acc = flags & 3;
	if ((flags & O_PATH) == O_PATH)
		acc = ACC_PATH;
	else if (acc == O_RDONLY)
		vf = RAE_VFS_O_READ;
	else if (acc == O_WRONLY)
		vf = RAE_VFS_O_WRITE;
	else if (acc == O_RDWR)
		vf = RAE_VFS_O_READ | RAE_VFS_O_WRITE;
	else
		return -EINVAL;
	if (acc != ACC_PATH) {
		if (flags & O_CREAT)
			vf |= RAE_VFS_O_CREATE;
		if ((flags & O_EXCL) && (flags & O_CREAT))
			vf |= RAE_VFS_O_EXCL;
		if ((flags & O_TRUNC) && (vf & RAE_VFS_O_WRITE))
			vf |= RAE_VFS_O_TRUNCATE;
		if (flags & O_APPEND)
			vf |= RAE_VFS_O_APPEND;
	}
	if ((flags & O_DIRECTORY) == O_DIRECTORY)
		vf |= RAE_VFS_O_DIRECTORY;
	if ((flags & O_NOFOLLOW) == O_NOFOLLOW)
		vf |= RAE_VFS_O_NOFOLLOW;

	vfs_file_t *f = NULL;
	lock_take();
	for (int i = 0; i < FILES_MAX && !f; i++) {
		if (!files[i].refs) {
			f = &files[i];
			f->refs = 1;
		}
	}
	lock_drop();
	if (!f)
		return -ENFILE;
	int64_t vfd =
	    VFS_PATH_CALL(rae_vfs_open(session, p, vf, (uint32_t)(mode & ~umask_bits & 07777)));
	uint32_t gen = session_gen;
	if (vfd < 0) {
		__atomic_store_n(&f->refs, 0, __ATOMIC_RELEASE);
		return rae_posix_vfs_errno(vfd);
	}
	struct rae_stat st;
	int is_dir = rae_vfs_fstat(session, vfd, &st) == RAE_OK &&
		     (st.mode & RAE_VFS_S_IFMT) == RAE_VFS_S_IFDIR;
	f->vfd = vfd;
	f->gen = gen;
	f->dir_off = 0;
	f->flags = acc | (flags & O_APPEND) | (is_dir ? O_DIRECTORY : 0);
	memcpy(f->path, p, sizeof(f->path));
	path_clean(f->path);
	r = rae_fd_install(&file_ops, f, 0, (flags & O_CLOEXEC) != 0);
	if (r < 0) {
		rae_vfs_close(session, vfd);
		__atomic_store_n(&f->refs, 0, __ATOMIC_RELEASE);
	}
	return r;
}

static long file_pread(int fd, void *buf, size_t n, long off, int writing)
{
	long err = 0;
	vfs_file_t *f = file_need(fd, -ESPIPE, &err);
	if (!f)
		return err;
	if (off < 0)
		return -EINVAL;
	int acc = acc_mode(f);
	if (acc == ACC_PATH || acc == (writing ? O_RDONLY : O_WRONLY))
		return -EBADF;
	int64_t r =
	    fd_result(writing ? rae_vfs_pwrite(fd_session(f), f->vfd, buf, n, (uint64_t)off)
			      : rae_vfs_pread(fd_session(f), f->vfd, buf, n, (uint64_t)off));
	return vfs_result(r);
}

static void stat_fill(struct stat *out, const struct rae_stat *in)
{
	memset(out, 0, sizeof(*out));
	out->st_dev = in->dev;
	out->st_ino = in->ino;
	out->st_mode = in->mode;
	out->st_nlink = in->nlink;
	out->st_size = (off_t)in->size;
	out->st_blksize = 4096;
	out->st_blocks = (blkcnt_t)((in->size + 511) / 512);
	out->st_atim.tv_sec = out->st_mtim.tv_sec = out->st_ctim.tv_sec = in->mtime;
}

static long file_fstat(int fd, struct stat *out)
{
	long err = 0;
	vfs_file_t *f = file_need(fd, -ENOSYS, &err);
	if (!f) {
		if (err != -ENOSYS)
			return err;
		/* Another kind: the console is a character device, a pipe
		 * a FIFO. */
		const rae_fd_ops_t *ops;
		void *ctx;
		int cloexec;
		rae_fd_peek(fd, &ops, &ctx, &cloexec);
		memset(out, 0, sizeof(*out));
		out->st_mode = (ops && ops->type ? ops->type : S_IFCHR) | 0620;
		out->st_nlink = 1;
		out->st_blksize = 4096;
		return 0;
	}
	struct rae_stat st;
	int64_t r = fd_result(rae_vfs_fstat(fd_session(f), f->vfd, &st));
	if (r < 0)
		return rae_posix_vfs_errno(r);
	stat_fill(out, &st);
	return 0;
}

static long file_statat(int dirfd, const char *path, struct stat *out, int flags)
{
	if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH | AT_NO_AUTOMOUNT))
		return -EINVAL;
	if ((flags & AT_EMPTY_PATH) && path && !*path) {
		if (dirfd == AT_FDCWD)
			path = ".";
		else
			return file_fstat(dirfd, out);
	}
	char p[PATH_ROOM];
	long r = path_at(dirfd, path, p);
	if (r < 0)
		return r;
	struct rae_stat st = {0};
	int64_t s = (flags & AT_SYMLINK_NOFOLLOW) ? VFS_PATH_CALL(rae_vfs_lstat(session, p, &st))
						  : VFS_PATH_CALL(rae_vfs_stat(session, p, &st));
	if (s < 0)
		return rae_posix_vfs_errno(s);
	stat_fill(out, &st);
	return 0;
}

/* Linux's struct linux_dirent64. */
struct linux_dirent64 {
	uint64_t d_ino;
	int64_t d_off;
	unsigned short d_reclen;
	unsigned char d_type;
	char d_name[];
};

static long file_getdents64(int fd, void *buf, size_t cap)
{
	long err = 0;
	vfs_file_t *f = file_need(fd, -ENOTDIR, &err);
	if (!f)
		return err;
	if (!(f->flags & O_DIRECTORY))
		return -ENOTDIR;
	/* A Linux record is at most 8 bytes longer than the VFS's (at least
	 * 16), so asking for two thirds of the room always fits. */
	static _Alignas(8) uint8_t in[RAE_VFS_IO_MAX];
	static volatile int in_lock;
	size_t room = cap / 3 * 2;
	if (room > sizeof(in))
		room = sizeof(in);
	if (room < 24)
		return -EINVAL;
	while (__atomic_exchange_n(&in_lock, 1, __ATOMIC_ACQUIRE))
		rae_sys_yield();
	int64_t n = fd_result(rae_vfs_getdents(fd_session(f), f->vfd, in, room));
	long out = 0;
	if (n < 0)
		out = n == RAE_ERR_RANGE ? -EINVAL : rae_posix_vfs_errno(n);
	for (int64_t at = 0; n > 0 && at < n;) {
		const struct rae_dirent *d = (const struct rae_dirent *)(in + at);
		if (d->reclen < sizeof(*d) || d->reclen > n - at)
			break;
		size_t len = (offsetof(struct linux_dirent64, d_name) + d->namelen + 1 + 7) & ~7ul;
		if ((size_t)out + len > cap)
			break; /* cannot happen (see above) */
		struct linux_dirent64 *l = (struct linux_dirent64 *)((uint8_t *)buf + out);
		l->d_ino = d->ino;
		l->d_off = ++f->dir_off;
		l->d_reclen = (unsigned short)len;
		l->d_type = d->type == RAE_VFS_DT_REG   ? DT_REG
			    : d->type == RAE_VFS_DT_DIR ? DT_DIR
			    : d->type == RAE_VFS_DT_LNK ? DT_LNK
							: DT_UNKNOWN;
		memcpy(l->d_name, d->name, d->namelen);
		l->d_name[d->namelen] = 0;
		out += (long)len;
		at += d->reclen;
	}
	__atomic_store_n(&in_lock, 0, __ATOMIC_RELEASE);
	return out;
}

/* A call on one path that returns a status: mkdir, unlink, rmdir. */
static long file_path_op(int dirfd, const char *path, long op, int mode)
{
	char p[PATH_ROOM];
	long r = path_at(dirfd, path, p);
	if (r < 0)
		return r;
	int64_t s;
	if (op == SYS_mkdir)
		s = VFS_PATH_CALL(
		    rae_vfs_mkdir(session, p, (uint32_t)(mode & ~umask_bits & 07777)));
	else if (op == SYS_rmdir)
		s = VFS_PATH_CALL(rae_vfs_rmdir(session, p));
	else
		s = VFS_PATH_CALL(rae_vfs_unlink(session, p));
	return s < 0 ? rae_posix_vfs_errno(s) : 0;
}

static long file_unlinkat(int dirfd, const char *path, int flags)
{
	if (flags & ~AT_REMOVEDIR)
		return -EINVAL;
	return file_path_op(dirfd, path, flags & AT_REMOVEDIR ? SYS_rmdir : SYS_unlink, 0);
}

static long file_renameat(int olddir, const char *from, int newdir, const char *to, unsigned flags)
{
	if (flags)
		return -EINVAL;
	char a[PATH_ROOM], b[PATH_ROOM];
	long r = path_at(olddir, from, a);
	if (r >= 0)
		r = path_at(newdir, to, b);
	if (r < 0)
		return r;
	int64_t s = VFS_PATH_CALL(rae_vfs_rename(session, a, b));
	return s < 0 ? rae_posix_vfs_errno(s) : 0;
}

static long file_symlinkat(const char *target, int dirfd, const char *path)
{
	char p[PATH_ROOM];
	long r = path_at(dirfd, path, p);
	if (r < 0)
		return r;
	if (!target)
		return -EFAULT;
	if (!*target)
		return -ENOENT;
	int64_t s = VFS_PATH_CALL(rae_vfs_symlink(session, target, p));
	return s < 0 ? rae_posix_vfs_errno(s) : 0;
}

static long file_readlinkat(int dirfd, const char *path, char *buf, long size)
{
	if (size <= 0)
		return -EINVAL;
	char p[PATH_ROOM];
	long r = path_at(dirfd, path, p);
	if (r < 0)
		return r;
	int64_t s = VFS_PATH_CALL(rae_vfs_readlink(session, p, buf, (size_t)size));
	if (s < 0)
		return rae_posix_vfs_errno(s);
	return s < size ? (long)s : size;
}

static long file_ftruncate(int fd, long size)
{
	long err = 0;
	vfs_file_t *f = file_need(fd, -EINVAL, &err);
	if (!f)
		return err;
	if (size < 0 || acc_mode(f) == O_RDONLY || acc_mode(f) == ACC_PATH)
		return -EINVAL;
	int64_t s = fd_result(rae_vfs_truncate(fd_session(f), f->vfd, (uint64_t)size));
	return s < 0 ? rae_posix_vfs_errno(s) : 0;
}

static long file_truncate(const char *path, long size)
{
	if (size < 0)
		return -EINVAL;
	long fd = file_openat(AT_FDCWD, path, O_WRONLY, 0);
	if (fd < 0)
		return fd;
	long r = file_ftruncate((int)fd, size);
	rae_fd_close((int)fd);
	return r;
}

/* The working directory becomes the cleaned path p if it is a directory. */
static long cwd_set(char *p)
{
	struct rae_stat st = {0};
	int64_t s = VFS_PATH_CALL(rae_vfs_stat(session, p, &st));
	if (s < 0)
		return rae_posix_vfs_errno(s);
	if ((st.mode & RAE_VFS_S_IFMT) != RAE_VFS_S_IFDIR)
		return -ENOTDIR;
	path_clean(p);
	lock_take();
	memcpy(cwd, p, sizeof(cwd));
	lock_drop();
	return 0;
}

static long file_chdir(const char *path)
{
	char p[PATH_ROOM];
	long r = path_at(AT_FDCWD, path, p);
	return r < 0 ? r : cwd_set(p);
}

static long file_fchdir(int fd)
{
	long err = 0;
	vfs_file_t *f = file_need(fd, -ENOTDIR, &err);
	if (!f)
		return err;
	char p[PATH_ROOM];
	memcpy(p, f->path, sizeof(p));
	return cwd_set(p);
}

static long file_getcwd(char *buf, size_t size)
{
	lock_take();
	size_t len = strlen(cwd);
	long r = -ERANGE;
	if (len + 1 <= size) {
		memcpy(buf, cwd, len + 1);
		r = (long)len + 1;
	}
	lock_drop();
	return r;
}

static long file_faccessat(int dirfd, const char *path, int mode, int flags)
{
	if (mode & ~(R_OK | W_OK | X_OK))
		return -EINVAL;
	if (flags & ~(AT_EACCESS | AT_SYMLINK_NOFOLLOW))
		return -EINVAL;
	struct stat st;
	long r = file_statat(dirfd, path, &st, flags & AT_SYMLINK_NOFOLLOW);
	if (r < 0)
		return r;
	/* Programs run with every right (uid 0); execute needs an x bit. */
	if ((mode & X_OK) && !S_ISDIR(st.st_mode) && !(st.st_mode & 0111))
		return -EACCES;
	return 0;
}

long rae_posix_file_call(long n, long a, long b, long c, long d, long e, int *handled)
{
	*handled = 1;
	switch (n) {
	case SYS_open: return file_openat(AT_FDCWD, (const char *)a, (int)b, (int)c);
	case SYS_openat: return file_openat((int)a, (const char *)b, (int)c, (int)d);
	case SYS_creat:
		return file_openat(AT_FDCWD, (const char *)a, O_CREAT | O_WRONLY | O_TRUNC, (int)b);
	case SYS_pread64: return file_pread((int)a, (void *)b, (size_t)c, d, 0);
	case SYS_pwrite64: return file_pread((int)a, (void *)b, (size_t)c, d, 1);
	case SYS_fstat: return file_fstat((int)a, (struct stat *)b);
	case SYS_stat: return file_statat(AT_FDCWD, (const char *)a, (struct stat *)b, 0);
	case SYS_lstat:
		return file_statat(AT_FDCWD, (const char *)a, (struct stat *)b,
				   AT_SYMLINK_NOFOLLOW);
	case SYS_newfstatat: return file_statat((int)a, (const char *)b, (struct stat *)c, (int)d);
	case SYS_getdents64: return file_getdents64((int)a, (void *)b, (size_t)c);
	case SYS_mkdir: return file_path_op(AT_FDCWD, (const char *)a, SYS_mkdir, (int)b);
	case SYS_mkdirat: return file_path_op((int)a, (const char *)b, SYS_mkdir, (int)c);
	case SYS_unlink: return file_path_op(AT_FDCWD, (const char *)a, SYS_unlink, 0);
	case SYS_rmdir: return file_path_op(AT_FDCWD, (const char *)a, SYS_rmdir, 0);
	case SYS_unlinkat: return file_unlinkat((int)a, (const char *)b, (int)c);
	case SYS_rename:
		return file_renameat(AT_FDCWD, (const char *)a, AT_FDCWD, (const char *)b, 0);
	case SYS_renameat:
		return file_renameat((int)a, (const char *)b, (int)c, (const char *)d, 0);
	case SYS_renameat2:
		return file_renameat((int)a, (const char *)b, (int)c, (const char *)d, (unsigned)e);
	case SYS_symlink: return file_symlinkat((const char *)a, AT_FDCWD, (const char *)b);
	case SYS_symlinkat: return file_symlinkat((const char *)a, (int)b, (const char *)c);
	case SYS_readlink: return file_readlinkat(AT_FDCWD, (const char *)a, (char *)b, c);
	case SYS_readlinkat: return file_readlinkat((int)a, (const char *)b, (char *)c, d);
	case SYS_ftruncate: return file_ftruncate((int)a, b);
	case SYS_truncate: return file_truncate((const char *)a, b);
	case SYS_chdir: return file_chdir((const char *)a);
	case SYS_fchdir: return file_fchdir((int)a);
	case SYS_getcwd: return file_getcwd((char *)a, (size_t)b);
	case SYS_access: return file_faccessat(AT_FDCWD, (const char *)a, (int)b, 0);
	case SYS_faccessat: return file_faccessat((int)a, (const char *)b, (int)c, 0);
	case SYS_faccessat2: return file_faccessat((int)a, (const char *)b, (int)c, (int)d);
	case SYS_umask: {
		int old = umask_bits;
		umask_bits = (int)a & 0777;
		return old;
	}
	case SYS_fsync:
	case SYS_fdatasync: return rae_fd_valid((int)a) ? 0 : -EBADF;
	default: *handled = 0; return -ENOSYS;
	}
}
