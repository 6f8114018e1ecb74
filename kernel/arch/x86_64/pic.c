/* Legacy 8259 PIC: remapped above the exception vectors, every line masked.
 * Device interrupts go through the IOAPIC once it is brought up. */
#include <arch/x86_64/cpu/regs.h>
#include <arch/x86_64/pic.h>

#define PIC1_CMD  0x20
#define PIC1_DATA 0x21
#define PIC2_CMD  0xa0
#define PIC2_DATA 0xa1
#define PIC_EOI   0x20

static uint8_t pic_base;

void pic_remap_and_mask(uint8_t base_vector)
{
	pic_base = base_vector;
	outb(PIC1_CMD, 0x11); /* ICW1: init, ICW4 follows */
	io_wait();
	outb(PIC2_CMD, 0x11);
	io_wait();
	outb(PIC1_DATA, base_vector); /* ICW2: vector offsets */
	io_wait();
	outb(PIC2_DATA, base_vector + 8);
	io_wait();
	outb(PIC1_DATA, 4); /* ICW3: slave on IRQ2 */
	io_wait();
	outb(PIC2_DATA, 2);
	io_wait();
	outb(PIC1_DATA, 0x01); /* ICW4: 8086 mode */
	io_wait();
	outb(PIC2_DATA, 0x01);
	io_wait();
	outb(PIC1_DATA, 0xff);
	outb(PIC2_DATA, 0xff);
}

void pic_eoi(uint8_t vector)
{
	uint8_t irq = vector - pic_base;
	/* A spurious IRQ 7 or 15 (ISR bit clear) must not be acknowledged on
	 * the PIC that raised it, but IRQ 15 still needs the master's EOI. */
	if (irq == 7 || irq == 15) {
		uint16_t cmd = irq == 7 ? PIC1_CMD : PIC2_CMD;
		outb(cmd, 0x0b); /* read ISR */
		if (!(inb(cmd) & 0x80)) {
			if (irq == 15)
				outb(PIC1_CMD, PIC_EOI);
			return;
		}
	}
	if (irq >= 8)
		outb(PIC2_CMD, PIC_EOI);
	outb(PIC1_CMD, PIC_EOI);
}

void pic_unmask(uint8_t irq)
{
	uint16_t port = irq < 8 ? PIC1_DATA : PIC2_DATA;
	outb(port, inb(port) & (uint8_t) ~(1u << (irq & 7)));
	if (irq >= 8)
		outb(PIC1_DATA, inb(PIC1_DATA) & (uint8_t) ~(1u << 2)); /* cascade */
}
