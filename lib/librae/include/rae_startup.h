/* Both ends of the start-up convention (abi/rae/startup.h), in
 * lib/librae/startup.c: a creator sends a new process its arguments,
 * environment and named handles over the endpoint that is the child's start
 * argument; the child receives them before main. Also the first process's
 * side of the kernel's bootstrap call (abi/rae/bootstrap.h). */
#ifndef RAE_STARTUP_CLIENT_H
#define RAE_STARTUP_CLIENT_H

#include <rae.h>
#include <rae/startup.h>

#define RAE_STARTUP_RUNTIME_PREFIX "--rae-"

typedef struct {
	int argc;
	char **argv, **envp; /* NULL-terminated, pointing into strings */
	/* The arguments after argv[0] that begin with
	 * RAE_STARTUP_RUNTIME_PREFIX, taken out of argv: options for the C
	 * runtime from whoever started the program (lib/posix/inherit.h). */
	char **options;
	unsigned handle_count;
	rae_handle_t handles[RAE_STARTUP_HANDLES_MAX]; /* RAE_HANDLE_INVALID once taken */
	uint16_t roles[RAE_STARTUP_HANDLES_MAX];
	char *pointers[RAE_STARTUP_STRINGS_MAX + 3];
	char strings[RAE_IPC_BUF_MAX];
} rae_startup_t;

/* The child's end: receives the start-up messages on `ep` (a process's
 * argument), then closes `ep`. RAE_ERR_TIMED_OUT, or RAE_ERR_INVALID /
 * RAE_ERR_TRUNCATED / RAE_ERR_RANGE for messages that break the
 * convention (their handles are closed). A call that is not one-way is
 * answered with RAE_ERR_INVALID and ignored. */
rae_status_t rae_startup_receive(rae_handle_t ep, rae_startup_t *s, uint64_t timeout_ns);

/* The first start-up handle with `role`, taken out of `s` (the caller owns
 * it now); RAE_HANDLE_INVALID if none. */
rae_handle_t rae_startup_take(rae_startup_t *s, uint16_t role);

/* The creator's end: sends argv, envp (NULL-terminated; either may be
 * NULL) and n handles with their roles on `ep`. The handles move (each
 * needs TRANSFER). RAE_ERR_RANGE when the strings pass RAE_IPC_BUF_MAX
 * bytes or RAE_STARTUP_STRINGS_MAX, or n passes RAE_STARTUP_HANDLES_MAX. */
rae_status_t rae_startup_send(rae_handle_t ep, const char *const *argv, const char *const *envp,
			      const rae_handle_t *handles, const uint16_t *roles, unsigned n,
			      uint64_t timeout_ns);

/* Starts a program and sends it the start-up set: from `size` bytes at
 * `offset` in memory object `image` (SPAWN_IMAGE), or, with image 0, from
 * the initrd path `name` (SPAWN_WITH). `job` 0 is the caller's. Returns
 * RAE_OK with the process handle in *proc, or an error (the child is killed if it started but
 * never took its start-up messages within RAE_STARTUP_TIMEOUT_NS). The
 * handles move to the child. */
#define RAE_STARTUP_TIMEOUT_NS 10000000000ull
rae_status_t rae_spawn_start(rae_handle_t image, uint64_t offset, uint64_t size, const char *name,
			     rae_handle_t job, const char *const *argv, const char *const *envp,
			     const rae_handle_t *handles, const uint16_t *roles, unsigned n,
			     rae_handle_t *proc);

/* Programs in the initrd, for a process handed the initrd memory object
 * (RAE_ROLE_INITRD; lib/librae/initrd.c). rae_initrd_find: where the
 * regular file at `path` lies in it (RAE_ERR_NOT_FOUND, or the archive's
 * own error when it is damaged). rae_initrd_spawn_start: rae_spawn_start
 * of that file, named by its last path element; the handles stay the
 * caller's when the file is not found. */
rae_status_t rae_initrd_find(rae_handle_t initrd, const char *path, uint64_t *offset,
			     uint64_t *size);
rae_status_t rae_initrd_spawn_start(rae_handle_t initrd, const char *path, rae_handle_t job,
				    const char *const *argv, const char *const *envp,
				    const rae_handle_t *handles, const uint16_t *roles, unsigned n,
				    rae_handle_t *proc);

/* The first handle with `role`, left in `s` (see rae_startup_take), or
 * RAE_HANDLE_INVALID. */
rae_handle_t rae_startup_handle(const rae_startup_t *s, uint16_t role);

/* The value of the first argument or runtime option "name=value" (e.g.
 * "--initrd-bytes"), or NULL. */
const char *rae_startup_option(const rae_startup_t *s, const char *name);

/* The first process's side of abi/rae/bootstrap.h: receives the kernel's
 * call on ep, answers it, and gives back the root resource, the initrd
 * memory object and the initrd's length. RAE_ERR_INVALID (whatever came is
 * closed) for a call that is not the bootstrap call. */
rae_status_t rae_bootstrap_receive(rae_handle_t ep, rae_handle_t *root, rae_handle_t *initrd,
				   uint64_t *initrd_bytes);

#endif
