/* libFuzzer entry point for ACPI discovery and every table parser: the input
 * is XORed over a valid RSDP + memory image (so an empty input is a working
 * machine), then RSDP validation, the RSDT/XSDT walk and the parsers run on it.
 * Input byte 0 is flags: bit 0 repairs checksums as tables are mapped, so
 * mutations get past them; bit 1 offers only a 20-byte RSDP. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <acpi/acpi.h>
#include <acpi/fadt.h>
#include <acpi/hpet.h>
#include <acpi/madt.h>
#include <acpi/mcfg.h>

#include "../kernel/generic/acpi/acpi_builder.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define IMG_PHYS 0x10000ull
#define IMG_MAX  8192
#define OFF_RSDT 0x000
#define OFF_XSDT 0x080
#define OFF_MADT 0x100
#define OFF_HPET 0x200
#define OFF_MCFG 0x280
#define OFF_FADT 0x300
#define BASE_LEN 0x420

#define FLAG_REPAIR  0x1u
#define FLAG_RSDP_V1 0x2u

static uint8_t base_rsdp[36];
static uint8_t base_img[BASE_LEN];

typedef struct {
	uint8_t *img;
	size_t len;
	bool repair;
} fuzz_mem_t;

static void base_put(acpi_builder_t *b, size_t off)
{
	if (off + b->len > BASE_LEN)
		abort();
	memcpy(base_img + off, b->bytes, b->len);
}

/* The machine every input is a difference from: QEMU-like tables, RSDT and XSDT. */
static void base_build(void)
{
	static acpi_builder_t b;
	static const size_t offs[] = {OFF_MADT, OFF_HPET, OFF_MCFG, OFF_FADT};

	tb_madt_qemu(&b);
	base_put(&b, OFF_MADT);
	tb_hpet(&b, 0, 0xfed00000);
	base_put(&b, OFF_HPET);
	tb_mcfg_begin(&b);
	tb_mcfg_entry(&b, 0xb0000000, 0, 0, 255);
	tb_finish(&b);
	base_put(&b, OFF_MCFG);
	tb_fadt(&b, 6, 276);
	base_put(&b, OFF_FADT);
	tb_begin(&b, "RSDT", 1);
	for (size_t i = 0; i < 4; i++)
		tb_u32(&b, (uint32_t)(IMG_PHYS + offs[i]));
	tb_finish(&b);
	base_put(&b, OFF_RSDT);
	tb_begin(&b, "XSDT", 1);
	for (size_t i = 0; i < 4; i++)
		tb_u64(&b, IMG_PHYS + offs[i]);
	tb_finish(&b);
	base_put(&b, OFF_XSDT);

	memcpy(base_rsdp, "RSD PTR ", 8);
	memcpy(base_rsdp + 9, "BOCHS ", 6);
	base_rsdp[15] = 2;
	put_u32(base_rsdp + 16, (uint32_t)(IMG_PHYS + OFF_RSDT));
	put_u32(base_rsdp + 20, 36);
	put_u64(base_rsdp + 24, IMG_PHYS + OFF_XSDT);
	acpi_checksum_fix(base_rsdp, 20, 8);
	acpi_checksum_fix(base_rsdp, 36, 32);
}

static const void *fuzz_map(void *ctx, uint64_t phys, size_t len)
{
	fuzz_mem_t *m = ctx;
	uint8_t *p;

	if (phys < IMG_PHYS || phys - IMG_PHYS > m->len || len > m->len - (phys - IMG_PHYS))
		return NULL;
	p = m->img + (phys - IMG_PHYS);
	/* A whole-table mapping: make its checksum hold, as firmware would have. */
	if (m->repair && len >= ACPI_SDT_HEADER_SIZE && acpi_read_u32(p + 4) == len)
		acpi_checksum_fix(p, len, ACPI_SDT_CHECKSUM_OFFSET);
	return p;
}

/* Runs the parser a recorded table's signature calls for; checks its message. */
static void fuzz_table_parse(const acpi_table_entry_t *e)
{
	char err[160];
	rae_status_t status;
	acpi_madt_t madt;
	acpi_hpet_t hpet;
	acpi_mcfg_t mcfg;
	acpi_fadt_t fadt;

	if (memcmp(e->signature, "APIC", 4) == 0)
		status = acpi_madt_parse(e->table, e->length, &madt, err, sizeof(err));
	else if (memcmp(e->signature, "HPET", 4) == 0)
		status = acpi_hpet_parse(e->table, e->length, &hpet, err, sizeof(err));
	else if (memcmp(e->signature, "MCFG", 4) == 0)
		status = acpi_mcfg_parse(e->table, e->length, &mcfg, err, sizeof(err));
	else if (memcmp(e->signature, "FACP", 4) == 0)
		status = acpi_fadt_parse(e->table, e->length, &fadt, err, sizeof(err));
	else
		return;
	if (strnlen(err, sizeof(err)) == sizeof(err) || (status == RAE_OK) != (err[0] == '\0'))
		abort();
	if (status == RAE_OK && memcmp(e->signature, "MCFG", 4) == 0) {
		for (uint32_t i = 0; i < mcfg.count; i++) {
			if (mcfg.allocations[i].start_bus > mcfg.allocations[i].end_bus)
				abort();
		}
	}
}

static void fuzz_tables_check(const acpi_tables_t *t, const fuzz_mem_t *m)
{
	if (t->count > ACPI_TABLES_MAX || t->diag_count > ACPI_DIAG_MAX)
		abort();
	for (uint32_t i = 0; i < t->diag_count; i++) {
		if (strnlen(t->diag[i], ACPI_DIAG_LEN) == ACPI_DIAG_LEN)
			abort();
	}
	for (uint32_t i = 0; i < t->count; i++) {
		const acpi_table_entry_t *e = &t->tables[i];
		const uint8_t *p = e->table;

		if (p < m->img || (size_t)(p - m->img) > m->len ||
		    e->length > m->len - (size_t)(p - m->img) || e->length < ACPI_SDT_HEADER_SIZE)
			abort();
		/* Repairs may rewrite a byte of an overlapping table already recorded. */
		if (!m->repair &&
		    (acpi_checksum(p, e->length) != 0 || acpi_read_u32(p + 4) != e->length))
			abort();
		fuzz_table_parse(e);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool built;
	static acpi_tables_t tables;
	uint8_t rsdp[36];
	uint8_t flags = 0;
	fuzz_mem_t m;
	acpi_rsdp_info_t info;
	char err[192];
	rae_status_t status;

	if (!built) {
		base_build();
		built = true;
	}
	if (size > 0) {
		flags = data[0];
		data++;
		size--;
	}
	memcpy(rsdp, base_rsdp, sizeof(rsdp));
	for (size_t i = 0; i < size && i < sizeof(rsdp); i++)
		rsdp[i] ^= data[i];
	m.repair = (flags & FLAG_REPAIR) != 0;
	m.len = BASE_LEN;
	if (size > sizeof(rsdp) && size - sizeof(rsdp) > m.len)
		m.len = size - sizeof(rsdp) > IMG_MAX ? IMG_MAX : size - sizeof(rsdp);
	/* An exact-size image, so ASan sees its end. */
	m.img = calloc(1, m.len);
	if (m.img == NULL)
		return 0;
	memcpy(m.img, base_img, BASE_LEN);
	for (size_t i = sizeof(rsdp); i < size && i - sizeof(rsdp) < m.len; i++)
		m.img[i - sizeof(rsdp)] ^= data[i];
	if (m.repair) {
		acpi_checksum_fix(rsdp, 20, 8);
		if (acpi_read_u32(rsdp + 20) <= sizeof(rsdp))
			acpi_checksum_fix(rsdp, sizeof(rsdp), 32);
	}

	status = acpi_rsdp_validate(rsdp, (flags & FLAG_RSDP_V1) ? 20 : sizeof(rsdp), &info, err,
				    sizeof(err));
	if (strnlen(err, sizeof(err)) == sizeof(err) || (status == RAE_OK) != (err[0] == '\0'))
		abort();
	if (status == RAE_OK) {
		if (info.root_phys == 0)
			abort();
		status = acpi_tables_init(&tables, &info, fuzz_map, &m, err, sizeof(err));
		if (strnlen(err, sizeof(err)) == sizeof(err) ||
		    (status == RAE_OK) != (err[0] == '\0'))
			abort();
		fuzz_tables_check(&tables, &m);
	}
	/* The scan fallback over the same bytes. */
	acpi_find_rsdp_in(m.img, m.len, IMG_PHYS, &info, err, sizeof(err));
	free(m.img);
	return 0;
}
