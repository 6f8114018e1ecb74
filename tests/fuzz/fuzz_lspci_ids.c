/* libFuzzer entry point for lspci's reader of the packed pci.ids table
 * (apps/coreutils/lspci.c): the input is the table. A parse may fail and a
 * lookup may find nothing, but nothing may read outside the table or
 * return a name that does not end. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lspci_ids.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint16_t probes[][2] = {{0x8086, 0x29c0},
					     {0x1af4, 0x1005},
					     {0x0000, 0x0000},
					     {0xffff, 0xffff},
					     {0x1234, 0x1111}};
	uint8_t *copy = malloc(size + 1);
	if (!copy)
		return 0;
	memcpy(copy, data, size);
	copy[size] = 0;
	ids_t ids;
	if (ids_parse(&ids, copy, size)) {
		char vendor[NAME_MAX], device[NAME_MAX], klass[NAME_MAX];
		for (size_t i = 0; i < sizeof(probes) / sizeof(probes[0]); i++) {
			ids_lookup(&ids, probes[i][0], probes[i][1], vendor, device);
			if (strnlen(vendor, NAME_MAX) == NAME_MAX ||
			    strnlen(device, NAME_MAX) == NAME_MAX)
				abort();
		}
		/* Every vendor in the table, whatever its record holds. */
		for (uint32_t i = 0; i < ids.vendor_count; i++)
			ids_lookup(&ids, get16(ids.vendors + 8 * i), 0xffff, vendor, device);
		ids_class(&ids, "0200", klass, sizeof(klass));
		ids_class(&ids, "06", klass, sizeof(klass));
		free(ids.words);
	}
	free(copy);
	return 0;
}
