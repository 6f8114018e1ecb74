/* The architecture's inter-processor interrupts. */
#ifndef HAL_SMP_H
#define HAL_SMP_H

#include <stdint.h>

typedef enum { HAL_IPI_CALL, HAL_IPI_RESCHEDULE } hal_ipi_t;

/* Sends `ipi` to the CPU whose hardware id is `hw_id`. */
void hal_send_ipi(uint32_t hw_id, hal_ipi_t ipi);

#endif
