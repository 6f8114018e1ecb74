/* Per-process I/O port access (object/ioport.h), as the CPU enforces it. */
#ifndef HAL_IOPORT_H
#define HAL_IOPORT_H

/* Installs the I/O permission bitmap of the thread running on this CPU
 * (none: every port denied to user mode), copying it again if its process
 * changed it since it was last installed here. Interrupts off. The
 * architecture also does this at every thread switch. */
void hal_io_bitmap_reload(void);

#endif
