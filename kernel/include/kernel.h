/* The generic kernel's entry point and the version it reports. */
#ifndef KERNEL_H
#define KERNEL_H

#include <compiler.h>
#include <stdint.h>
#include <rae/boot_info.h>

#define RAEENOS_VERSION "0.1.0"

/* The boot information every later part of the kernel reads. */
extern boot_info_t boot_info;

/* The timestamp counter (hal_timestamp) when the loader entered the
 * kernel, read by its first instructions: the firmware's and the loader's
 * share of the boot; 0 if the architecture cannot tell. */
extern uint64_t kernel_entry_timestamp;

/* Architecture-independent start-up, called by the arch code once the CPU
 * tables, console and boot_info are ready. Never returns. */
NORETURN void kernel_main(void);

/* The initrd module: the one named "initrd", else the first; NULL if none. */
const boot_module_t *kernel_initrd_module(void);

#endif
