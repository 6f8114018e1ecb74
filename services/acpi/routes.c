/* The PCI interrupt routing of the root bridge: its _PRT through ACPICA,
 * each record checked (prt.c), each link device resolved through its
 * current resources (_CRS) to the interrupt it is set to now. */
#include <acpi.h>

#include "acpid.h"
#include "prt.h"

_Static_assert(offsetof(struct acpi_pci_routing_table, length) == PRT_OFFSET_LENGTH, "_PRT");
_Static_assert(offsetof(struct acpi_pci_routing_table, pin) == PRT_OFFSET_PIN, "_PRT");
_Static_assert(offsetof(struct acpi_pci_routing_table, address) == PRT_OFFSET_ADDRESS, "_PRT");
_Static_assert(offsetof(struct acpi_pci_routing_table, source_index) == PRT_OFFSET_SOURCE_INDEX,
	       "_PRT");
_Static_assert(offsetof(struct acpi_pci_routing_table, source) == PRT_OFFSET_SOURCE, "_PRT");

static acpi_status routes_found(acpi_handle object, u32 depth, void *context, void **ret)
{
	(void)depth;
	(void)ret;
	acpi_handle *bridge = context;
	if (!*bridge)
		*bridge = object;
	return AE_CTRL_TERMINATE;
}

/* The first PCI Express root bridge, else the first PCI one. */
static acpi_handle routes_root_bridge(void)
{
	acpi_handle bridge = NULL;
	acpi_get_devices("PNP0A08", routes_found, &bridge, NULL);
	if (!bridge)
		acpi_get_devices("PNP0A03", routes_found, &bridge, NULL);
	return bridge;
}

/* The interrupt the link device `link` is set to (its _CRS), as a route's
 * gsi and flags. */
static void routes_resolve_link(acpi_handle link, uint32_t index, rae_acpi_route_t *r)
{
	struct acpi_buffer buf = {ACPI_ALLOCATE_BUFFER, NULL};
	r->flags |= RAE_ACPI_ROUTE_NONE;
	if (ACPI_FAILURE(acpi_get_current_resources(link, &buf)))
		return;
	const uint8_t *p = buf.pointer, *end = p + buf.length;
	while (p + offsetof(struct acpi_resource, data) <= end) {
		const struct acpi_resource *res = (const struct acpi_resource *)p;
		if (res->type == ACPI_RESOURCE_TYPE_END_TAG || res->length == 0 ||
		    res->length > (u32)(end - p))
			break;
		uint8_t triggering = 0, polarity = 0;
		uint32_t irq = 0;
		bool got = false;
		if (res->type == ACPI_RESOURCE_TYPE_IRQ && res->data.irq.interrupt_count > 0) {
			/* A legacy descriptor names an ISA IRQ. */
			uint32_t k = index < res->data.irq.interrupt_count ? index : 0;
			irq = res->data.irq.interrupts[k];
			triggering = res->data.irq.triggering;
			polarity = res->data.irq.polarity;
			got = true;
			r->flags |= RAE_ACPI_ROUTE_ISA_IRQ;
		} else if (res->type == ACPI_RESOURCE_TYPE_EXTENDED_IRQ &&
			   res->data.extended_irq.interrupt_count > 0) {
			uint32_t k = index < res->data.extended_irq.interrupt_count ? index : 0;
			irq = res->data.extended_irq.interrupts[k];
			triggering = res->data.extended_irq.triggering;
			polarity = res->data.extended_irq.polarity;
			got = true;
		}
		if (got) {
			r->gsi = irq;
			r->flags &= (uint8_t)~RAE_ACPI_ROUTE_NONE;
			if (triggering == ACPI_LEVEL_SENSITIVE)
				r->flags |= RAE_ACPI_ROUTE_LEVEL;
			if (polarity == ACPI_ACTIVE_LOW)
				r->flags |= RAE_ACPI_ROUTE_ACTIVE_LOW;
			break;
		}
		p += res->length;
	}
	acpi_os_free(buf.pointer);
}

int64_t routes_read(unsigned first, rae_acpi_route_t *out, unsigned max, unsigned *total)
{
	static prt_entry_t entries[RAE_ACPI_ROUTES_MAX];
	acpi_handle bridge = routes_root_bridge();
	if (!bridge)
		return RAE_ERR_NOT_FOUND;
	struct acpi_buffer buf = {ACPI_ALLOCATE_BUFFER, NULL};
	if (ACPI_FAILURE(acpi_get_irq_routing_table(bridge, &buf)))
		return RAE_ERR_NOT_FOUND;
	int64_t n = prt_decode(buf.pointer, buf.length, entries, RAE_ACPI_ROUTES_MAX);
	/* The bridge's bus number (_BBN), 0 when it has none. */
	uint64_t bus = 0;
	union acpi_object value;
	struct acpi_buffer result = {sizeof(value), &value};
	if (n >= 0 && ACPI_SUCCESS(acpi_evaluate_object_typed(bridge, "_BBN", NULL, &result,
							      ACPI_TYPE_INTEGER)))
		bus = value.integer.value;
	int64_t filled = 0;
	for (int64_t i = first; n >= 0 && i < n && i < RAE_ACPI_ROUTES_MAX && filled < max; i++) {
		const prt_entry_t *e = &entries[i];
		rae_acpi_route_t *r = &out[filled++];
		memset(r, 0, sizeof(*r));
		r->bus = (uint8_t)bus;
		r->device = e->device;
		r->pin = e->pin;
		if (!e->source[0]) {
			/* A GSI: PCI interrupts are level-triggered, active low. */
			r->gsi = e->source_index;
			r->flags = RAE_ACPI_ROUTE_LEVEL | RAE_ACPI_ROUTE_ACTIVE_LOW;
			continue;
		}
		r->flags = RAE_ACPI_ROUTE_LINK;
		const char *last = e->source;
		for (const char *c = e->source; *c; c++)
			if (*c == '.' || *c == '\\' || *c == '^')
				last = c + 1;
		for (unsigned k = 0; k < sizeof(r->link) - 1 && last[k]; k++)
			r->link[k] = last[k];
		acpi_handle link;
		if (ACPI_SUCCESS(acpi_get_handle(bridge, (acpi_string)e->source, &link)))
			routes_resolve_link(link, e->source_index, r);
		else
			r->flags |= RAE_ACPI_ROUTE_NONE;
	}
	acpi_os_free(buf.pointer);
	if (n < 0)
		return n;
	*total = n > RAE_ACPI_ROUTES_MAX ? RAE_ACPI_ROUTES_MAX : (unsigned)n;
	return filled;
}
