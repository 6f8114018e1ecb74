/* The kernel's copy of the ACPI tables: checked before it is believed,
 * then searched by physical address (tables.h). */
#include <string.h>

#include "tables.h"

rae_status_t acpi_copy_open(acpi_copy_t *c, const void *base, size_t size)
{
	const rae_acpi_tables_t *h = base;
	memset(c, 0, sizeof(*c));
	if (!base || size < sizeof(*h))
		return RAE_ERR_TRUNCATED;
	if (h->magic != RAE_ACPI_TABLES_MAGIC || h->count == 0 || h->count > RAE_ACPI_TABLES_MAX)
		return RAE_ERR_INVALID;
	uint64_t entries_end = sizeof(*h) + (uint64_t)h->count * sizeof(rae_acpi_table_t);
	if (entries_end > size || h->size > size)
		return RAE_ERR_TRUNCATED;
	if (h->size < entries_end)
		return RAE_ERR_INVALID;
	for (uint32_t i = 0; i < h->count; i++) {
		const rae_acpi_table_t *t = &h->tables[i];
		if (t->offset < entries_end || t->length == 0)
			return RAE_ERR_INVALID;
		if ((uint64_t)t->offset + t->length > h->size)
			return RAE_ERR_TRUNCATED;
		if (t->phys && t->phys + t->length < t->phys)
			return RAE_ERR_INVALID;
	}
	const rae_acpi_table_t *rsdp = &h->tables[0];
	if (memcmp(rsdp->signature, "RSD ", 4) != 0 || rsdp->length != 36)
		return RAE_ERR_INVALID;
	c->base = base;
	c->size = h->size;
	c->count = h->count;
	c->tables = h->tables;
	return RAE_OK;
}

uint64_t acpi_copy_rsdp_address(const acpi_copy_t *c)
{
	return c->tables[0].phys ? c->tables[0].phys : ACPI_COPY_RSDP_STAND_IN;
}

const void *acpi_copy_find(const acpi_copy_t *c, uint64_t phys, uint64_t len)
{
	if (len == 0 || phys + len < phys)
		return NULL;
	for (uint32_t i = 0; i < c->count; i++) {
		const rae_acpi_table_t *t = &c->tables[i];
		uint64_t at = t->phys ? t->phys : i == 0 ? ACPI_COPY_RSDP_STAND_IN : 0;
		if (at && phys >= at && phys - at <= t->length && len <= t->length - (phys - at))
			return c->base + t->offset + (phys - at);
	}
	return NULL;
}
