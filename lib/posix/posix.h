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

/* RaeCore's calls: librae's stubs from the system call table
 * (rae_syscalls.h), without rae.h, which declares main with another type
 * than the C library's. */
#include <rae_syscalls.h>

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
	/* F_SETFL with the new status flags; NULL: only what getfl reports
	 * may be asked for. */
	long (*setfl)(void *ctx, int flags);
	/* st_mode's file type for fstat (0: a character device). */
	unsigned type;
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
/* Puts (ops, ctx) at exactly fd, closing what was there (the start-up
 * code's); -EBADF for a number out of range. */
long rae_fd_install_at(int fd, const rae_fd_ops_t *ops, void *ctx);
/* fd's kind, context and close-on-exec flag; 0, or -EBADF when closed. */
long rae_fd_peek(int fd, const rae_fd_ops_t **ops, void **ctx, int *cloexec);
/* The kernel debug console (output to DEBUG_WRITE, input at end of file):
 * descriptors 0-2 of a program started without a console. */
extern const rae_fd_ops_t rae_posix_debug_ops;

/* The console (console.c): descriptors of rae-consoled when the start-up
 * set has a RAE_ROLE_CONSOLE handle. rae_posix_console_init connects
 * (taking the handle) and returns 0, or a negative errno; foreground says
 * whether to become the console's foreground client. */
extern const rae_fd_ops_t rae_posix_console_ops;
long rae_posix_console_init(rae_handle_t service, int foreground);
/* Whether this program has a console, and whether it is the foreground. */
int rae_posix_console_present(void);
int rae_posix_console_foreground(void);
/* A new badged handle to the console for a child, or a negative status. */
rae_status_t rae_posix_console_open(rae_handle_t *out);
/* Makes this program the foreground again (after a foreground child). */
void rae_posix_console_take_foreground(void);

/* Pipes (pipe.c). rae_posix_pipe_adopt makes a descriptor of one end
 * (a handle the program owns; writing: the write end) at exactly fd. */
extern const rae_fd_ops_t rae_posix_pipe_ops;
long rae_posix_pipe2(int *fds, int flags);
long rae_posix_pipe_adopt(int fd, rae_handle_t h, int writing);
/* The handle and end of a pipe descriptor's context. */
rae_handle_t rae_posix_pipe_handle(void *ctx, int *writing);

/* Processes (spawn.c, process.c). */
long rae_posix_wait4(int pid, int *status, int options, void *rusage);
long rae_posix_kill(int pid, int sig);
long rae_posix_getppid(void);
/* Records a child started by posix_spawn (process.c takes the handle). */
long rae_posix_child_add(rae_handle_t process, int foreground);
/* The signal disposition of sig as sigaction keeps it (syscall.c):
 * SIG_DFL (0), SIG_IGN (1) or a handler; *restart gets SA_RESTART. */
void *rae_posix_sig_handler(int sig, int *restart);

/* What the program inherited (inherit.c): reads the runtime's start-up
 * options (inherit.h), sets up the descriptors, the console, the file
 * system session and the working directory, and removes the options from
 * the start-up set's argv. Runs before the C library is initialized. */
void rae_posix_inherit(void *startup);
/* The parent's process id given at start (0: none). */
extern long rae_posix_parent_pid;
/* The VFS session (file.c), for spawn to open one for a child. */
rae_handle_t rae_posix_file_session(void);
/* Adopts a session handle as is (the child side of --rae-vfs=session). */
void rae_posix_file_adopt(rae_handle_t session, rae_handle_t connect);
/* The file system's endpoint this program opens sessions through (0: none). */
rae_handle_t rae_posix_file_connect(void);
/* Joins path to the working directory and cleans it: 0, or a negative
 * errno (ENAMETOOLONG, ENOENT for an empty path). out has
 * RAE_VFS_PATH_MAX + 1 bytes. base NULL: the working directory. */
long rae_posix_path_absolute(const char *base, const char *path, char *out);
/* Sets the working directory without asking the VFS (start-up). */
void rae_posix_cwd_set_unchecked(const char *path);
/* Closes the session (at exit). */
void rae_posix_file_fini(void);

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
