/* Interrupt vectors above the exceptions: fixed ones for the kernel's own
 * uses (lapic.h) and an allocator for device interrupts, which later hands
 * vectors to user-space drivers. */
#ifndef ARCH_X86_64_APIC_VECTORS_H
#define ARCH_X86_64_APIC_VECTORS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <arch/x86_64/cpu/interrupt.h>
#include <rae/status.h>

#define VEC_DEVICE_FIRST 0x30
#define VEC_DEVICE_LAST  0xef

typedef void (*interrupt_handler_t)(interrupt_frame_t *frame, void *arg);

/* Reserves a free device vector. RAE_ERR_NO_MEMORY when all are taken. */
rae_status_t vector_alloc(uint8_t *vector);
void vector_free(uint8_t vector);

/* Installs `fn` for `vector` (NULL removes it). The dispatcher sends the
 * local APIC its EOI after the handler returns. */
void interrupt_set_handler(uint8_t vector, interrupt_handler_t fn, void *arg);

/* Set once the local APIC is up: from then on interrupts >= 0x30 are
 * acknowledged there. */
extern bool interrupt_lapic_ready;

#endif
