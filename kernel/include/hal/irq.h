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
 * Claims line `gsi` with `flags` (HAL_IRQ_*) for owner `arg`: a free
 * vector, routed to the boot CPU (never isolated), unmasked; each
 * interrupt masks the line and calls fn(arg) of every owner. A
 * level-triggered line can have up to 8 owners (same flags; each arg
 * once). Returns RAE_OK; RAE_ERR_UNSUPPORTED without lines;
 * RAE_ERR_NOT_FOUND when no interrupt controller has that input;
 * RAE_ERR_BUSY when the kernel uses it, or another owner does and it
 * cannot be shared (edge-triggered, other flags, no room);
 * RAE_ERR_NO_MEMORY when no vector is free. Thread context.
 */
rae_status_t hal_irq_claim(uint32_t gsi, unsigned flags, hal_irq_fn fn, void *arg);

/* Owner `arg` serviced its device: the line is unmasked once no owner
 * still has an interrupt it did not acknowledge. */
void hal_irq_unmask(uint32_t gsi, void *arg);

/* Owner `arg` gives the line back; the last owner's release masks and
 * unroutes it and frees its vector. Returns once no CPU still runs fn for
 * `arg`, so it may be freed then. Thread context, interrupts enabled, no
 * spinlock held. */
void hal_irq_release(uint32_t gsi, void *arg);

#endif
