/* Both ends of the start-up convention (abi/rae/startup.h): a creator sends
 * a new process its arguments, environment and named handles over the
 * endpoint that is the child's start argument; the child receives them. */
#ifndef RAE_STARTUP_CLIENT_H
#define RAE_STARTUP_CLIENT_H

#include <rae.h>
#include <rae/startup.h>

#define RAE_STARTUP_STRINGS_MAX 64 /* argc + envc */

typedef struct {
	uint32_t argc, envc;
	const char *argv[RAE_STARTUP_STRINGS_MAX]; /* argc entries, then envc in envp */
	const char *envp[RAE_STARTUP_STRINGS_MAX];
	uint32_t handle_count;
	rae_handle_t handles[RAE_STARTUP_HANDLES_MAX];
	uint16_t roles[RAE_STARTUP_HANDLES_MAX];
	char strings[RAE_IPC_BUF_MAX]; /* what argv and envp point into */
} rae_startup_t;

/*
 * Child side: receives the start-up messages on ep (waiting at most
 * timeout_ns for each) into *s. Returns RAE_OK; RAE_ERR_INVALID for a
 * message that breaks the convention (its handles are closed, and so are
 * those already received); a receive error as is.
 */
rae_status_t rae_startup_receive(rae_handle_t ep, rae_startup_t *s, uint64_t timeout_ns);

/* The first handle with `role`, or RAE_HANDLE_INVALID. */
rae_handle_t rae_startup_handle(const rae_startup_t *s, uint16_t role);

/* The value of the first argument "name=value" (e.g. "--initrd-bytes"), or
 * NULL. */
const char *rae_startup_option(const rae_startup_t *s, const char *name);

/*
 * Creator side: sends argv (argc strings), envp (envc strings) and `count`
 * handles (each needs TRANSFER; they leave the caller) with their roles on
 * ep (WRITE), each message taken within timeout_ns. RAE_ERR_RANGE when the
 * strings do not fit one buffer or there are too many of anything.
 */
rae_status_t rae_startup_send(rae_handle_t ep, const char *const *argv, uint32_t argc,
			      const char *const *envp, uint32_t envc, const rae_handle_t *handles,
			      const uint16_t *roles, uint32_t count, uint64_t timeout_ns);

/*
 * The first process's side of abi/rae/bootstrap.h: receives the kernel's
 * call on ep, answers it, and gives back the root resource, the initrd
 * memory object and the initrd's length. RAE_ERR_INVALID (whatever came is
 * closed) for a call that is not the bootstrap call.
 */
rae_status_t rae_bootstrap_receive(rae_handle_t ep, rae_handle_t *root, rae_handle_t *initrd,
				   uint64_t *initrd_bytes);

#endif
