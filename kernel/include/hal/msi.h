/* Message-signalled interrupts (MSI, MSI-X) for interrupt objects made
 * against a device (object/device.h): a vector on a CPU chosen to spread
 * them, and the address and data a device writes to raise it. Implemented
 * by the architecture (x86: the local APICs). */
#ifndef HAL_MSI_H
#define HAL_MSI_H

#include <stdbool.h>
#include <stdint.h>
#include <hal/irq.h>
#include <rae/status.h>

/* One claimed message. Filled by hal_msi_claim; immutable until released. */
typedef struct {
	uint64_t address; /* what the device writes to... */
	uint32_t data;    /* ...and the value */
	uint8_t vector;
	unsigned cpu; /* the CPU (logical number) it interrupts */
} hal_msi_t;

/* Whether messages can be delivered at all (the local APIC runs). */
bool hal_msi_available(void);

/*
 * Claims a vector on the online, non-isolated CPU with the fewest messages
 * routed to it, so that each message calls fn(arg) there (interrupt context,
 * interrupts off; the end of interrupt follows when fn returns), and fills
 * *msi. RAE_OK; RAE_ERR_UNSUPPORTED without a local APIC; RAE_ERR_NO_MEMORY
 * when no vector is free. Thread context.
 */
rae_status_t hal_msi_claim(hal_irq_fn fn, void *arg, hal_msi_t *msi);

/* Frees a claimed message's vector once no CPU still runs fn for it; the
 * device must no longer send it (masked or disabled). Thread context,
 * interrupts enabled, no spinlock held. */
void hal_msi_release(const hal_msi_t *msi);

/* The CPU hal_msi_claim picks: the eligible one of `count` with the least
 * `load`, the lowest number on a tie; `count` when none is eligible. Pure
 * (the kernel test checks the spreading with it). */
unsigned hal_msi_cpu_choose(unsigned count, const bool *eligible, const unsigned *load);

#endif
