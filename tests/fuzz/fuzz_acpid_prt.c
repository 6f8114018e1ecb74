/* libFuzzer entry point for the ACPI service's _PRT walker and its view of
 * the kernel's table copy (services/acpi/prt.c, tables.c): the input is
 * either; neither may read outside it, and what they accept must hold. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "acpi/prt.h"
#include "acpi/tables.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static prt_entry_t out[16];
	/* A private, aligned copy of exactly size bytes, so ASan sees any
	 * read past the end. */
	uint8_t *buf = malloc(size ? size : 1);
	if (!buf)
		return 0;
	memcpy(buf, data, size);
	int64_t n = prt_decode(buf, size, out, 16);
	for (int64_t i = 0; i < n && i < 16; i++)
		if (out[i].device > 31 || out[i].pin > 3 || strlen(out[i].source) >= PRT_SOURCE_MAX)
			abort();
	acpi_copy_t c;
	if (size >= sizeof(rae_acpi_tables_t) && acpi_copy_open(&c, buf, size) == RAE_OK) {
		for (uint32_t i = 0; i < c.count; i++) {
			const rae_acpi_table_t *t = &c.tables[i];
			uint64_t at = t->phys ? t->phys : ACPI_COPY_RSDP_STAND_IN;
			const uint8_t *p = acpi_copy_find(&c, at, t->length);
			if (t->phys || i == 0) {
				if (!p)
					abort();
				volatile uint8_t last = p[t->length - 1];
				(void)last;
			}
		}
	}
	free(buf);
	return 0;
}
