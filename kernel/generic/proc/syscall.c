/* The system call dispatch: one case per call of the table
 * (rae/syscalls.def), each decoding the frame's registers into the typed
 * arguments the table declares and calling sys_NAME (proc/sys_*.c). This
 * is the only place that reads arguments out of the frame; handlers check
 * every argument themselves (pointers only through the user-copy helpers,
 * numbers against their ranges). An unknown number is RAE_ERR_UNSUPPORTED. */
#include <compiler.h>
#include <hal/cpu.h>
#include <hal/irq.h>
#include <proc/process.h>
#include <proc/syscall.h>
#include <sched/sched.h>
#include <smp/cpu.h>

/* The typed arguments of an n-argument call, from rdi, rsi, rdx, r10, r8, r9. */
#define SYS_DECODE_0(f, ...)
#define SYS_DECODE_1(f, t1, a1)         (t1) SYSCALL_FRAME_ARG0(f)
#define SYS_DECODE_2(f, t1, a1, t2, a2) (t1) SYSCALL_FRAME_ARG0(f), (t2)SYSCALL_FRAME_ARG1(f)
#define SYS_DECODE_3(f, t1, a1, t2, a2, t3, a3)                                                    \
	SYS_DECODE_2(f, t1, a1, t2, a2), (t3)SYSCALL_FRAME_ARG2(f)
#define SYS_DECODE_4(f, t1, a1, t2, a2, t3, a3, t4, a4)                                            \
	SYS_DECODE_3(f, t1, a1, t2, a2, t3, a3), (t4)SYSCALL_FRAME_ARG3(f)
#define SYS_DECODE_5(f, t1, a1, t2, a2, t3, a3, t4, a4, t5, a5)                                    \
	SYS_DECODE_4(f, t1, a1, t2, a2, t3, a3, t4, a4), (t5)SYSCALL_FRAME_ARG4(f)
#define SYS_DECODE_6(f, t1, a1, t2, a2, t3, a3, t4, a4, t5, a5, t6, a6)                            \
	SYS_DECODE_5(f, t1, a1, t2, a2, t3, a3, t4, a4, t5, a5), (t6)SYSCALL_FRAME_ARG5(f)

#define SYS_CALL_TYPED(name, n, f, ...)     sys_##name(SYS_DECODE_##n(f, __VA_ARGS__))
#define SYS_CALL_FRAME(name, n, f, t1, ...) sys_##name(f, (t1)SYSCALL_FRAME_ARG0(f))

#define RAE_SYSCALL(NAME, name, RET, ENTRY, OBJECT, RIGHTS, n, ...)                                \
	_Static_assert(RAE_SYS_##NAME >= 0 && RAE_SYS_##NAME < RAE_SYS_COUNT,                      \
		       "RAE_SYS_" #NAME " is past RAE_SYS_COUNT");
#include <rae/syscalls.def>
#undef RAE_SYSCALL

/* What every call does on its way out: a killed process's thread ends
 * here (a kill that came while it was in the kernel; one that came while
 * it was blocked woke it), and a wake-up that asked for a switch gets it
 * when no tick is armed to do it (sched_syscall_exit). */
static inline int64_t syscall_exit(const process_t *p, int64_t ret)
{
	if (unlikely(p->killed))
		process_check_killed();
	if (unlikely(((cpu_t *)hal_this_cpu())->need_resched))
		sched_syscall_exit();
	return ret;
}

/* Called from syscall_entry with interrupts on, on the thread's kernel
 * stack. Returns the value for rax. No kill check on the way in: a kill
 * is seen where a call would block (thread_block_prepare) and on the way
 * out. */
int64_t syscall_dispatch(syscall_frame_t *f)
{
	const process_t *p = self_proc();
	int64_t ret;
	switch (f->nr) {
		/* A number twice in the table is a duplicate case: it does not build. */
#define RAE_SYSCALL(NAME, name, RET, ENTRY, OBJECT, RIGHTS, n, ...)                                \
	case RAE_SYS_##NAME:                                                                       \
		ret = SYS_CALL_##ENTRY(name, n, f, __VA_ARGS__);                                   \
		break;
#include <rae/syscalls.def>
#undef RAE_SYSCALL
	default: ret = RAE_ERR_UNSUPPORTED; break;
	}
	return syscall_exit(p, ret);
}

/* The register IPC calls whose fast path (object/ipc_fast.c) did not
 * apply, called from syscall_entry with interrupts still off: they keep
 * them off to their switch (see ipc_call_reg). Apart from the table's
 * switch, so that it costs them nothing. */
int64_t syscall_dispatch_reg_ipc(syscall_frame_t *f)
{
	const process_t *p = self_proc();
	rae_handle_t h = (rae_handle_t)SYSCALL_FRAME_ARG0(f);
	int64_t ret =
	    f->nr == RAE_SYS_IPC_CALL_REG ? sys_ipc_call_reg(f, h) : sys_ipc_reply_recv_reg(f, h);
	return syscall_exit(p, ret);
}
