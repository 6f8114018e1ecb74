/* Pipes: the descriptor kind over RaeCore's pipe ends (abi/rae/pipe.h,
 * RAE_SYS_PIPE_*). The kernel sees the last handle to an end close, so end
 * of file and EPIPE hold even when the program at the other end crashes.
 * Writing to a pipe nobody reads returns EPIPE without raising SIGPIPE:
 * RaeenOS delivers no signals (a program that ignores write errors keeps
 * running where Linux would have ended it). O_NONBLOCK is a zero timeout:
 * EAGAIN instead of waiting. */
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include "posix.h"

#define PIPES_MAX 64

typedef struct {
	int refs; /* descriptors that refer to it; 0: free */
	int writing;
	int nonblock;
	rae_handle_t h;
} pipe_end_t;

static pipe_end_t ends[PIPES_MAX];
static volatile int pipe_lock;

static pipe_end_t *end_alloc(rae_handle_t h, int writing, int nonblock)
{
	pipe_end_t *e = NULL;
	while (__atomic_exchange_n(&pipe_lock, 1, __ATOMIC_ACQUIRE))
		rae_sys_yield();
	for (int i = 0; i < PIPES_MAX && !e; i++) {
		if (!ends[i].refs) {
			e = &ends[i];
			e->refs = 1;
			e->writing = writing;
			e->nonblock = nonblock;
			e->h = h;
		}
	}
	__atomic_store_n(&pipe_lock, 0, __ATOMIC_RELEASE);
	return e;
}

static uint64_t end_timeout(const pipe_end_t *e)
{
	return __atomic_load_n(&e->nonblock, __ATOMIC_RELAXED) ? 0 : RAE_TIMEOUT_NEVER;
}

static long pipe_read(void *ctx, void *buf, size_t n)
{
	pipe_end_t *e = ctx;
	if (e->writing)
		return -EBADF;
	if (!n)
		return 0;
	int64_t r = rae_sys_pipe_read(e->h, buf, n, end_timeout(e));
	if (r == RAE_ERR_TIMED_OUT)
		return -EAGAIN;
	return r < 0 ? rae_posix_errno(r) : (long)r;
}

/* A blocking write moves every byte (as POSIX asks), one kernel call per
 * piece that fits; a non-blocking one what fits now. */
static long pipe_write(void *ctx, const void *buf, size_t n)
{
	pipe_end_t *e = ctx;
	if (!e->writing)
		return -EBADF;
	size_t done = 0;
	while (done < n) {
		int64_t r =
		    rae_sys_pipe_write(e->h, ((const char *)buf + done), n - done, end_timeout(e));
		if (r == RAE_ERR_TIMED_OUT)
			return done ? (long)done : -EAGAIN;
		if (r < 0)
			return done                       ? (long)done
			       : r == RAE_ERR_PEER_CLOSED ? -EPIPE
							  : rae_posix_errno(r);
		done += (size_t)r;
	}
	return (long)done;
}

static long pipe_ioctl(void *ctx, unsigned long req, void *arg)
{
	(void)ctx;
	(void)req;
	(void)arg;
	return -ENOTTY;
}

static long pipe_close(void *ctx)
{
	pipe_end_t *e = ctx;
	rae_handle_t h = e->h; /* the slot may be reused once refs is 0 */
	if (__atomic_sub_fetch(&e->refs, 1, __ATOMIC_ACQ_REL) > 0)
		return 0;
	rae_sys_handle_close(h);
	return 0;
}

static void pipe_hold(void *ctx)
{
	pipe_end_t *e = ctx;
	__atomic_add_fetch(&e->refs, 1, __ATOMIC_ACQ_REL);
}

static int pipe_getfl(void *ctx)
{
	pipe_end_t *e = ctx;
	return (e->writing ? O_WRONLY : O_RDONLY) |
	       (__atomic_load_n(&e->nonblock, __ATOMIC_RELAXED) ? O_NONBLOCK : 0);
}

static long pipe_setfl(void *ctx, int flags)
{
	pipe_end_t *e = ctx;
	__atomic_store_n(&e->nonblock, (flags & O_NONBLOCK) != 0, __ATOMIC_RELAXED);
	return 0;
}

const rae_fd_ops_t rae_posix_pipe_ops = {
    .read = pipe_read,
    .write = pipe_write,
    .ioctl = pipe_ioctl,
    .close = pipe_close,
    .hold = pipe_hold,
    .getfl = pipe_getfl,
    .setfl = pipe_setfl,
    .type = S_IFIFO,
};

rae_handle_t rae_posix_pipe_handle(void *ctx, int *writing)
{
	pipe_end_t *e = ctx;
	*writing = e->writing;
	return e->h;
}

long rae_posix_pipe2(int *fds, int flags)
{
	if (flags & ~(O_CLOEXEC | O_NONBLOCK))
		return -EINVAL;
	rae_handle_t h[2];
	int64_t st = rae_sys_pipe_create(h);
	if (st < 0)
		return st == RAE_ERR_LIMIT ? -ENFILE : rae_posix_errno(st);
	int nonblock = (flags & O_NONBLOCK) != 0, cloexec = (flags & O_CLOEXEC) != 0;
	pipe_end_t *r = end_alloc(h[0], 0, nonblock);
	pipe_end_t *w = end_alloc(h[1], 1, nonblock);
	if (!r || !w) {
		if (r)
			__atomic_store_n(&r->refs, 0, __ATOMIC_RELEASE);
		if (w)
			__atomic_store_n(&w->refs, 0, __ATOMIC_RELEASE);
		rae_sys_handle_close(h[0]);
		rae_sys_handle_close(h[1]);
		return -ENFILE;
	}
	long fr = rae_fd_install(&rae_posix_pipe_ops, r, 0, cloexec);
	if (fr < 0) {
		pipe_close(r);
		pipe_close(w);
		return fr;
	}
	long fw = rae_fd_install(&rae_posix_pipe_ops, w, 0, cloexec);
	if (fw < 0) {
		rae_fd_close((int)fr);
		pipe_close(w);
		return fw;
	}
	fds[0] = (int)fr;
	fds[1] = (int)fw;
	return 0;
}

long rae_posix_pipe_adopt(int fd, rae_handle_t h, int writing)
{
	pipe_end_t *e = end_alloc(h, writing, 0);
	if (!e) {
		rae_sys_handle_close(h);
		return -ENFILE;
	}
	return rae_fd_install_at(fd, &rae_posix_pipe_ops, e);
}
