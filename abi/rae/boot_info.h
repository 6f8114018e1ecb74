/* What the boot loader tells the kernel, in RaeenOS's own form. Early boot
 * fills it from the loader's data (multiboot2 today, RaeBoot later); nothing
 * after early boot looks at loader-specific structures. */
#ifndef RAE_BOOT_INFO_H
#define RAE_BOOT_INFO_H

#include <stdbool.h>
#include <stdint.h>

#define BOOT_INFO_MAX_MEM_REGIONS    128
#define BOOT_INFO_MAX_MODULES        16
#define BOOT_INFO_CMDLINE_MAX        512
#define BOOT_INFO_LOADER_NAME_MAX    64
#define BOOT_INFO_MODULE_CMDLINE_MAX 64

typedef enum {
	BOOT_FIRMWARE_UNKNOWN = 0,
	BOOT_FIRMWARE_BIOS = 1,
	BOOT_FIRMWARE_UEFI = 2,
} boot_firmware_t;

typedef enum {
	BOOT_MEM_USABLE = 1,
	BOOT_MEM_RESERVED = 2,
	BOOT_MEM_ACPI_RECLAIMABLE = 3,
	BOOT_MEM_ACPI_NVS = 4,
	BOOT_MEM_BAD = 5,
} boot_mem_type_t;

typedef struct {
	uint64_t base;
	uint64_t length;
	uint32_t type; /* boot_mem_type_t */
} boot_mem_region_t;

typedef enum {
	BOOT_FB_RGB = 1, /* direct colour; the only kind the console draws on */
	BOOT_FB_INDEXED = 2,
	BOOT_FB_EGA_TEXT = 3,
} boot_fb_type_t;

typedef struct {
	uint64_t phys_addr;
	uint32_t pitch; /* bytes per scan line */
	uint32_t width;
	uint32_t height;
	uint8_t bpp;
	uint8_t type; /* boot_fb_type_t */
	uint8_t red_pos, red_size;
	uint8_t green_pos, green_size;
	uint8_t blue_pos, blue_size;
} boot_framebuffer_t;

typedef struct {
	uint64_t start; /* physical, inclusive */
	uint64_t end;   /* physical, exclusive */
	char cmdline[BOOT_INFO_MODULE_CMDLINE_MAX];
} boot_module_t;

typedef struct boot_info {
	uint32_t firmware; /* boot_firmware_t */
	char cmdline[BOOT_INFO_CMDLINE_MAX];
	char loader_name[BOOT_INFO_LOADER_NAME_MAX];

	uint32_t mem_region_count;
	boot_mem_region_t mem_regions[BOOT_INFO_MAX_MEM_REGIONS];

	uint32_t module_count;
	boot_module_t modules[BOOT_INFO_MAX_MODULES];

	bool has_framebuffer;
	boot_framebuffer_t framebuffer;

	/* ACPI: a copy of the RSDP the loader handed over (v1: 20 bytes, v2+:
	 * 36 bytes), or rsdp_length 0 when there was none. */
	uint32_t rsdp_length;
	uint8_t rsdp[36];

	uint64_t efi_system_table; /* physical; 0 when not booted through UEFI */
} boot_info_t;

#endif
