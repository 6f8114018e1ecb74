/* What a program built with tools/raeen-cc inherits from the one that
 * started it, beyond abi/rae/startup.h's shared roles: the runtime-private
 * part of the start-up set. posix_spawn (spawn.c) writes it and the
 * child's runtime (inherit.c) reads it before main; any other starter may
 * write it too (a librae shell starting a C program in the foreground
 * passes "--rae-fg=1").
 *
 * Handles. RAE_ROLE_CONSOLE is the child's own badged handle to
 * rae-consoled (RAE_CONSOLE_OPEN), RAE_ROLE_VFS a rae-vfsd handle, and
 * RAE_ROLE_JOB / RAE_ROLE_SERVICES are passed on when the parent may
 * duplicate them. A descriptor that is one end of a pipe travels as a
 * handle with the role RAE_POSIX_ROLE_FD + its number (roles from
 * RAE_ROLE_PRIVATE up are private to a program and its starter; the
 * runtime keeps 0x200..0x2ff for itself).
 *
 * Options. argv entries after argv[0] that begin with "--rae-"
 * (RAE_STARTUP_RUNTIME_PREFIX) are the runtime's: rae_startup_receive
 * moves them from argv to the start-up set's options, so no program sees
 * them, C or librae (a real argument of that form is lost: the price of
 * one string list for both). Options follow the program's own arguments:
 *   --rae-fg=1            this program is the console's foreground client
 *                         (it calls CONSOLE_SET_FOREGROUND at start)
 *   --rae-ppid=<pid>      the parent's process id (getppid)
 *   --rae-cwd=<path>      the working directory (absolute)
 *   --rae-vfs=session     RAE_ROLE_VFS is a session opened for this child,
 *                         used as is (else the child opens one through it)
 *   --rae-fds=<list>      the descriptor table, comma-separated <fd><kind>:
 *                         c the console, d the kernel debug console,
 *                         r / w the read / write end of a pipe (its handle
 *                         has role RAE_POSIX_ROLE_FD + fd), o<k> the file
 *                         the k-th --rae-open opens (0-based). Descriptors
 *                         not listed are closed. Without --rae-fds, 0-2 are
 *                         the console when there is one, else the debug
 *                         console.
 *   --rae-open=<flags>:<mode>:<path>
 *                         a file the child opens before main (open(2)
 *                         flags and mode in hexadecimal, an absolute path),
 *                         in the order given. A file that cannot be opened
 *                         ends the child with status 127 and a message.
 * Descriptors of files the parent opened itself are not inherited: a VFS
 * descriptor belongs to the parent's session, and rae-vfsd has no call yet
 * to share one with another session (future work). */
#ifndef RAE_POSIX_INHERIT_H
#define RAE_POSIX_INHERIT_H

#include <rae/startup.h>

#define RAE_POSIX_ROLE_FD 0x200 /* + fd (0..RAE_POSIX_FD_MAX-1): a pipe end */
/* With --rae-vfs=session: the file system's endpoint the parent was given,
 * so the child can open a new session when the service restarts. */
#define RAE_POSIX_ROLE_VFS_CONNECT 0x2f0
#define RAE_POSIX_FD_MAX           64 /* descriptors per process (fd.c) */
#define RAE_POSIX_OPENS_MAX        16 /* --rae-open entries a child takes */

#endif
