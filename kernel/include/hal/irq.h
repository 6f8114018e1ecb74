/* Device interrupt lines handed to interrupt objects (object/interrupt.h):
 * claiming a line routes it to a vector whose handler masks the line and
 * calls back; the owner unmasks it once the device was serviced. Lines are
 * named by global system interrupt number (GSI). Implemented by the
 * architecture (x86: the IOAPICs). */
#ifndef HAL_IRQ_H
#define HAL_IRQ_H

#include <stdbool.h>
#include <stdint.h>
#include <rae/status.h>

/* Trigger and polarity of a line. */
#define HAL_IRQ_LEVEL      0x1u
#define HAL_IRQ_ACTIVE_LOW 0x2u

/* Called in interrupt context, interrupts off, with the line already
 * masked; the end of interrupt follows when it returns. */
typedef void (*hal_irq_fn)(void *arg);

/* Whether lines can be claimed at all (false without an IOAPIC, e.g. with
 * acpi=off, where the kernel keeps the 8259 for its own timer). */
bool hal_irq_lines_available(void);

/* The GSI, trigger and polarity of ISA IRQ `isa_irq` (0-15), with the
 * firmware's overrides applied. RAE_ERR_UNSUPPORTED without lines,
 * RAE_ERR_RANGE past 15. */
rae_status_t hal_irq_isa_to_gsi(uint32_t isa_irq, uint32_t *gsi, unsigned *flags);

/*
 * Claims line `gsi` with `flags` (HAL_IRQ_*): a free vector, routed to the
 * boot CPU (never isolated), unmasked; each interrupt masks the line and
 * calls fn(arg). Returns RAE_OK; RAE_ERR_UNSUPPORTED without lines;
 * RAE_ERR_NOT_FOUND when no interrupt controller has that input;
 * RAE_ERR_BUSY when the kernel or another owner uses it;
 * RAE_ERR_NO_MEMORY when no vector is free. Thread context.
 */
rae_status_t hal_irq_claim(uint32_t gsi, unsigned flags, hal_irq_fn fn, void *arg);

/* Unmasks a claimed line (after the owner serviced the device). */
void hal_irq_unmask(uint32_t gsi);

/* Gives a claimed line back: masked, unrouted, its vector freed; returns
 * once no CPU still runs its handler, so fn's argument may be freed then.
 * Thread context, interrupts enabled, no spinlock held. */
void hal_irq_release(uint32_t gsi);

#endif
