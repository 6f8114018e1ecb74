/* The register IPC fast path (object/ipc_fast.c), entered from the
 * system-call entry (arch syscall.S) for IPC_CALL_REG and
 * IPC_REPLY_RECV_REG before the general dispatcher. */
#ifndef OBJECT_IPC_FAST_H
#define OBJECT_IPC_FAST_H

/* What the fast path returns when its handle does not qualify: it changed
 * nothing, and the system call goes through the dispatcher instead (which
 * reports the error). Never a status (those are <= 0) nor a value these
 * calls return. */
#define IPC_FAST_FALLBACK 1

#ifndef __ASSEMBLER__
#include <stdint.h>

/* IPC_CALL_REG on handle h with the tag and words in msg (the caller's
 * system-call frame, where the reply is written), the whole system call
 * (a killed caller ends here). Interrupts off (the system-call entry).
 * Returns the call's status, or IPC_FAST_FALLBACK. */
int64_t ipc_fast_call(uint64_t h, uint64_t *msg);

/* IPC_REPLY_RECV_REG on handle h: the reply in msg, then the next call's
 * tag and words in msg and its badge in *badge. As ipc_fast_call. */
int64_t ipc_fast_reply_recv(uint64_t h, uint64_t *msg, uint64_t *badge);
#endif

#endif
