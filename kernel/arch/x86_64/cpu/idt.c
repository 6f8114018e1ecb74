/* The interrupt descriptor table: all 256 vectors go through isr.S to
 * interrupt_dispatch, which hands exceptions to exception_handle. */
#include <arch/x86_64/apic/lapic.h>
#include <arch/x86_64/apic/vectors.h>
#include <arch/x86_64/cpu/gdt.h>
#include <arch/x86_64/cpu/interrupt.h>
#include <arch/x86_64/pic.h>
#include <arch/x86_64/cpu/regs.h>
#include <console/kprintf.h>
#include <proc/process.h>
#include <sched/sched.h>
#include <smp/cpu.h>

typedef struct PACKED {
	uint16_t offset_low;
	uint16_t selector;
	uint8_t ist;
	uint8_t type_attr;
	uint16_t offset_mid;
	uint32_t offset_high;
	uint32_t reserved;
} idt_entry_t;

typedef struct PACKED {
	uint16_t limit;
	uint64_t base;
} idt_pointer_t;

#define IDT_INTERRUPT_GATE 0x8e /* present, ring 0, 64-bit interrupt gate */

extern const uint64_t isr_stub_table[IDT_VECTORS];

static idt_entry_t idt[IDT_VECTORS] ALIGNED(16);

static void idt_set(unsigned vector, uint64_t handler, uint8_t ist)
{
	idt[vector] = (idt_entry_t){
	    .offset_low = handler & 0xffff,
	    .selector = GDT_KERNEL_CODE,
	    .ist = ist,
	    .type_attr = IDT_INTERRUPT_GATE,
	    .offset_mid = (handler >> 16) & 0xffff,
	    .offset_high = handler >> 32,
	};
}

void idt_init(void)
{
	for (unsigned v = 0; v < IDT_VECTORS; v++)
		idt_set(v, isr_stub_table[v], 0);
	idt_set(VEC_DF, isr_stub_table[VEC_DF], IST_DOUBLE_FAULT);
	idt_set(VEC_NMI, isr_stub_table[VEC_NMI], IST_NMI);
	idt_set(VEC_MC, isr_stub_table[VEC_MC], IST_MACHINE_CHECK);

	idt_load();
}

void idt_load(void)
{
	idt_pointer_t ptr = {.limit = sizeof(idt) - 1, .base = (uint64_t)idt};
	__asm__ volatile("lidt %0" : : "m"(ptr));
}

typedef struct {
	interrupt_handler_t fn;
	void *arg;
} vector_slot_t;
extern vector_slot_t vector_handlers[IDT_VECTORS];

void interrupt_dispatch(interrupt_frame_t *frame)
{
	if (frame->vector < EXCEPTION_VECTORS) {
		exception_handle(frame);
		return;
	}
	if (frame->vector == VEC_SPURIOUS)
		return; /* no EOI for the spurious vector */
	vector_slot_t *slot = &vector_handlers[frame->vector];
	if ((frame->vector >= VEC_DEVICE_FIRST && frame->vector <= VEC_DEVICE_LAST) ||
	    (frame->vector >= VEC_PIC_BASE && frame->vector < VEC_PIC_BASE + 16)) {
		cpu_t *c = this_cpu();
		if (c)
			c->device_interrupts++;
	}
	if (slot->fn) {
		slot->fn(frame, slot->arg);
		if (frame->vector >= VEC_PIC_BASE && frame->vector < VEC_PIC_BASE + 16)
			pic_eoi((uint8_t)frame->vector);
		else if (interrupt_lapic_ready)
			lapic_eoi();
		/* Acknowledged first: the switch may not come back for a while. */
		sched_interrupt_exit(frame->rflags & RFLAGS_IF);
		if (frame->cs & 3)
			process_check_killed();
		return;
	}
	/* No device interrupts are routed yet, so anything here is stray: a
	 * spurious PIC interrupt or a vector firmware left armed. Report it
	 * once per vector and acknowledge it. */
	static uint8_t reported[IDT_VECTORS];
	if (!reported[frame->vector]) {
		reported[frame->vector] = 1;
		kprintf("interrupt: unexpected vector %lu ignored\n", frame->vector);
	}
	if (frame->vector >= VEC_PIC_BASE && frame->vector < VEC_PIC_BASE + 16)
		pic_eoi((uint8_t)frame->vector);
	else if (interrupt_lapic_ready)
		lapic_eoi();
}
