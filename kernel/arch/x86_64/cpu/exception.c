/* CPU exceptions: the report (vector, error code, CR2, every register and a
 * symbolized backtrace) and the decision to recover or panic. */
#include <arch/x86_64/cpu/interrupt.h>
#include <arch/x86_64/cpu/regs.h>
#include <console/kprintf.h>
#include <debug/ksym.h>
#include <hal/cpu.h>
#include <mm/usercopy.h>
#include <mm/vmm.h>
#include <smp/cpu.h>
#include <proc/process.h>
#include <rae/syscall.h>
#include <sched/thread.h>
#include <panic.h>

volatile uint64_t exception_breakpoint_count;
volatile uint64_t exception_nmi_count;
volatile uint64_t exception_fixup_count;
volatile uint64_t exception_fixup_vector;
volatile uint64_t exception_fixup_error_code;

/* One entry per instruction allowed to fault (usercopy.S): where it is and
 * where to resume, as offsets from the entry's own fields. */
typedef struct {
	int32_t fault;
	int32_t fixup;
} ex_entry_t;
extern const ex_entry_t __ex_table_start[], __ex_table_end[];

/* #PF error code bits. */
#define PF_ERR_PRESENT 1u  /* a protection violation, not an absent page */
#define PF_ERR_FETCH   16u /* an instruction fetch */

/* The fixup of the instruction at rip (a user copy's), or NULL. */
static const ex_entry_t *exception_fixup_of(uintptr_t rip)
{
	for (const ex_entry_t *e = __ex_table_start; e < __ex_table_end; e++) {
		if ((uintptr_t)&e->fault + e->fault == rip)
			return e;
	}
	return NULL;
}

/* If the kernel faulted at an instruction with a fixup, resumes there. */
static bool exception_try_fixup(interrupt_frame_t *f)
{
	const ex_entry_t *e = exception_fixup_of(f->rip);
	if (!e)
		return false;
	f->rip = (uintptr_t)&e->fixup + e->fixup;
	exception_fixup_count++;
	exception_fixup_vector = f->vector;
	exception_fixup_error_code = f->error_code;
	return true;
}

/* A #PF on an absent page of one of the current process's stacks or of
 * the zero-filled part of its image (process_page_fault), from
 * user mode or from a user copy (which holds no lock then, with interrupts
 * on: a copy made under a spinlock gets RAE_ERR_FAULT as before): maps the
 * page, and the access is retried. Never for an instruction fetch. */
static bool exception_demand_page(const interrupt_frame_t *f)
{
	thread_t *self = thread_current();
	uint64_t cr2 = cpu_read_cr2();
	if (!self || !self->proc || (f->error_code & (PF_ERR_PRESENT | PF_ERR_FETCH)) ||
	    cr2 >= USER_SPACE_END)
		return false;
	if (!(f->cs & 3)) {
		cpu_t *c = this_cpu();
		if (!(f->rflags & RFLAGS_IF) || !c || c->preempt_off || !exception_fixup_of(f->rip))
			return false;
	}
	return process_page_fault(self->proc, cr2);
}

/* A fault whose address, or stack pointer, lies in the guard page below a
 * kernel-area allocation means a kernel stack ran over. */
static uintptr_t exception_stack_overflow(const interrupt_frame_t *f, uint64_t cr2)
{
	if (f->cs & 3)
		return 0;
	uintptr_t owner = vmm_guard_owner(cr2);
	if (!owner)
		owner = vmm_guard_owner(f->rsp);
	return owner;
}
volatile uint64_t exception_breakpoint_rip;

static const char *const exception_names[EXCEPTION_VECTORS] = {
    [0] = "#DE Divide Error",
    [1] = "#DB Debug",
    [2] = "NMI Non-Maskable Interrupt",
    [3] = "#BP Breakpoint",
    [4] = "#OF Overflow",
    [5] = "#BR Bound Range Exceeded",
    [6] = "#UD Invalid Opcode",
    [7] = "#NM Device Not Available",
    [8] = "#DF Double Fault",
    [9] = "Coprocessor Segment Overrun",
    [10] = "#TS Invalid TSS",
    [11] = "#NP Segment Not Present",
    [12] = "#SS Stack-Segment Fault",
    [13] = "#GP General Protection",
    [14] = "#PF Page Fault",
    [16] = "#MF x87 Floating-Point Error",
    [17] = "#AC Alignment Check",
    [18] = "#MC Machine Check",
    [19] = "#XM SIMD Floating-Point",
    [20] = "#VE Virtualization",
    [21] = "#CP Control Protection",
    [28] = "#HV Hypervisor Injection",
    [29] = "#VC VMM Communication",
    [30] = "#SX Security",
};

static const char *exception_name(uint64_t vector)
{
	if (vector < EXCEPTION_VECTORS && exception_names[vector])
		return exception_names[vector];
	return "Reserved";
}

static void exception_print_report(const interrupt_frame_t *f)
{
	char sym[96];

	kprintf("EXCEPTION: vector %lu (%s), error code 0x%016lx", f->vector,
		exception_name(f->vector), f->error_code);
	if (f->vector == VEC_PF) {
		kprintf(" (%s, %s, %s%s)", (f->error_code & 2) ? "write" : "read",
			(f->error_code & 1) ? "protection violation" : "not present",
			(f->error_code & 4) ? "user" : "kernel",
			(f->error_code & 16) ? ", instruction fetch" : "");
	}
	kprintf("\n");
	ksym_format(f->rip, sym, sizeof(sym));
	kprintf("RIP=0x%016lx %s (%s mode)\n", f->rip, sym, (f->cs & 3) ? "user" : "kernel");
	kprintf("CR2=0x%016lx CR3=0x%016lx CR0=0x%016lx CR4=0x%016lx\n", cpu_read_cr2(),
		cpu_read_cr3(), cpu_read_cr0(), cpu_read_cr4());
	kprintf("RAX=0x%016lx RBX=0x%016lx RCX=0x%016lx RDX=0x%016lx\n", f->rax, f->rbx, f->rcx,
		f->rdx);
	kprintf("RSI=0x%016lx RDI=0x%016lx RBP=0x%016lx RSP=0x%016lx\n", f->rsi, f->rdi, f->rbp,
		f->rsp);
	kprintf("R8 =0x%016lx R9 =0x%016lx R10=0x%016lx R11=0x%016lx\n", f->r8, f->r9, f->r10,
		f->r11);
	kprintf("R12=0x%016lx R13=0x%016lx R14=0x%016lx R15=0x%016lx\n", f->r12, f->r13, f->r14,
		f->r15);
	kprintf("RFLAGS=0x%016lx CS=0x%04lx SS=0x%04lx\n", f->rflags, f->cs, f->ss);
}

void exception_handle(interrupt_frame_t *frame)
{
	switch (frame->vector) {
	case VEC_BP:
		/* int3 is a debugging aid: note it and carry on after it. */
		exception_breakpoint_count++;
		exception_breakpoint_rip = frame->rip - 1;
		return;
	case VEC_NMI:
		/* Another CPU's panic stops this one with an NMI. */
		if (panic_in_progress())
			hal_cpu_halt_forever();
		kprintf("NMI received at RIP=0x%016lx; continuing\n", frame->rip);
		exception_nmi_count++;
		return;
	case VEC_PF:
		if (exception_demand_page(frame))
			return;
		if (!(frame->cs & 3) && exception_try_fixup(frame))
			return;
		break;
	case VEC_GP:
		if (!(frame->cs & 3) && exception_try_fixup(frame))
			return;
		break;
	default: break;
	}

	if (frame->cs & 3) {
		/* A user program's fault ends that program, never the kernel. */
		thread_t *self = thread_current();
		if (self && self->proc) {
			kprintf(
			    "process %u (%s) killed: %s at RIP 0x%lx, address 0x%lx, error code "
			    "0x%lx\n",
			    self->proc->pid, self->proc->name, exception_name(frame->vector),
			    frame->rip, frame->vector == VEC_PF ? cpu_read_cr2() : 0,
			    frame->error_code);
			process_kill(self->proc, RAE_EXIT_KILLED_FAULT);
			thread_exit(RAE_EXIT_KILLED_FAULT);
		}
	}

	exception_print_report(frame);
	uint64_t cr2 = cpu_read_cr2();
	uintptr_t stack = (frame->vector == VEC_DF || frame->vector == VEC_PF)
			      ? exception_stack_overflow(frame, cr2)
			      : 0;
	if (stack)
		panic_at(
		    frame->rip, frame->rbp,
		    "kernel stack overflow: RSP=0x%016lx, fault address 0x%016lx, in the guard "
		    "page below the stack at 0x%016lx (%s)",
		    frame->rsp, cr2, stack, exception_name(frame->vector));
	panic_at(frame->rip, frame->rbp, "unhandled exception %lu (%s) in %s mode", frame->vector,
		 exception_name(frame->vector), (frame->cs & 3) ? "user" : "kernel");
}
