/* IPC message layout for endpoint calls (RAE_SYS_IPC_*): a tag, a few
 * machine words, an optional buffer and up to four handles that move with
 * the message. */
#ifndef RAE_IPC_H
#define RAE_IPC_H

#include <stdint.h>
#include <rae/handle.h>

#define RAE_IPC_WORDS       4
#define RAE_IPC_BUF_MAX     4096
#define RAE_IPC_HANDLES_MAX 4
/* A register message (RAE_SYS_IPC_*_REG): the tag and RAE_IPC_WORDS words,
 * in rsi, rdx, r10, r8, r9 both ways. */
#define RAE_IPC_REG_WORDS (1 + RAE_IPC_WORDS)
/* Timeouts are in nanoseconds; this one means "no timeout". */
#define RAE_TIMEOUT_NEVER UINT64_MAX

typedef struct rae_msg {
	uint64_t tag;
	uint64_t words[RAE_IPC_WORDS];
	uint64_t badge;        /* received: the badge of the caller's handle */
	uint64_t buf;          /* user address of the buffer */
	uint32_t buf_len;      /* sending: bytes in buf; received: bytes delivered */
	uint32_t buf_cap;      /* receiving: room in buf */
	uint32_t handle_count; /* sending: handles to move; received: handles that came */
	uint32_t flags;        /* received: RAE_MSG_*; ignored when sending */
	rae_handle_t handles[RAE_IPC_HANDLES_MAX];
} rae_msg_t;

/* A received message came from IPC_SEND: no reply is owed for it. */
#define RAE_MSG_ONEWAY 0x1
/* Received by IPC_REPLY_RECV: the reply given with it found its caller gone
 * (dropped, its handles closed). */
#define RAE_MSG_REPLY_LOST 0x2

/* The tag of the kernel's notice that a client is gone: a one-way message
 * (RAE_MSG_ONEWAY, no words, buffer or handles, no reply owed) whose badge
 * is the badge of a HANDLE_MINT_WATCHED handle whose every copy has been
 * closed or whose holders have all ended. It comes through the normal
 * receive (IPC_RECEIVE, IPC_RECV_REG, IPC_REPLY_RECV_REG), before any call
 * waiting on the endpoint. Nobody else can send this tag: IPC_CALL,
 * IPC_SEND and IPC_CALL_REG refuse it with RAE_ERR_INVALID. */
#define RAE_IPC_TAG_CLOSED 0x8000000000000000ull

#endif
