/* Kernel address space layout randomization: where the kernel image, the
 * direct map and the kernel area go on this boot. */
#ifndef ARCH_X86_64_MM_KASLR_H
#define ARCH_X86_64_MM_KASLR_H

#include <stdbool.h>
#include <stdint.h>
#include <rae/boot_info.h>

/* The address the kernel is linked at; kaslr=off keeps it there. */
#define KASLR_LINK_BASE 0xffffffff80000000ull
/* The kernel base is chosen, 2 MiB aligned, in [start, end): 508 GiB of
 * PML4 slot 511 below the link base's own 2 GiB. */
#define KASLR_KERNEL_WINDOW_START 0xffffff8000000000ull
#define KASLR_KERNEL_WINDOW_END   0xffffffff00000000ull
#define KASLR_KERNEL_ALIGN        (2ull << 20)
/* The direct map base is chosen, 1 GiB aligned, in 64 TiB from here. */
#define KASLR_DIRECT_WINDOW_START 0xffff800000000000ull
#define KASLR_DIRECT_WINDOW_SIZE  (64ull << 40)
/* The kernel area (stacks, MMIO): 64 GiB, 1 GiB aligned, in 32 TiB. */
#define KASLR_AREA_WINDOW_START 0xffffc00000000000ull
#define KASLR_AREA_WINDOW_SIZE  (32ull << 40)
#define KERNEL_AREA_SIZE        (64ull << 30)
#define KASLR_GIB               (1ull << 30)

typedef struct {
	bool enabled;
	bool show;
	uint64_t kernel_base; /* where KASLR_LINK_BASE's contents now live */
	uint64_t slide;       /* kernel_base - KASLR_LINK_BASE, modulo 2^64 */
	uint64_t direct_map_base;
	uint64_t area_base;
	/* An enum, not a string: this is filled in before the kernel has
	 * relocated itself, when pointers would still hold link addresses. */
	uint8_t entropy; /* KASLR_ENTROPY_* */
} kaslr_layout_t;

#define KASLR_ENTROPY_NONE   0
#define KASLR_ENTROPY_RDSEED 1
#define KASLR_ENTROPY_RDRAND 2
#define KASLR_ENTROPY_TSC    3

/* "RDSEED", "RDRAND", "TSC jitter" or "none". */
const char *kaslr_entropy_name(uint8_t entropy);

extern kaslr_layout_t kaslr_layout;

/* Chooses the layout from CPU entropy and `bi` (kaslr=off / kaslr=show on
 * its command line). `image_span` is the kernel's size from the link base;
 * `ram_end` the end of physical memory to direct-map. */
void kaslr_choose(kaslr_layout_t *l, const boot_info_t *bi, uint64_t image_span, uint64_t ram_end);

#endif
