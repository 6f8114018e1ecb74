/* libFuzzer entry point for the multiboot2 parser: the input is the boot
 * information block; the parser must never read outside it or leave boot_info
 * inconsistent. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <arch/x86_64/boot/multiboot2.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* What must hold after any parse, good or bad. */
static void fuzz_info_check(const boot_info_t *info)
{
	uint32_t i;

	if (info->mem_region_count > BOOT_INFO_MAX_MEM_REGIONS ||
	    info->module_count > BOOT_INFO_MAX_MODULES ||
	    strnlen(info->cmdline, sizeof(info->cmdline)) == sizeof(info->cmdline) ||
	    strnlen(info->loader_name, sizeof(info->loader_name)) == sizeof(info->loader_name))
		abort();
	if (info->rsdp_length != 0 && (info->rsdp_length < 20 || info->rsdp_length > 36))
		abort();
	for (i = 0; i < info->mem_region_count; i++) {
		if (info->mem_regions[i].length > UINT64_MAX - info->mem_regions[i].base)
			abort();
	}
	for (i = 0; i < info->module_count; i++) {
		if (info->modules[i].start > info->modules[i].end)
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static boot_info_t info;
	char err[192];
	uint8_t *copy;
	rae_status_t status;

	/* An exact-size copy: 8-aligned as the parser needs, and ASan sees its end. */
	copy = malloc(size > 0 ? size : 1);
	if (copy == NULL)
		return 0;
	memcpy(copy, data, size);
	status = mb2_parse(MB2_BOOTLOADER_MAGIC, copy, size, &info, err, sizeof(err));
	if (strnlen(err, sizeof(err)) == sizeof(err) || (status == RAE_OK) != (err[0] == '\0'))
		abort();
	fuzz_info_check(&info);
	free(copy);
	return 0;
}
