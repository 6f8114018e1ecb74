/* libFuzzer entry point for the MADT parser: the input is the table; the
 * parser must never read outside it or leave acpi_madt_t inconsistent. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <acpi/madt.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* What must hold after any parse, good or bad. */
static void fuzz_madt_check(const acpi_madt_t *m, rae_status_t status)
{
	uint32_t gsi;
	uint32_t flags;
	char line[128];

	if (m->cpu_count > ACPI_MADT_MAX_CPUS || m->ioapic_count > ACPI_MADT_MAX_IOAPICS ||
	    m->override_count > ACPI_MADT_MAX_OVERRIDES ||
	    m->nmi_source_count > ACPI_MADT_MAX_NMI_SOURCES ||
	    m->lapic_nmi_count > ACPI_MADT_MAX_LAPIC_NMIS)
		abort();
	if (status == RAE_OK && m->lapic_address == 0)
		abort();
	for (uint32_t i = 0; i < m->cpu_count; i++) {
		if (!m->cpus[i].enabled && !m->cpus[i].online_capable)
			abort();
		for (uint32_t j = 0; j < i; j++) {
			if (m->cpus[i].apic_id == m->cpus[j].apic_id)
				abort();
		}
	}
	for (uint8_t irq = 0; irq < 16; irq++) {
		if (acpi_madt_irq_to_gsi(m, irq, &gsi, &flags) != RAE_OK)
			abort();
		if (acpi_madt_ioapic_for_gsi(m, gsi) == NULL && m->ioapic_count > 0 &&
		    m->ioapics[0].gsi_base == 0)
			abort();
	}
	if (acpi_madt_describe(m, line, sizeof(line)) < 0 ||
	    strnlen(line, sizeof(line)) == sizeof(line))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static acpi_madt_t madt;
	char err[192];
	uint8_t *copy;
	rae_status_t status;

	/* An exact-size copy, so ASan sees its end. */
	copy = malloc(size > 0 ? size : 1);
	if (copy == NULL)
		return 0;
	memcpy(copy, data, size);
	status = acpi_madt_parse(copy, size, &madt, err, sizeof(err));
	if (strnlen(err, sizeof(err)) == sizeof(err) || (status == RAE_OK) != (err[0] == '\0'))
		abort();
	fuzz_madt_check(&madt, status);
	free(copy);
	return 0;
}
