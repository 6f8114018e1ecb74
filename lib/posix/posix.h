/* The POSIX runtime's internal interface: musl's system calls (Linux
 * numbers and conventions) arrive at __rae_syscall and are served here
 * from RaeCore's native calls. Results follow Linux: a value, or a
 * negative errno. Built with -fno-stack-protector: parts of it run before
 * the thread pointer is set. */
#ifndef RAE_POSIX_H
#define RAE_POSIX_H

#include <stddef.h>
#include <stdint.h>
#include <rae/ipc.h>
#include <rae/status.h>
#include <rae/syscall.h>

/* A RaeCore call (lib/librae's convention; librae's rae.h declares main
 * with another type than the C library's, so the runtime has its own). */
static inline int64_t rae_posix_sys(uint64_t nr, uint64_t a, uint64_t b, uint64_t c)
{
	int64_t ret;
	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "a"(nr), "D"(a), "S"(b), "d"(c)
			 : "rcx", "r11", "memory");
	return ret;
}

/* The errno for a RaeCore status (for calls with no better mapping). */
long rae_posix_errno(int64_t status);

long __rae_syscall(long n, long a, long b, long c, long d, long e, long f);

/* File descriptors (fd.c). Each open descriptor is a kind (a table of
 * operations) and a context; descriptors made by dup share the context,
 * and the kind counts them through hold (a context is released by its
 * kind's close when its last descriptor closes). */
typedef struct rae_fd_ops {
	long (*read)(void *ctx, void *buf, size_t n);
	long (*write)(void *ctx, const void *buf, size_t n);
	long (*ioctl)(void *ctx, unsigned long req, void *arg);
	/* Drops one descriptor's reference. */
	long (*close)(void *ctx);
	/* NULL: the kind cannot seek (ESPIPE). */
	long (*lseek)(void *ctx, long off, int whence);
	/* Another descriptor now refers to ctx (dup); NULL: nothing to count. */
	void (*hold)(void *ctx);
	/* The status flags (F_GETFL); NULL: O_RDWR. */
	int (*getfl)(void *ctx);
} rae_fd_ops_t;

/* Puts (ops, ctx) in the lowest free descriptor >= min; returns it, or
 * -EMFILE (the caller keeps its reference then). */
long rae_fd_install(const rae_fd_ops_t *ops, void *ctx, int min, int cloexec);
/* The context of fd when it is of kind ops, else NULL. */
void *rae_fd_ctx(int fd, const rae_fd_ops_t *ops);
long rae_fd_dup(int fd);
long rae_fd_dup3(int fd, int newfd, int flags, int allow_same);
long rae_fd_fcntl(int fd, int cmd, long arg);
long rae_fd_read(int fd, void *buf, size_t n);
long rae_fd_write(int fd, const void *buf, size_t n);
long rae_fd_readv(int fd, const void *iov, int count);
long rae_fd_writev(int fd, const void *iov, int count);
long rae_fd_close(int fd);
long rae_fd_ioctl(int fd, unsigned long req, void *arg);
long rae_fd_lseek(int fd, long off, int whence);
/* Whether fd is open (for calls that only need to tell EBADF apart). */
int rae_fd_valid(int fd);

/* Files of rae-vfsd (file.c): rae_posix_file_init opens the session
 * through the start-up set's RAE_ROLE_VFS handle; rae_posix_file_call
 * serves the file calls (*handled 0 for any other number). */
void rae_posix_file_init(rae_handle_t vfs);
long rae_posix_file_call(long n, long a, long b, long c, long d, long e, int *handled);
long rae_posix_vfs_errno(int64_t status);

/* Memory (memory.c). */
long rae_posix_mmap(uintptr_t addr, size_t len, int prot, int flags, int fd, long off);
long rae_posix_munmap(uintptr_t addr, size_t len);
long rae_posix_mprotect(uintptr_t addr, size_t len, int prot);
long rae_posix_brk(uintptr_t want);

/* Threads (thread.c). */
long rae_posix_set_tid_address(int *ctid);
long rae_posix_gettid(void);
long rae_posix_exit_thread(int code);
long rae_posix_futex(uint32_t *addr, int op, uint32_t val, const void *timeout, uint32_t *addr2,
		     uint32_t val3);
long rae_posix_arch_prctl(int code, uintptr_t addr);
long rae_posix_sigprocmask(int how, const uint64_t *set, uint64_t *old, size_t size);

/* Time (time.c). */
long rae_posix_clock_gettime(int clock, void *ts);
long rae_posix_clock_getres(int clock, void *ts);
long rae_posix_nanosleep(const void *req, void *rem);
long rae_posix_clock_nanosleep(int clock, int flags, const void *req, void *rem);
/* Nanoseconds from a timespec; -EINVAL when it is malformed. */
int64_t rae_posix_timespec_ns(const void *ts);

#endif
