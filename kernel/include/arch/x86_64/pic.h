/* The legacy 8259 PIC pair: remapped away from the exception vectors and
 * masked, so it cannot raise stray interrupts. */
#ifndef ARCH_X86_64_PIC_H
#define ARCH_X86_64_PIC_H

#include <stdint.h>

void pic_remap_and_mask(uint8_t base_vector);
/* Lets IRQ `irq` (0-15) through. */
void pic_unmask(uint8_t irq);

/* Acknowledges a (spurious or real) PIC interrupt on `vector`. */
void pic_eoi(uint8_t vector);

#endif
