/* What generic code may ask about the machine's devices. */
#ifndef HAL_PLATFORM_H
#define HAL_PLATFORM_H

#include <stdbool.h>
#include <stdint.h>

/* Whether any of the physical range [base, base+size) holds registers the
 * kernel drives itself (interrupt controllers, its timers): such memory
 * is never handed to user space, whatever resource asks. */
bool hal_phys_range_kernel_device(uint64_t base, uint64_t size);

#endif
