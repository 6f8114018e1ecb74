/* posix_spawn and posix_spawnp for RaeenOS, in place of musl's (which
 * clones and execs: RaeCore has neither). libposix.a comes before libc.a
 * in raeen-cc's link, so these definitions are the ones a program gets,
 * musl's system() and popen() included.
 *
 * The program file is read through the VFS into a memory object, which
 * RAE_SYS_SPAWN_IMAGE starts (the kernel checks the ELF: a file that is
 * no program is ENOEXEC). The child's start-up set (inherit.h) carries
 * argv and envp, its own console badge, a VFS session opened for it, the
 * job and the services endpoint when this program may pass them on, and
 * its descriptor table: the file actions run, in order, over a copy of
 * this program's table here; console and pipe descriptors travel as
 * handles, addopen entries as paths the child opens before main. Files
 * this program opened itself are not inherited (a VFS descriptor belongs
 * to one session; sharing one is future work in rae-vfsd).
 *
 * Attributes: POSIX_SPAWN_SETPGROUP and POSIX_SPAWN_SETSID start the child
 * in the background (it is not the console's foreground client, Ctrl-C
 * does not reach it); signal masks, defaults and scheduling attributes
 * are accepted and have no effect (nothing is delivered asynchronously). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <rae.h>
#include <rae_startup.h>
#include <rae_vfs.h>
#include <rae/process.h>
#include "inherit.h"
#include "posix.h"

/* musl's file action record (src/process/fdop.h in musl 1.2.3): the list
 * starts at the newest action, so the oldest is at its end. */
#define FDOP_CLOSE  1
#define FDOP_DUP2   2
#define FDOP_OPEN   3
#define FDOP_CHDIR  4
#define FDOP_FCHDIR 5
struct fdop {
	struct fdop *next, *prev;
	int cmd, fd, srcfd, oflag;
	mode_t mode;
	char path[];
};

#define PATH_ROOM     (RAE_VFS_PATH_MAX + 1)
#define IMAGE_MAX     (16u << 20) /* MEM_CREATE's limit */
#define OPTIONS_ROOM  2048
#define SPAWN_HANDLES (RAE_STARTUP_HANDLES_MAX)

rae_startup_t *rae_posix_startup(void);

/* One descriptor of the child as the file actions leave it. */
typedef struct {
	char kind; /* 0 closed, 'c' console, 'd' debug console, 'r'/'w' pipe, 'o' opened */
	int open;  /* 'o': index into the opens */
	rae_handle_t pipe;
} sim_fd_t;

typedef struct {
	sim_fd_t fd[RAE_POSIX_FD_MAX];
	int opens;
	char cwd[PATH_ROOM];
	char opts[OPTIONS_ROOM];
	size_t used;
	const char *opt[RAE_POSIX_OPENS_MAX + 8];
	int nopt;
} spawn_plan_t;

static pthread_mutex_t spawn_lock = PTHREAD_MUTEX_INITIALIZER;
static spawn_plan_t plan; /* under spawn_lock (large for a thread's stack) */

/* Reads the program at path into a new memory object. */
static int image_load(const char *path, rae_handle_t *image, uint64_t *size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno;
	struct stat st;
	int err = 0;
	unsigned char magic[4];
	if (fstat(fd, &st) != 0)
		err = errno;
	else if (S_ISDIR(st.st_mode))
		err = EACCES;
	else if (st.st_size > IMAGE_MAX)
		err = ENOMEM;
	else if (st.st_size < 64 || pread(fd, magic, 4, 0) != 4 || memcmp(magic, "\177ELF", 4))
		err = ENOEXEC;
	rae_handle_t h = 0;
	if (!err && rae_mem_create(((uint64_t)st.st_size + 4095) & ~4095ull, 0, &h) != RAE_OK)
		err = ENOMEM;
	if (!err) {
		int64_t va = rae_mem_map(h, RAE_PROT_READ | RAE_PROT_WRITE);
		if (va < 0) {
			err = ENOMEM;
		} else {
			size_t done = 0;
			while (!err && done < (size_t)st.st_size) {
				ssize_t n = pread(fd, (char *)va + done, (size_t)st.st_size - done,
						  (off_t)done);
				if (n <= 0)
					err = n < 0 ? errno : EIO;
				done += n > 0 ? (size_t)n : 0;
			}
			rae_mem_unmap((uint64_t)va);
		}
		if (err)
			rae_handle_close(h);
	}
	close(fd);
	if (!err) {
		*image = h;
		*size = (uint64_t)st.st_size;
	}
	return err;
}

static int opt_add(spawn_plan_t *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int opt_add(spawn_plan_t *p, const char *fmt, ...)
{
	if (p->nopt >= (int)(sizeof(p->opt) / sizeof(p->opt[0])))
		return E2BIG;
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(p->opts + p->used, sizeof(p->opts) - p->used, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(p->opts) - p->used)
		return E2BIG;
	p->opt[p->nopt++] = p->opts + p->used;
	p->used += (size_t)n + 1;
	return 0;
}

/* This program's descriptors as the child would inherit them. */
static void plan_start(spawn_plan_t *p)
{
	memset(p->fd, 0, sizeof(p->fd));
	p->opens = 0;
	p->used = 0;
	p->nopt = 0;
	for (int i = 0; i < RAE_POSIX_FD_MAX; i++) {
		const rae_fd_ops_t *ops;
		void *ctx;
		int cloexec;
		if (rae_fd_peek(i, &ops, &ctx, &cloexec) != 0 || cloexec)
			continue;
		if (ops == &rae_posix_console_ops) {
			p->fd[i].kind = 'c';
		} else if (ops == &rae_posix_debug_ops) {
			p->fd[i].kind = 'd';
		} else if (ops == &rae_posix_pipe_ops) {
			int writing;
			p->fd[i].pipe = rae_posix_pipe_handle(ctx, &writing);
			p->fd[i].kind = writing ? 'w' : 'r';
		}
	}
	if (rae_posix_path_absolute(NULL, ".", p->cwd) != 0)
		strcpy(p->cwd, "/");
}

/* Runs the file actions, oldest first, over the plan. */
static int plan_actions(spawn_plan_t *p, const posix_spawn_file_actions_t *fa)
{
	if (!fa || !fa->__actions)
		return 0;
	struct fdop *op = fa->__actions;
	while (op->next)
		op = op->next;
	for (; op; op = op->prev) {
		int numbered =
		    op->cmd == FDOP_CLOSE || op->cmd == FDOP_DUP2 || op->cmd == FDOP_OPEN;
		if (numbered && (op->fd < 0 || op->fd >= RAE_POSIX_FD_MAX))
			return EBADF;
		switch (op->cmd) {
		case FDOP_CLOSE: p->fd[op->fd].kind = 0; break;
		case FDOP_DUP2:
			if (op->srcfd < 0 || op->srcfd >= RAE_POSIX_FD_MAX ||
			    !p->fd[op->srcfd].kind)
				return EBADF;
			p->fd[op->fd] = p->fd[op->srcfd];
			break;
		case FDOP_OPEN: {
			char abs[PATH_ROOM];
			long r = rae_posix_path_absolute(p->cwd, op->path, abs);
			if (r < 0)
				return (int)-r;
			if (p->opens >= RAE_POSIX_OPENS_MAX)
				return E2BIG;
			int e = opt_add(p, "--rae-open=%x:%x:%s", (unsigned)op->oflag,
					(unsigned)op->mode, abs);
			if (e)
				return e;
			p->fd[op->fd] = (sim_fd_t){.kind = 'o', .open = p->opens++};
			break;
		}
		case FDOP_CHDIR: {
			char abs[PATH_ROOM];
			long r = rae_posix_path_absolute(p->cwd, op->path, abs);
			if (r < 0)
				return (int)-r;
			strcpy(p->cwd, abs);
			break;
		}
		case FDOP_FCHDIR: return ENOSYS; /* the child's descriptors are not ours to name */
		default: return EINVAL;
		}
	}
	return 0;
}

/* Another handle to h with every right of `want` that h has (0 when h
 * cannot be duplicated). No call reports a handle's rights, so each is
 * found by asking for it alone (DUP refuses rights h lacks). */
static rae_handle_t handle_copy(rae_handle_t h, uint32_t want)
{
	if (!h)
		return 0;
	uint32_t have = 0;
	rae_handle_t r;
	for (uint32_t bit = 1; bit & RAE_RIGHTS_ALL; bit <<= 1) {
		if ((want & bit) && rae_handle_dup(h, bit, &r) == RAE_OK) {
			have |= bit;
			rae_handle_close(r);
		}
	}
	return have && rae_handle_dup(h, have, &r) == RAE_OK ? r : 0;
}

static int status_errno(int64_t st)
{
	switch (st) {
	case RAE_ERR_INVALID:
	case RAE_ERR_TRUNCATED:
	case RAE_ERR_UNSUPPORTED:
	case RAE_ERR_RANGE: return ENOEXEC; /* the kernel's loader refused it */
	case RAE_ERR_LIMIT: return EAGAIN;
	case RAE_ERR_NO_MEMORY: return ENOMEM;
	default: return (int)-rae_posix_errno(st);
	}
}

/* Starts the image with the plan; *sent says whether the handles left
 * (else they are still the caller's). Returns RAE_OK with the process
 * handle in *proc, or an error. */
static rae_status_t spawn_start(rae_handle_t image, uint64_t size, const char *name,
				rae_handle_t job, const char *const *argv, const char *const *envp,
				rae_handle_t *handles, const uint16_t *roles, unsigned n, int *sent,
				rae_handle_t *proc)
{
	rae_handle_t ep, child_end, p;
	rae_status_t st = rae_endpoint_create(&ep);
	if (st != RAE_OK)
		return st;
	st = rae_handle_dup(ep, RAE_RIGHT_READ | RAE_RIGHT_TRANSFER, &child_end);
	if (st != RAE_OK) {
		rae_handle_close(ep);
		return st;
	}
	st = rae_spawn_image(image, 0, size, name, child_end, job, &p);
	if (st != RAE_OK) {
		rae_handle_close(ep);
		return st;
	}
	/* From here the handles leave (sent, or closed by the kernel with a
	 * message nobody took). */
	*sent = 1;
	st = rae_startup_send(ep, argv, envp, handles, roles, n, RAE_STARTUP_TIMEOUT_NS);
	rae_handle_close(ep);
	if (st != RAE_OK) {
		rae_kill(p);
		rae_handle_close(p);
		return st;
	}
	*proc = p;
	return RAE_OK;
}

/* Whether argv, the options and envp pass what one start-up message
 * carries (RAE_IPC_BUF_MAX bytes, RAE_STARTUP_STRINGS_MAX strings). */
static int strings_too_big(char *const argv[], int argc, const spawn_plan_t *p, char *const envp[])
{
	size_t bytes = 8, count = (size_t)argc + (size_t)p->nopt;
	for (int i = 0; i < argc; i++)
		bytes += strlen(argv[i]) + 1;
	for (int i = 0; i < p->nopt; i++)
		bytes += strlen(p->opt[i]) + 1;
	for (; *envp; envp++, count++)
		bytes += strlen(*envp) + 1;
	return bytes > RAE_IPC_BUF_MAX || count > RAE_STARTUP_STRINGS_MAX;
}

static int spawn_path(pid_t *res, const char *path, const posix_spawn_file_actions_t *fa,
		      const posix_spawnattr_t *attr, char *const argv[], char *const envp[])
{
	static char *const empty[] = {NULL};
	if (!path || !*path)
		return ENOENT;
	if (!envp)
		envp = empty;
	rae_handle_t image = 0;
	uint64_t size = 0;
	int err = image_load(path, &image, &size);
	if (err)
		return err;

	pthread_mutex_lock(&spawn_lock);
	spawn_plan_t *p = &plan;
	plan_start(p);
	err = plan_actions(p, fa);
	int flags = attr ? attr->__flags : 0;
	int fg = rae_posix_console_foreground() &&
		 !(flags & (POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSID));

	rae_handle_t handles[SPAWN_HANDLES];
	uint16_t roles[SPAWN_HANDLES];
	unsigned n = 0;
	rae_startup_t *self = rae_posix_startup();
	rae_handle_t job = rae_startup_handle(self, RAE_ROLE_JOB);
	if (!err && rae_posix_console_present()) {
		if (rae_posix_console_open(&handles[n]) == RAE_OK)
			roles[n++] = RAE_ROLE_CONSOLE;
	}
	rae_handle_t session = rae_posix_file_session(), child_session = 0;
	if (!err && session && rae_vfs_session_open(session, &child_session) == RAE_OK) {
		handles[n] = child_session;
		roles[n++] = RAE_ROLE_VFS;
		err = opt_add(p, "--rae-vfs=session");
		/* And the endpoint, to open a new session if the service
		 * restarts (file.c). */
		rae_handle_t connect = handle_copy(rae_posix_file_connect(), RAE_RIGHTS_ALL);
		if (connect) {
			handles[n] = connect;
			roles[n++] = RAE_POSIX_ROLE_VFS_CONNECT;
		}
	}
	rae_handle_t h;
	if (!err && (h = handle_copy(job, RAE_RIGHTS_ALL)) != 0) {
		handles[n] = h;
		roles[n++] = RAE_ROLE_JOB;
	}
	if (!err &&
	    (h = handle_copy(rae_startup_handle(self, RAE_ROLE_SERVICES), RAE_RIGHTS_ALL)) != 0) {
		handles[n] = h;
		roles[n++] = RAE_ROLE_SERVICES;
	}
	char fds[RAE_POSIX_FD_MAX * 6] = "";
	size_t at = 0;
	for (int i = 0; !err && i < RAE_POSIX_FD_MAX; i++) {
		sim_fd_t *f = &p->fd[i];
		if (!f->kind)
			continue;
		if (f->kind == 'r' || f->kind == 'w') {
			if (n >= SPAWN_HANDLES) {
				err = EMFILE;
				break;
			}
			h = handle_copy(
			    f->pipe, (f->kind == 'r' ? RAE_RIGHT_READ : RAE_RIGHT_WRITE) |
					 RAE_RIGHT_WAIT | RAE_RIGHT_DUPLICATE | RAE_RIGHT_TRANSFER);
			if (!h) {
				err = EMFILE;
				break;
			}
			handles[n] = h;
			roles[n++] = (uint16_t)(RAE_POSIX_ROLE_FD + i);
		}
		if (f->kind == 'o')
			at += (size_t)snprintf(fds + at, sizeof(fds) - at, "%s%do%d", at ? "," : "",
					       i, f->open);
		else
			at += (size_t)snprintf(fds + at, sizeof(fds) - at, "%s%d%c", at ? "," : "",
					       i, f->kind);
	}
	if (!err)
		err = opt_add(p, "--rae-fds=%s", fds);
	if (!err)
		err = opt_add(p, "--rae-cwd=%s", p->cwd);
	if (!err)
		err = opt_add(p, "--rae-ppid=%d", getpid());
	if (!err && fg)
		err = opt_add(p, "--rae-fg=1");

	/* argv, then the options. */
	int argc = 0;
	while (argv && argv[argc])
		argc++;
	if (!err && strings_too_big(argv, argc, p, envp))
		err = E2BIG;
	const char **args = NULL;
	if (!err && !(args = malloc(sizeof(char *) * (size_t)(argc + p->nopt + 1))))
		err = ENOMEM;
	if (err) {
		if (child_session)
			rae_vfs_session_close(child_session);
		for (unsigned i = 0; i < n; i++) {
			if (handles[i] != child_session)
				rae_handle_close(handles[i]);
		}
		pthread_mutex_unlock(&spawn_lock);
		rae_handle_close(image);
		return err;
	}
	for (int i = 0; i < argc; i++)
		args[i] = argv[i];
	for (int i = 0; i < p->nopt; i++)
		args[argc + i] = p->opt[i];
	args[argc + p->nopt] = NULL;

	const char *base = strrchr(path, '/');
	char name[RAE_PROCESS_NAME_MAX];
	snprintf(name, sizeof(name), "%s", base && base[1] ? base + 1 : path);
	int sent = 0;
	rae_handle_t proc = 0;
	rae_status_t started = spawn_start(image, size, name, job, args, (const char *const *)envp,
					   handles, roles, n, &sent, &proc);
	if (!sent) {
		if (child_session)
			rae_vfs_session_close(child_session);
		for (unsigned i = 0; i < n; i++) {
			if (handles[i] != child_session)
				rae_handle_close(handles[i]);
		}
	}
	pthread_mutex_unlock(&spawn_lock);
	free(args);
	rae_handle_close(image);
	if (started != RAE_OK)
		return status_errno(started);
	long pid = rae_posix_child_add(proc, fg);
	if (pid < 0) {
		rae_kill(proc);
		rae_handle_close(proc);
		return (int)-pid;
	}
	if (res)
		*res = (pid_t)pid;
	return 0;
}

int posix_spawn(pid_t *restrict res, const char *restrict path,
		const posix_spawn_file_actions_t *fa, const posix_spawnattr_t *restrict attr,
		char *const argv[restrict], char *const envp[restrict])
{
	return spawn_path(res, path, fa, attr, argv, envp);
}

/* A name without a slash is looked for in each directory of PATH (this
 * program's environment; /bin when it has none), as execvp does. */
int posix_spawnp(pid_t *restrict res, const char *restrict file,
		 const posix_spawn_file_actions_t *fa, const posix_spawnattr_t *restrict attr,
		 char *const argv[restrict], char *const envp[restrict])
{
	if (!file || !*file)
		return ENOENT;
	if (strchr(file, '/'))
		return spawn_path(res, file, fa, attr, argv, envp);
	const char *path = getenv("PATH");
	if (!path || !*path)
		path = "/bin";
	size_t flen = strlen(file);
	int seen_eacces = 0;
	for (const char *d = path;;) {
		const char *end = strchr(d, ':');
		size_t dlen = end ? (size_t)(end - d) : strlen(d);
		char full[PATH_ROOM];
		if (dlen + 1 + flen < sizeof(full)) {
			memcpy(full, d, dlen);
			full[dlen] = '/';
			memcpy(full + dlen + 1, file, flen + 1);
			int err = spawn_path(res, dlen ? full : full + 1, fa, attr, argv, envp);
			if (err == EACCES)
				seen_eacces = 1;
			else if (err != ENOENT && err != ENOTDIR)
				return err;
		}
		if (!end)
			break;
		d = end + 1;
	}
	return seen_eacces ? EACCES : ENOENT;
}
