/* Memory maps real firmware hands the kernel, for the memory-map tests:
 * QEMU's q35 with SeaBIOS at 3 GiB and 16 GiB (low RAM ends at 2 GiB, the
 * ACPI tables sit in a reserved range just below it, the rest of RAM is
 * above 4 GiB) and with OVMF at 8 GiB (ACPI and NVS ranges between usable
 * ones). */
#ifndef TESTS_MEMORY_MAPS_H
#define TESTS_MEMORY_MAPS_H

#include <string.h>

#include <rae/boot_info.h>

#define GIB (1ull << 30)

typedef struct {
	uint64_t base, length;
	uint32_t type;
} map_entry_t;

static const map_entry_t SEABIOS_Q35_3G[] = {
    {0x0, 0x9fc00, BOOT_MEM_USABLE},
    {0x9fc00, 0x400, BOOT_MEM_RESERVED},
    {0xf0000, 0x10000, BOOT_MEM_RESERVED},
    {0x100000, 0x7fee0000, BOOT_MEM_USABLE},
    {0x7ffe0000, 0x20000, BOOT_MEM_RESERVED},    /* SeaBIOS's zone: the ACPI tables */
    {0xb0000000, 0x10000000, BOOT_MEM_RESERVED}, /* PCIe MMCONFIG */
    {0xfed1c000, 0x4000, BOOT_MEM_RESERVED},
    {0xfeffc000, 0x4000, BOOT_MEM_RESERVED},
    {0xfffc0000, 0x40000, BOOT_MEM_RESERVED},
    {0x100000000, 0x40000000, BOOT_MEM_USABLE},
};

static const map_entry_t SEABIOS_Q35_16G[] = {
    {0x0, 0x9fc00, BOOT_MEM_USABLE},          {0x9fc00, 0x400, BOOT_MEM_RESERVED},
    {0xf0000, 0x10000, BOOT_MEM_RESERVED},    {0x100000, 0x7fee0000, BOOT_MEM_USABLE},
    {0x7ffe0000, 0x20000, BOOT_MEM_RESERVED}, {0xb0000000, 0x10000000, BOOT_MEM_RESERVED},
    {0xfed1c000, 0x4000, BOOT_MEM_RESERVED},  {0xfeffc000, 0x4000, BOOT_MEM_RESERVED},
    {0xfffc0000, 0x40000, BOOT_MEM_RESERVED}, {0x100000000, 0x380000000, BOOT_MEM_USABLE},
};

/* Out of order, as some firmware lists it, with NVS above the last usable
 * byte. */
static const map_entry_t OVMF_Q35_8G[] = {
    {0x100000000, 0x180000000, BOOT_MEM_USABLE},
    {0x0, 0xa0000, BOOT_MEM_USABLE},
    {0x100000, 0x700000, BOOT_MEM_USABLE},
    {0x800000, 0x8000, BOOT_MEM_ACPI_NVS},
    {0x808000, 0x8000, BOOT_MEM_USABLE},
    {0x810000, 0xf0000, BOOT_MEM_ACPI_NVS},
    {0x900000, 0x7e6ee000, BOOT_MEM_USABLE},
    {0x7efee000, 0x20000, BOOT_MEM_RESERVED},
    {0x7f00e000, 0x79000, BOOT_MEM_ACPI_RECLAIMABLE},
    {0x7f087000, 0x4000, BOOT_MEM_ACPI_RECLAIMABLE},
    {0x7f08b000, 0x6f4000, BOOT_MEM_USABLE},
    {0x7f77f000, 0x800000, BOOT_MEM_RESERVED},
    {0x7ff7f000, 0x80000, BOOT_MEM_ACPI_NVS},
    {0x7ffff000, 0x1000, BOOT_MEM_USABLE},
    {0xb0000000, 0x10000000, BOOT_MEM_RESERVED},
    {0xfd00000000, 0x300000000, BOOT_MEM_RESERVED}, /* the HyperTransport hole */
    {0x300000000, 0x10000, BOOT_MEM_ACPI_NVS},
};

static inline void boot_info_from(boot_info_t *bi, const map_entry_t *m, unsigned n)
{
	memset(bi, 0, sizeof(*bi));
	for (unsigned i = 0; i < n; i++)
		bi->mem_regions[i] = (boot_mem_region_t){m[i].base, m[i].length, m[i].type};
	bi->mem_region_count = n;
}

#define BOOT_INFO_FROM(bi, map) boot_info_from((bi), (map), sizeof(map) / sizeof((map)[0]))

#endif
