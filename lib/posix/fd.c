/* The file descriptor table. Each descriptor names an open object through
 * a table of operations (rae_fd_ops_t), so files (the VFS, file.c), pipes
 * and the console service (console.c) plug in as kinds. Descriptors 0, 1
 * and 2 start as the kernel debug console: output goes to DEBUG_WRITE,
 * input reads end of file; the start-up code (inherit.c) replaces them
 * with the console or what the parent passed. Descriptors made by dup share their
 * kind's context (its offset and status flags, as an open file description
 * on Linux); each has its own close-on-exec flag. Slots change under
 * fd_lock; readers take a slot's kind and context without it, so a close
 * racing an I/O call on the same descriptor is the program's bug, as on
 * Linux. */
#include <errno.h>
#include <fcntl.h>
#include <sys/ioctl.h>
#include <limits.h>
#include <sys/uio.h>
#include "inherit.h"
#include "posix.h"

#define FD_MAX RAE_POSIX_FD_MAX

typedef struct {
	const rae_fd_ops_t *ops; /* NULL: free */
	void *ctx;
	int cloexec;
} fd_entry_t;

static long debug_read(void *ctx, void *buf, size_t n)
{
	(void)ctx;
	(void)buf;
	(void)n;
	return 0; /* end of file: the debug console has no input */
}

static long debug_write(void *ctx, const void *buf, size_t n)
{
	(void)ctx;
	const char *p = buf;
	size_t done = 0;
	while (done < n) {
		size_t chunk = n - done > 4096 ? 4096 : n - done;
		int64_t r = rae_sys_debug_write((p + done), chunk);
		if (r < 0)
			return done ? (long)done : rae_posix_errno(r);
		done += (size_t)r;
	}
	return (long)done;
}

static long debug_ioctl(void *ctx, unsigned long req, void *arg)
{
	(void)ctx;
	(void)req;
	(void)arg;
	return -ENOTTY; /* not a terminal: the console service's is (console.c) */
}

static long debug_close(void *ctx)
{
	(void)ctx;
	return 0;
}

const rae_fd_ops_t rae_posix_debug_ops = {
    .read = debug_read,
    .write = debug_write,
    .ioctl = debug_ioctl,
    .close = debug_close,
};

static fd_entry_t fds[FD_MAX] = {
    [0] = {.ops = &rae_posix_debug_ops},
    [1] = {.ops = &rae_posix_debug_ops},
    [2] = {.ops = &rae_posix_debug_ops},
};
static volatile int fd_lock;

static const fd_entry_t *fd_get(int fd)
{
	if (fd < 0 || fd >= FD_MAX)
		return NULL;
	const fd_entry_t *e = &fds[fd];
	return __atomic_load_n(&e->ops, __ATOMIC_ACQUIRE) ? e : NULL;
}

int rae_fd_valid(int fd)
{
	return fd_get(fd) != NULL;
}

long rae_fd_read(int fd, void *buf, size_t n)
{
	const fd_entry_t *e = fd_get(fd);
	return e ? e->ops->read(e->ctx, buf, n) : -EBADF;
}

long rae_fd_write(int fd, const void *buf, size_t n)
{
	const fd_entry_t *e = fd_get(fd);
	return e ? e->ops->write(e->ctx, buf, n) : -EBADF;
}

/* readv and writev: one call per buffer, stopping at a short transfer. */
static long fd_vector(int fd, const struct iovec *iov, int count, int writing)
{
	const fd_entry_t *e = fd_get(fd);
	if (!e)
		return -EBADF;
	if (count < 0 || count > IOV_MAX)
		return -EINVAL;
	long total = 0;
	for (int i = 0; i < count; i++) {
		if (!iov[i].iov_len)
			continue;
		long r = writing ? e->ops->write(e->ctx, iov[i].iov_base, iov[i].iov_len)
				 : e->ops->read(e->ctx, iov[i].iov_base, iov[i].iov_len);
		if (r < 0)
			return total ? total : r;
		total += r;
		if ((size_t)r < iov[i].iov_len)
			break;
	}
	return total;
}

long rae_fd_readv(int fd, const void *iov, int count)
{
	return fd_vector(fd, iov, count, 0);
}

long rae_fd_writev(int fd, const void *iov, int count)
{
	return fd_vector(fd, iov, count, 1);
}

long rae_fd_ioctl(int fd, unsigned long req, void *arg)
{
	const fd_entry_t *e = fd_get(fd);
	return e ? e->ops->ioctl(e->ctx, req, arg) : -EBADF;
}

long rae_fd_lseek(int fd, long off, int whence)
{
	const fd_entry_t *e = fd_get(fd);
	if (!e)
		return -EBADF;
	return e->ops->lseek ? e->ops->lseek(e->ctx, off, whence) : -ESPIPE;
}

static void fd_lock_take(void)
{
	while (__atomic_exchange_n(&fd_lock, 1, __ATOMIC_ACQUIRE))
		rae_sys_yield();
}

static void fd_lock_drop(void)
{
	__atomic_store_n(&fd_lock, 0, __ATOMIC_RELEASE);
}

long rae_fd_close(int fd)
{
	if (fd < 0 || fd >= FD_MAX)
		return -EBADF;
	fd_lock_take();
	fd_entry_t e = fds[fd];
	__atomic_store_n(&fds[fd].ops, NULL, __ATOMIC_RELEASE);
	fds[fd].ctx = NULL;
	fds[fd].cloexec = 0;
	fd_lock_drop();
	return e.ops ? e.ops->close(e.ctx) : -EBADF;
}

/* The lowest free slot >= min, or -1 (under fd_lock). */
static int fd_free_slot(int min)
{
	for (int i = min < 0 ? 0 : min; i < FD_MAX; i++) {
		if (!fds[i].ops)
			return i;
	}
	return -1;
}

long rae_fd_install(const rae_fd_ops_t *ops, void *ctx, int min, int cloexec)
{
	fd_lock_take();
	int fd = fd_free_slot(min);
	if (fd >= 0) {
		fds[fd].ctx = ctx;
		fds[fd].cloexec = cloexec;
		__atomic_store_n(&fds[fd].ops, ops, __ATOMIC_RELEASE);
	}
	fd_lock_drop();
	return fd >= 0 ? fd : -EMFILE;
}

long rae_fd_install_at(int fd, const rae_fd_ops_t *ops, void *ctx)
{
	if (fd < 0 || fd >= FD_MAX)
		return -EBADF;
	fd_lock_take();
	fd_entry_t old = fds[fd];
	fds[fd].ctx = ctx;
	fds[fd].cloexec = 0;
	__atomic_store_n(&fds[fd].ops, ops, __ATOMIC_RELEASE);
	fd_lock_drop();
	if (old.ops)
		old.ops->close(old.ctx);
	return fd;
}

long rae_fd_peek(int fd, const rae_fd_ops_t **ops, void **ctx, int *cloexec)
{
	if (fd < 0 || fd >= FD_MAX)
		return -EBADF;
	fd_lock_take();
	*ops = fds[fd].ops;
	*ctx = fds[fd].ctx;
	*cloexec = fds[fd].cloexec;
	fd_lock_drop();
	return *ops ? 0 : -EBADF;
}

void *rae_fd_ctx(int fd, const rae_fd_ops_t *ops)
{
	const fd_entry_t *e = fd_get(fd);
	return e && e->ops == ops ? e->ctx : NULL;
}

/* A copy of fd's slot at the lowest free descriptor >= min. */
static long fd_dup_min(int fd, int min, int cloexec)
{
	if (min < 0 || min >= FD_MAX)
		return -EINVAL;
	fd_lock_take();
	long r = -EBADF;
	if (fd >= 0 && fd < FD_MAX && fds[fd].ops) {
		int to = fd_free_slot(min);
		r = -EMFILE;
		if (to >= 0) {
			if (fds[fd].ops->hold)
				fds[fd].ops->hold(fds[fd].ctx);
			fds[to].ctx = fds[fd].ctx;
			fds[to].cloexec = cloexec;
			__atomic_store_n(&fds[to].ops, fds[fd].ops, __ATOMIC_RELEASE);
			r = to;
		}
	}
	fd_lock_drop();
	return r;
}

long rae_fd_dup(int fd)
{
	return fd_dup_min(fd, 0, 0);
}

/* dup2 (allow_same) and dup3: newfd becomes a copy of fd, whatever it held
 * is closed. */
long rae_fd_dup3(int fd, int newfd, int flags, int allow_same)
{
	if (flags & ~O_CLOEXEC)
		return -EINVAL;
	if (newfd < 0 || newfd >= FD_MAX)
		return -EBADF;
	if (fd == newfd) {
		if (!allow_same)
			return -EINVAL;
		return fd_get(fd) ? newfd : -EBADF;
	}
	fd_lock_take();
	if (fd < 0 || fd >= FD_MAX || !fds[fd].ops) {
		fd_lock_drop();
		return -EBADF;
	}
	fd_entry_t old = fds[newfd];
	if (fds[fd].ops->hold)
		fds[fd].ops->hold(fds[fd].ctx);
	fds[newfd].ctx = fds[fd].ctx;
	fds[newfd].cloexec = (flags & O_CLOEXEC) != 0;
	__atomic_store_n(&fds[newfd].ops, fds[fd].ops, __ATOMIC_RELEASE);
	fd_lock_drop();
	if (old.ops)
		old.ops->close(old.ctx);
	return newfd;
}

long rae_fd_fcntl(int fd, int cmd, long arg)
{
	const fd_entry_t *e = fd_get(fd);
	if (!e)
		return -EBADF;
	switch (cmd) {
	case F_DUPFD: return fd_dup_min(fd, (int)arg, 0);
	case F_DUPFD_CLOEXEC: return fd_dup_min(fd, (int)arg, 1);
	case F_GETFD: return fds[fd].cloexec ? FD_CLOEXEC : 0;
	case F_SETFD: fds[fd].cloexec = (arg & FD_CLOEXEC) != 0; return 0;
	case F_GETFL: return e->ops->getfl ? e->ops->getfl(e->ctx) : O_RDWR;
	case F_SETFL:
		if (e->ops->setfl)
			return e->ops->setfl(e->ctx, (int)arg);
		/* Only O_APPEND could change anything, and it cannot change
		 * on an open VFS descriptor. */
		if (e->ops->getfl && ((e->ops->getfl(e->ctx) ^ (int)arg) & O_APPEND))
			return -EINVAL;
		return 0;
	default: return -EINVAL;
	}
}
