/* Multiboot2 boot information parser: turns the loader's tag list into the
 * loader-neutral boot_info_t, validating every size on the way. */
#ifndef ARCH_X86_64_BOOT_MULTIBOOT2_H
#define ARCH_X86_64_BOOT_MULTIBOOT2_H

#include <stddef.h>
#include <stdint.h>

#include <rae/boot_info.h>
#include <rae/status.h>

/* What a multiboot2 loader leaves in EAX. */
#define MB2_BOOTLOADER_MAGIC 0x36d76289

/* The most boot information the kernel will believe in; early boot passes it as avail. */
#define MB2_INFO_MAX_SIZE (1u << 20)

/*
 * Parses the multiboot2 information at info into *out.
 *
 * avail is how many bytes from info are safe to read; nothing outside
 * [info, info + avail) is touched. info must be 8-byte aligned.
 * *out is zeroed first; on success firmware is BOOT_FIRMWARE_UEFI when an EFI
 * system table tag was present, else BOOT_FIRMWARE_BIOS.
 * Singleton tags that repeat (cmdline, loader name, memory map, framebuffer,
 * EFI table, RSDP of one version): the later tag wins. A v2 RSDP (tag 15) wins
 * over a v1 one (tag 14) in any order. Memory regions and modules beyond the
 * boot_info arrays are dropped (still validated); strings are truncated to fit.
 *
 * Returns RAE_OK, or RAE_ERR_INVALID / RAE_ERR_TRUNCATED / RAE_ERR_RANGE with
 * a one-line reason in err (when err_len > 0); *out is then partially filled.
 */
rae_status_t mb2_parse(uint32_t magic, const void *info, size_t avail, boot_info_t *out, char *err,
		       size_t err_len);

#endif
