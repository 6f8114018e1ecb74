/* The mappings the boot stub (entry.S) sets up, until the memory manager
 * builds its own: physical 0-4 GiB at DIRECT_MAP_BASE, the kernel at
 * KERNEL_VMA. */
#ifndef ARCH_X86_64_BOOT_EARLY_MAP_H
#define ARCH_X86_64_BOOT_EARLY_MAP_H

#include <stdbool.h>
#include <stdint.h>

#define KERNEL_VMA 0xffffffff80000000ull
#define DIRECT_MAP_BASE 0xffff800000000000ull
#define DIRECT_MAP_SIZE (4ull << 30)

/* Removes the boot stub's identity map of low memory, so that address 0
 * and every user-half address fault from here on. */
void early_map_drop_identity(void);

/* True when `vaddr` is mapped in the current page tables. */
bool early_map_is_mapped(uintptr_t vaddr);

#endif
