/* MADT parser: CPUs, IOAPICs, interrupt source overrides and NMI wiring from
 * the "APIC" table. Every entry is bounds-checked before a field is read. */
#include <acpi/madt.h>

#include <stdarg.h>
#include <string.h>

#include <acpi/acpi.h>
#include <lib/format.h>

#define MADT_LAPIC_ADDRESS_OFFSET 36
#define MADT_FLAGS_OFFSET         40
#define MADT_FLAG_PCAT_COMPAT     0x1u

#define MADT_CPU_ENABLED        0x1u
#define MADT_CPU_ONLINE_CAPABLE 0x2u

#define MADT_XAPIC_ID_INVALID  0xffu
#define MADT_X2APIC_ID_INVALID 0xffffffffu
#define MADT_LAPIC_NMI_UID_ALL 0xffu

#define ISA_IRQ_COUNT 16

typedef struct {
	acpi_madt_t *out;
	char *err;
	size_t err_len;
	/* The entry being parsed, for messages. */
	unsigned index;
	size_t offset;
	const uint8_t *e;
	uint8_t type;
	uint8_t length;
} madt_parser_t;

/* The fewest bytes each entry type we read needs; 0 for types we skip. */
static uint8_t madt_entry_min_length(uint8_t type)
{
	switch (type) {
	case ACPI_MADT_LAPIC: return 8;
	case ACPI_MADT_IOAPIC: return 12;
	case ACPI_MADT_OVERRIDE: return 10;
	case ACPI_MADT_NMI_SOURCE: return 8;
	case ACPI_MADT_LAPIC_NMI: return 6;
	case ACPI_MADT_LAPIC_ADDRESS: return 12;
	case ACPI_MADT_X2APIC: return 16;
	case ACPI_MADT_X2APIC_NMI: return 12;
	default: return 0;
	}
}

/* Writes "MADT entry N at offset 0xO: <message>" into err; returns status. */
static rae_status_t madt_entry_fail(madt_parser_t *p, rae_status_t status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static rae_status_t madt_entry_fail(madt_parser_t *p, rae_status_t status, const char *fmt, ...)
{
	int n;

	if (p->err == NULL || p->err_len == 0)
		return status;
	n = ksnprintf(p->err, p->err_len, "MADT entry %u at offset 0x%zx: ", p->index, p->offset);
	if (n >= 0 && (size_t)n < p->err_len) {
		va_list ap;

		va_start(ap, fmt);
		kvsnprintf(p->err + n, p->err_len - (size_t)n, fmt, ap);
		va_end(ap);
	}
	return status;
}

/* Records a CPU unless it cannot run, repeats an APIC id, or the array is full. */
static void madt_cpu_add(acpi_madt_t *m, uint32_t apic_id, uint32_t uid, uint32_t flags,
			 bool x2apic)
{
	acpi_madt_cpu_t *c;

	if ((flags & (MADT_CPU_ENABLED | MADT_CPU_ONLINE_CAPABLE)) == 0 ||
	    apic_id == (x2apic ? MADT_X2APIC_ID_INVALID : MADT_XAPIC_ID_INVALID)) {
		m->cpus_unusable++;
		return;
	}
	/* Firmware may list a CPU both as type 0 and type 9; the first entry wins. */
	for (uint32_t i = 0; i < m->cpu_count; i++) {
		if (m->cpus[i].apic_id == apic_id) {
			m->cpus_duplicate++;
			return;
		}
	}
	if (m->cpu_count >= ACPI_MADT_MAX_CPUS) {
		m->cpus_dropped++;
		return;
	}
	c = &m->cpus[m->cpu_count++];
	c->apic_id = apic_id;
	c->acpi_uid = uid;
	c->enabled = (flags & MADT_CPU_ENABLED) != 0;
	c->online_capable = !c->enabled && (flags & MADT_CPU_ONLINE_CAPABLE) != 0;
	c->x2apic = x2apic;
}

static void madt_lapic_nmi_add(acpi_madt_t *m, uint32_t uid, uint16_t flags, uint8_t lint)
{
	acpi_madt_lapic_nmi_t *n;

	if (m->lapic_nmi_count >= ACPI_MADT_MAX_LAPIC_NMIS) {
		m->lapic_nmis_dropped++;
		return;
	}
	n = &m->lapic_nmis[m->lapic_nmi_count++];
	n->acpi_uid = uid;
	n->flags = flags;
	n->lint = lint;
}

/* Reads one entry whose length has been checked against its type's minimum. */
static void madt_entry_parse(madt_parser_t *p)
{
	acpi_madt_t *m = p->out;
	const uint8_t *e = p->e;

	switch (p->type) {
	case ACPI_MADT_LAPIC: madt_cpu_add(m, e[3], e[2], acpi_read_u32(e + 4), false); break;
	case ACPI_MADT_X2APIC:
		madt_cpu_add(m, acpi_read_u32(e + 4), acpi_read_u32(e + 12), acpi_read_u32(e + 8),
			     true);
		break;
	case ACPI_MADT_IOAPIC:
		if (m->ioapic_count >= ACPI_MADT_MAX_IOAPICS) {
			m->ioapics_dropped++;
			break;
		}
		m->ioapics[m->ioapic_count++] = (acpi_madt_ioapic_t){
		    .id = e[2], .address = acpi_read_u32(e + 4), .gsi_base = acpi_read_u32(e + 8)};
		break;
	case ACPI_MADT_OVERRIDE:
		if (m->override_count >= ACPI_MADT_MAX_OVERRIDES) {
			m->overrides_dropped++;
			break;
		}
		m->overrides[m->override_count++] =
		    (acpi_madt_override_t){.bus = e[2],
					   .source_irq = e[3],
					   .gsi = acpi_read_u32(e + 4),
					   .flags = acpi_read_u16(e + 8)};
		break;
	case ACPI_MADT_NMI_SOURCE:
		if (m->nmi_source_count >= ACPI_MADT_MAX_NMI_SOURCES) {
			m->nmi_sources_dropped++;
			break;
		}
		m->nmi_sources[m->nmi_source_count++] = (acpi_madt_nmi_source_t){
		    .flags = acpi_read_u16(e + 2), .gsi = acpi_read_u32(e + 4)};
		break;
	case ACPI_MADT_LAPIC_NMI:
		madt_lapic_nmi_add(m, e[2] == MADT_LAPIC_NMI_UID_ALL ? ACPI_MADT_UID_ALL : e[2],
				   acpi_read_u16(e + 3), e[5]);
		break;
	case ACPI_MADT_X2APIC_NMI:
		madt_lapic_nmi_add(m, acpi_read_u32(e + 4), acpi_read_u16(e + 2), e[8]);
		break;
	case ACPI_MADT_LAPIC_ADDRESS:
		m->lapic_address = acpi_read_u64(e + 4);
		m->lapic_address_overridden = true;
		break;
	default: m->unknown_entries++; break;
	}
}

rae_status_t acpi_madt_parse(const void *table, size_t len, acpi_madt_t *out, char *err,
			     size_t err_len)
{
	const uint8_t *t = table;
	madt_parser_t p = {.out = out, .err = err, .err_len = err_len};
	uint32_t table_len;
	rae_status_t status;
	uint8_t min;

	memset(out, 0, sizeof(*out));
	status = acpi_sdt_check(table, len, "APIC", "MADT", ACPI_MADT_HEADER_SIZE, &table_len, err,
				err_len);
	if (status != RAE_OK)
		return status;
	out->lapic_address = acpi_read_u32(t + MADT_LAPIC_ADDRESS_OFFSET);
	out->flags = acpi_read_u32(t + MADT_FLAGS_OFFSET);
	out->pcat_compat = (out->flags & MADT_FLAG_PCAT_COMPAT) != 0;

	for (p.offset = ACPI_MADT_HEADER_SIZE; p.offset < table_len; p.offset += p.length) {
		size_t remain = table_len - p.offset;

		p.e = t + p.offset;
		if (remain < 2)
			return madt_entry_fail(&p, RAE_ERR_TRUNCATED,
					       "1 byte left, less than an entry header");
		p.type = p.e[0];
		p.length = p.e[1];
		if (p.length < 2)
			return madt_entry_fail(&p, RAE_ERR_INVALID, "type %u length %u < 2", p.type,
					       p.length);
		if (p.length > remain)
			return madt_entry_fail(&p, RAE_ERR_TRUNCATED,
					       "type %u length %u runs past the end of the table "
					       "(%zu bytes left)",
					       p.type, p.length, remain);
		min = madt_entry_min_length(p.type);
		if (p.length < min)
			return madt_entry_fail(&p, RAE_ERR_INVALID, "type %u length %u < %u",
					       p.type, p.length, min);
		madt_entry_parse(&p);
		p.index++;
	}
	if (out->lapic_address == 0) {
		if (err != NULL && err_len > 0)
			ksnprintf(err, err_len, "MADT: the local APIC address is 0");
		return RAE_ERR_INVALID;
	}
	return RAE_OK;
}

rae_status_t acpi_madt_irq_to_gsi(const acpi_madt_t *madt, uint8_t isa_irq, uint32_t *gsi,
				  uint32_t *flags)
{
	if (isa_irq >= ISA_IRQ_COUNT)
		return RAE_ERR_RANGE;
	*gsi = isa_irq;
	*flags = 0;
	for (uint32_t i = 0; i < madt->override_count; i++) {
		const acpi_madt_override_t *o = &madt->overrides[i];

		if (o->bus != 0 || o->source_irq != isa_irq)
			continue;
		*gsi = o->gsi;
		*flags = ACPI_IRQ_OVERRIDDEN;
		/* "Conforms to the bus" and the reserved encodings mean ISA's edge/high. */
		if ((o->flags & ACPI_MPS_POLARITY_MASK) == ACPI_MPS_POLARITY_LOW)
			*flags |= ACPI_IRQ_ACTIVE_LOW;
		if ((o->flags & ACPI_MPS_TRIGGER_MASK) == ACPI_MPS_TRIGGER_LEVEL)
			*flags |= ACPI_IRQ_LEVEL;
		break;
	}
	return RAE_OK;
}

const acpi_madt_ioapic_t *acpi_madt_ioapic_for_gsi(const acpi_madt_t *madt, uint32_t gsi)
{
	const acpi_madt_ioapic_t *best = NULL;

	for (uint32_t i = 0; i < madt->ioapic_count; i++) {
		const acpi_madt_ioapic_t *io = &madt->ioapics[i];

		if (io->gsi_base <= gsi && (best == NULL || io->gsi_base > best->gsi_base))
			best = io;
	}
	return best;
}

int acpi_madt_describe(const acpi_madt_t *madt, char *buf, size_t len)
{
	uint32_t x2apic = 0;

	for (uint32_t i = 0; i < madt->cpu_count; i++)
		x2apic += madt->cpus[i].x2apic;
	return ksnprintf(buf, len, "%u CPUs (%u x2APIC), %u IOAPIC%s, %u overrides, LAPIC 0x%llx%s",
			 madt->cpu_count, x2apic, madt->ioapic_count,
			 madt->ioapic_count == 1 ? "" : "s", madt->override_count,
			 (unsigned long long)madt->lapic_address,
			 madt->pcat_compat ? ", 8259s" : "");
}
