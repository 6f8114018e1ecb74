/* The register frame syscall_entry (cpu/syscall.S) builds on the kernel
 * stack: the argument registers, the number, and an IRET frame. The
 * offsets are named for the assembly and tied to the struct below, so the
 * two cannot drift apart. */
#ifndef ARCH_X86_64_CPU_SYSCALL_FRAME_H
#define ARCH_X86_64_CPU_SYSCALL_FRAME_H

#define SYSCALL_FRAME_RBP    0
#define SYSCALL_FRAME_RSI    8 /* rsi, rdx, r10, r8, r9 in this order: a register message */
#define SYSCALL_FRAME_RDX    16
#define SYSCALL_FRAME_R10    24
#define SYSCALL_FRAME_R8     32
#define SYSCALL_FRAME_R9     40
#define SYSCALL_FRAME_RDI    48
#define SYSCALL_FRAME_NR     56
#define SYSCALL_FRAME_RIP    64
#define SYSCALL_FRAME_CS     72
#define SYSCALL_FRAME_RFLAGS 80
#define SYSCALL_FRAME_RSP    88
#define SYSCALL_FRAME_SS     96
#define SYSCALL_FRAME_SIZE   104

#ifndef __ASSEMBLER__
#include <stddef.h>
#include <stdint.h>

#include <rae/ipc.h>

/* Pushed by syscall_entry, last push first; popped by syscall_return,
 * which hands rsi .. rdi back to user mode, so a handler that writes
 * them returns values in registers (the register IPC calls). */
typedef struct syscall_frame {
	uint64_t rbp;
	union {
		struct {
			uint64_t rsi, rdx, r10, r8, r9;
		};
		/* A register message's tag and words, in place. */
		uint64_t msg[RAE_IPC_REG_WORDS];
	};
	uint64_t rdi, nr;
	uint64_t rip, cs, rflags, rsp, ss;
} syscall_frame_t;

_Static_assert(offsetof(syscall_frame_t, rbp) == SYSCALL_FRAME_RBP, "syscall.S pushes rbp last");
_Static_assert(offsetof(syscall_frame_t, rsi) == SYSCALL_FRAME_RSI, "syscall.S frame: rsi");
_Static_assert(offsetof(syscall_frame_t, rdx) == SYSCALL_FRAME_RDX, "syscall.S frame: rdx");
_Static_assert(offsetof(syscall_frame_t, r10) == SYSCALL_FRAME_R10, "syscall.S frame: r10");
_Static_assert(offsetof(syscall_frame_t, r8) == SYSCALL_FRAME_R8, "syscall.S frame: r8");
_Static_assert(offsetof(syscall_frame_t, r9) == SYSCALL_FRAME_R9, "syscall.S frame: r9");
_Static_assert(offsetof(syscall_frame_t, msg) == SYSCALL_FRAME_RSI,
	       "a register message starts at rsi");
_Static_assert(sizeof(((syscall_frame_t *)0)->msg) == SYSCALL_FRAME_RDI - SYSCALL_FRAME_RSI,
	       "a register message is rsi .. r9");
_Static_assert(offsetof(syscall_frame_t, rdi) == SYSCALL_FRAME_RDI, "syscall.S frame: rdi");
_Static_assert(offsetof(syscall_frame_t, nr) == SYSCALL_FRAME_NR, "syscall.S frame: rax");
_Static_assert(offsetof(syscall_frame_t, rip) == SYSCALL_FRAME_RIP, "IRET frame: rip");
_Static_assert(offsetof(syscall_frame_t, cs) == SYSCALL_FRAME_CS, "IRET frame: cs");
_Static_assert(offsetof(syscall_frame_t, rflags) == SYSCALL_FRAME_RFLAGS, "IRET frame: rflags");
_Static_assert(offsetof(syscall_frame_t, rsp) == SYSCALL_FRAME_RSP, "IRET frame: rsp");
_Static_assert(offsetof(syscall_frame_t, ss) == SYSCALL_FRAME_SS, "IRET frame: ss");
_Static_assert(sizeof(syscall_frame_t) == SYSCALL_FRAME_SIZE, "syscall.S frame size");

/* The arguments in calling-convention order (rdi, rsi, rdx, r10, r8, r9). */
#define SYSCALL_FRAME_ARG0(f) ((f)->rdi)
#define SYSCALL_FRAME_ARG1(f) ((f)->rsi)
#define SYSCALL_FRAME_ARG2(f) ((f)->rdx)
#define SYSCALL_FRAME_ARG3(f) ((f)->r10)
#define SYSCALL_FRAME_ARG4(f) ((f)->r8)
#define SYSCALL_FRAME_ARG5(f) ((f)->r9)

/* The register message a call carries in, and a reply leaves in, rsi .. r9. */
static inline uint64_t *syscall_frame_msg(syscall_frame_t *f)
{
	return f->msg;
}

/* The badge a register receive returns, in rdi. */
static inline void syscall_frame_set_badge(syscall_frame_t *f, uint64_t badge)
{
	f->rdi = badge;
}
#endif

#endif
