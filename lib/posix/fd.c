/* The file descriptor table. Each descriptor names an open object through
 * a table of operations, so files (the VFS), pipes and the console service
 * plug in later as other kinds. Today the only kind is the kernel debug
 * console, which descriptors 0, 1 and 2 hold from the start: output goes to
 * DEBUG_WRITE, input reads end of file (no input service exists yet).
 * Slots change under fd_lock; readers take a slot's kind and context
 * without it, so a close racing an I/O call on the same descriptor is the
 * program's bug, as on Linux. */
#include <errno.h>
#include <sys/ioctl.h>
#include <limits.h>
#include <sys/uio.h>
#include "posix.h"

#define FD_MAX 64

typedef struct {
	long (*read)(void *ctx, void *buf, size_t n);
	long (*write)(void *ctx, const void *buf, size_t n);
	long (*ioctl)(void *ctx, unsigned long req, void *arg);
	long (*close)(void *ctx);
} fd_ops_t;

typedef struct {
	const fd_ops_t *ops; /* NULL: free */
	void *ctx;
} fd_entry_t;

static long console_read(void *ctx, void *buf, size_t n)
{
	(void)ctx;
	(void)buf;
	(void)n;
	return 0; /* end of file: there is no input source yet */
}

static long console_write(void *ctx, const void *buf, size_t n)
{
	(void)ctx;
	const char *p = buf;
	size_t done = 0;
	while (done < n) {
		size_t chunk = n - done > 4096 ? 4096 : n - done;
		int64_t r =
		    rae_posix_sys(RAE_SYS_DEBUG_WRITE, (uint64_t)(uintptr_t)(p + done), chunk, 0);
		if (r < 0)
			return done ? (long)done : rae_posix_errno(r);
		done += (size_t)r;
	}
	return (long)done;
}

static long console_ioctl(void *ctx, unsigned long req, void *arg)
{
	(void)ctx;
	(void)req;
	(void)arg;
	return -ENOTTY; /* not a terminal until the console service exists */
}

static long console_close(void *ctx)
{
	(void)ctx;
	return 0;
}

static const fd_ops_t console_ops = {
    .read = console_read,
    .write = console_write,
    .ioctl = console_ioctl,
    .close = console_close,
};

static fd_entry_t fds[FD_MAX] = {
    [0] = {.ops = &console_ops},
    [1] = {.ops = &console_ops},
    [2] = {.ops = &console_ops},
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
	(void)off;
	(void)whence;
	/* No kind that can seek exists yet (files come with the VFS). */
	return fd_get(fd) ? -ESPIPE : -EBADF;
}

long rae_fd_close(int fd)
{
	if (fd < 0 || fd >= FD_MAX)
		return -EBADF;
	while (__atomic_exchange_n(&fd_lock, 1, __ATOMIC_ACQUIRE))
		rae_posix_sys(RAE_SYS_YIELD, 0, 0, 0);
	fd_entry_t e = fds[fd];
	__atomic_store_n(&fds[fd].ops, NULL, __ATOMIC_RELEASE);
	fds[fd].ctx = NULL;
	__atomic_store_n(&fd_lock, 0, __ATOMIC_RELEASE);
	return e.ops ? e.ops->close(e.ctx) : -EBADF;
}
