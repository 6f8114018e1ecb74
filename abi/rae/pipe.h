/* Pipes: a byte stream between two kernel objects, its read end and its
 * write end (RAE_OBJ_PIPE). A pipe is a kernel object, as Zircon's socket
 * is, rather than a service, because only the kernel sees an end go away
 * when its last handle closes, which is what makes end of file and EPIPE
 * hold even when the program at the other end crashes. Stable ABI;
 * docs/syscalls.md has the details. */
#ifndef RAE_PIPE_H
#define RAE_PIPE_H

#include <stdint.h>

/* Bytes a pipe holds before PIPE_WRITE waits (charged to the creator's
 * job as pages). */
#define RAE_PIPE_CAPACITY 65536u
/* A PIPE_WRITE of at most this many bytes lands in one piece, never
 * interleaved with another writer's (POSIX's PIPE_BUF). */
#define RAE_PIPE_ATOMIC 4096u

/*
 * RAE_SYS_PIPE_CREATE (rae_handle_t ends[2]): ends[0] the read end (READ,
 * WAIT, DUPLICATE, TRANSFER), ends[1] the write end (WRITE, WAIT,
 * DUPLICATE, TRANSFER).
 *
 * RAE_SYS_PIPE_READ (read end h, buf, len, timeout_ns): copies out up to
 * len bytes, as many as are there, waiting until at least one is. Returns
 * the count; 0 when the pipe is empty and every handle to the write end is
 * closed (end of file); RAE_ERR_TIMED_OUT when nothing came within the
 * timeout (0: do not wait; RAE_TIMEOUT_NEVER: no timeout).
 *
 * RAE_SYS_PIPE_WRITE (write end h, buf, len, timeout_ns): copies in up to
 * len bytes, as many as fit, waiting until at least one does (all of them,
 * in one piece, when len <= RAE_PIPE_ATOMIC). Returns the count;
 * RAE_ERR_PEER_CLOSED once every handle to the read end is closed;
 * RAE_ERR_TIMED_OUT as for reading.
 */

#endif
