/* How a process is started with more than one handle: its arguments, its
 * environment and a set of named handles. The kernel gives a new process one
 * handle (main's argument); by this convention it is an endpoint (READ) on
 * which the creator sends the start-up messages with IPC_SEND before anything
 * else. lib/librae/startup.c implements both ends: rae_startup_send() for the
 * creator, rae_startup_receive() for the child (the C runtime calls it
 * before main). A process started without such an endpoint gets argument 0
 * and an empty start-up set. */
#ifndef RAE_STARTUP_H
#define RAE_STARTUP_H

#include <stdint.h>

#define RAE_STARTUP_TAG 0x5241455f53545254ull /* "RAE_STRT" */

/* Words of every start-up message. */
#define RAE_STARTUP_WORD_INDEX 0 /* 0, 1, 2... in order */
#define RAE_STARTUP_WORD_FLAGS 1 /* RAE_STARTUP_MORE: another message follows */
#define RAE_STARTUP_WORD_ROLES 2 /* role of handle i in bits 16*i..16*i+15 */
#define RAE_STARTUP_MORE       0x1

/* Message 0's buffer holds the arguments and the environment:
 *   uint32_t argc, uint32_t envc, then argc + envc NUL-terminated strings.
 * It is at most RAE_IPC_BUF_MAX bytes. Later messages carry handles only
 * (up to RAE_IPC_HANDLES_MAX each). */
#define RAE_STARTUP_HANDLES_MAX 32
#define RAE_STARTUP_STRINGS_MAX 256 /* argc + envc */

/* Handle roles: what a handle is for. 0x100 and up are private to a
 * program and the one that starts it. */
#define RAE_ROLE_NONE          0
#define RAE_ROLE_SERVICES      1 /* endpoint: the service manager's name service */
#define RAE_ROLE_VFS           2 /* endpoint: the file system (rae-vfsd) */
#define RAE_ROLE_CONSOLE       3 /* endpoint: the terminal (standard input and output) */
#define RAE_ROLE_JOB           4 /* the job the process may create children in */
#define RAE_ROLE_ROOT_RESOURCE 5 /* a resource (drivers only) */
#define RAE_ROLE_INITRD        6 /* memory object holding the initrd */
#define RAE_ROLE_PRIVATE       0x100

#endif
