/* The register frame every interrupt and exception stub builds, and the
 * IDT set-up. */
#ifndef ARCH_X86_64_CPU_INTERRUPT_H
#define ARCH_X86_64_CPU_INTERRUPT_H

#include <stdint.h>

/* Laid out by isr_common in isr.S: general registers pushed last come
 * first. Keep the two in step. */
typedef struct interrupt_frame {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector, error_code;
	uint64_t rip, cs, rflags, rsp, ss;
} interrupt_frame_t;

#define IDT_VECTORS       256
#define EXCEPTION_VECTORS 32

#define VEC_DE       0
#define VEC_NMI      2
#define VEC_BP       3
#define VEC_UD       6
#define VEC_DF       8
#define VEC_GP       13
#define VEC_PF       14
#define VEC_MC       18
#define VEC_PIC_BASE 0x20

/* Fills and loads the IDT. Boot CPU, after gdt_init (uses its IST slots). */
void idt_init(void);
/* Loads the (shared) IDT on this CPU. */
void idt_load(void);

/* Called from isr_common with interrupts off. */
void interrupt_dispatch(interrupt_frame_t *frame);

/* Exceptions (vectors 0-31): recoverable ones return, the rest panic. */
void exception_handle(interrupt_frame_t *frame);

/* How many #BP traps were taken, and where the last one was (for tests). */
extern volatile uint64_t exception_breakpoint_count;
/* NMIs this kernel handled and returned from (not the panic stop). */
extern volatile uint64_t exception_nmi_count;
extern volatile uint64_t exception_breakpoint_rip;
/* How many faults the fixup table absorbed, and the last one's vector and
 * error code (for tests). */
extern volatile uint64_t exception_fixup_count;
extern volatile uint64_t exception_fixup_vector;
extern volatile uint64_t exception_fixup_error_code;

#endif
