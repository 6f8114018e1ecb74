/* Host tests for the MADT parser: valid tables checked field by field, every
 * malformed entry shape checked for its error, overrides applied by
 * acpi_madt_irq_to_gsi, and mutated tables run under ASan. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <acpi/madt.h>

#include "acpi_builder.h"

static acpi_builder_t builder;
static acpi_madt_t madt;
static char err[256];

static rae_status_t parse_madt(const void *table, size_t len, char *e, size_t e_len)
{
	return acpi_madt_parse(table, len, &madt, e, e_len);
}

static rae_status_t parse_exact(const uint8_t *src, size_t len)
{
	return tb_parse_exact(parse_madt, "MADT", src, len, err, sizeof(err));
}

static rae_status_t parse_builder(void)
{
	return parse_exact(builder.bytes, builder.len);
}

static void test_madt_qemu(void **state)
{
	char line[128];

	(void)state;
	tb_madt_qemu(&builder);
	assert_int_equal(parse_builder(), RAE_OK);
	assert_int_equal(madt.lapic_address, 0xfee00000);
	assert_false(madt.lapic_address_overridden);
	assert_true(madt.pcat_compat);
	assert_int_equal(madt.cpu_count, 2);
	assert_int_equal(madt.cpus[1].apic_id, 1);
	assert_int_equal(madt.cpus[1].acpi_uid, 1);
	assert_true(madt.cpus[1].enabled);
	assert_false(madt.cpus[1].x2apic);
	assert_int_equal(madt.ioapic_count, 1);
	assert_int_equal(madt.ioapics[0].address, 0xfec00000);
	assert_int_equal(madt.ioapics[0].gsi_base, 0);
	assert_int_equal(madt.override_count, 5);
	assert_int_equal(madt.overrides[1].source_irq, 5);
	assert_int_equal(madt.overrides[1].flags, 0xd);
	assert_int_equal(madt.lapic_nmi_count, 1);
	assert_int_equal(madt.lapic_nmis[0].acpi_uid, ACPI_MADT_UID_ALL);
	assert_int_equal(madt.lapic_nmis[0].lint, 1);
	assert_int_equal(madt.unknown_entries, 0);
	acpi_madt_describe(&madt, line, sizeof(line));
	assert_string_equal(line,
			    "2 CPUs (0 x2APIC), 1 IOAPIC, 5 overrides, LAPIC 0xfee00000, 8259s");
}

static void test_madt_all_entry_types(void **state)
{
	(void)state;
	tb_madt_begin(&builder, 0xfee00000, 0);
	tb_madt_lapic(&builder, 0, 0, 1);
	tb_madt_x2apic(&builder, 0x100, 1, 7);
	tb_madt_nmi_source(&builder, 0xf, 3);
	tb_madt_x2apic_nmi(&builder, 0x5, 7, 1);
	tb_madt_lapic_address(&builder, 0x1fee00000ull);
	/* Unknown types of several lengths, including one longer than any we know. */
	tb_u8(&builder, 0x7f);
	tb_u8(&builder, 2);
	tb_u8(&builder, 11);
	tb_u8(&builder, 80);
	tb_bytes(&builder, NULL, 78);
	/* A known type longer than its minimum: the extra bytes are skipped. */
	tb_u8(&builder, 1);
	tb_u8(&builder, 16);
	tb_u8(&builder, 4);
	tb_u8(&builder, 0);
	tb_u32(&builder, 0xfec01000);
	tb_u32(&builder, 24);
	tb_u32(&builder, 0xdeadbeef);
	tb_finish(&builder);
	assert_int_equal(parse_builder(), RAE_OK);
	assert_false(madt.pcat_compat);
	assert_int_equal(madt.lapic_address, 0x1fee00000ull);
	assert_true(madt.lapic_address_overridden);
	assert_int_equal(madt.cpu_count, 2);
	assert_true(madt.cpus[1].x2apic);
	assert_int_equal(madt.cpus[1].apic_id, 0x100);
	assert_int_equal(madt.cpus[1].acpi_uid, 7);
	assert_int_equal(madt.nmi_source_count, 1);
	assert_int_equal(madt.nmi_sources[0].gsi, 3);
	assert_int_equal(madt.nmi_sources[0].flags, 0xf);
	assert_int_equal(madt.lapic_nmi_count, 1);
	assert_int_equal(madt.lapic_nmis[0].acpi_uid, 7);
	assert_int_equal(madt.lapic_nmis[0].flags, 5);
	assert_int_equal(madt.lapic_nmis[0].lint, 1);
	assert_int_equal(madt.unknown_entries, 2);
	assert_int_equal(madt.ioapic_count, 1);
	assert_int_equal(madt.ioapics[0].id, 4);
	assert_int_equal(madt.ioapics[0].gsi_base, 24);
}

static void test_madt_irq_to_gsi(void **state)
{
	uint32_t gsi;
	uint32_t flags;

	(void)state;
	tb_madt_begin(&builder, 0xfee00000, 1);
	tb_madt_ioapic(&builder, 0, 0xfec00000, 0);
	tb_madt_override(&builder, 0, 0, 2, 0);
	tb_madt_override(&builder, 0, 9, 20, 0xf); /* level, active low */
	tb_madt_override(&builder, 0, 9, 21, 0);   /* a second one for IRQ 9: ignored */
	tb_madt_override(&builder, 1, 4, 30, 0xf); /* not ISA: ignored */
	tb_madt_override(&builder, 0, 7, 7, 0x2);  /* reserved polarity: ISA default */
	tb_madt_override(&builder, 0, 8, 8, 0x5);  /* explicitly edge, high */
	tb_finish(&builder);
	assert_int_equal(parse_builder(), RAE_OK);

	assert_int_equal(acpi_madt_irq_to_gsi(&madt, 0, &gsi, &flags), RAE_OK);
	assert_int_equal(gsi, 2);
	assert_int_equal(flags, ACPI_IRQ_OVERRIDDEN);
	assert_int_equal(acpi_madt_irq_to_gsi(&madt, 9, &gsi, &flags), RAE_OK);
	assert_int_equal(gsi, 20);
	assert_int_equal(flags, ACPI_IRQ_OVERRIDDEN | ACPI_IRQ_LEVEL | ACPI_IRQ_ACTIVE_LOW);
	assert_int_equal(acpi_madt_irq_to_gsi(&madt, 4, &gsi, &flags), RAE_OK);
	assert_int_equal(gsi, 4);
	assert_int_equal(flags, 0);
	assert_int_equal(acpi_madt_irq_to_gsi(&madt, 1, &gsi, &flags), RAE_OK);
	assert_int_equal(gsi, 1);
	assert_int_equal(flags, 0);
	assert_int_equal(acpi_madt_irq_to_gsi(&madt, 7, &gsi, &flags), RAE_OK);
	assert_int_equal(flags, ACPI_IRQ_OVERRIDDEN);
	assert_int_equal(acpi_madt_irq_to_gsi(&madt, 8, &gsi, &flags), RAE_OK);
	assert_int_equal(flags, ACPI_IRQ_OVERRIDDEN);
	assert_int_equal(acpi_madt_irq_to_gsi(&madt, 15, &gsi, &flags), RAE_OK);
	assert_int_equal(gsi, 15);
	assert_int_equal(acpi_madt_irq_to_gsi(&madt, 16, &gsi, &flags), RAE_ERR_RANGE);
}

static void test_madt_ioapic_for_gsi(void **state)
{
	(void)state;
	tb_madt_begin(&builder, 0xfee00000, 0);
	tb_madt_ioapic(&builder, 2, 0xfec10000, 24);
	tb_madt_ioapic(&builder, 1, 0xfec00000, 0);
	tb_finish(&builder);
	assert_int_equal(parse_builder(), RAE_OK);
	assert_int_equal(acpi_madt_ioapic_for_gsi(&madt, 0)->id, 1);
	assert_int_equal(acpi_madt_ioapic_for_gsi(&madt, 23)->id, 1);
	assert_int_equal(acpi_madt_ioapic_for_gsi(&madt, 24)->id, 2);
	assert_int_equal(acpi_madt_ioapic_for_gsi(&madt, 1000)->id, 2);

	/* Higher bases only: low GSIs have no IOAPIC. */
	tb_madt_begin(&builder, 0xfee00000, 0);
	tb_madt_ioapic(&builder, 2, 0xfec10000, 24);
	tb_finish(&builder);
	assert_int_equal(parse_builder(), RAE_OK);
	assert_null(acpi_madt_ioapic_for_gsi(&madt, 5));
}

static void test_madt_zero_ioapics(void **state)
{
	uint32_t gsi;
	uint32_t flags;

	(void)state;
	tb_madt_begin(&builder, 0xfee00000, 1);
	tb_madt_lapic(&builder, 0, 0, 1);
	tb_finish(&builder);
	assert_int_equal(parse_builder(), RAE_OK);
	assert_int_equal(madt.ioapic_count, 0);
	assert_null(acpi_madt_ioapic_for_gsi(&madt, 0));
	assert_int_equal(acpi_madt_irq_to_gsi(&madt, 0, &gsi, &flags), RAE_OK);
	assert_int_equal(gsi, 0);
	assert_int_equal(flags, 0);

	/* No entries at all is a valid, if useless, table. */
	tb_madt_begin(&builder, 0xfee00000, 0);
	tb_finish(&builder);
	assert_int_equal(parse_builder(), RAE_OK);
	assert_int_equal(madt.cpu_count, 0);
}

static void test_madt_cpu_filtering(void **state)
{
	(void)state;
	tb_madt_begin(&builder, 0xfee00000, 0);
	tb_madt_lapic(&builder, 0, 0, 1);
	tb_madt_lapic(&builder, 1, 1, 0);           /* neither enabled nor online-capable */
	tb_madt_lapic(&builder, 2, 2, 2);           /* online-capable */
	tb_madt_lapic(&builder, 3, 0xff, 1);        /* broadcast id */
	tb_madt_x2apic(&builder, 0, 1, 0);          /* CPU 0 again, as x2APIC */
	tb_madt_x2apic(&builder, 0xffffffff, 1, 9); /* invalid x2APIC id */
	tb_madt_x2apic(&builder, 0x1ff, 3, 10);     /* enabled wins over online-capable */
	tb_finish(&builder);
	assert_int_equal(parse_builder(), RAE_OK);
	assert_int_equal(madt.cpu_count, 3);
	assert_int_equal(madt.cpus_unusable, 3);
	assert_int_equal(madt.cpus_duplicate, 1);
	assert_false(madt.cpus[1].enabled);
	assert_true(madt.cpus[1].online_capable);
	assert_int_equal(madt.cpus[2].apic_id, 0x1ff);
	assert_true(madt.cpus[2].enabled);
	assert_false(madt.cpus[2].online_capable);
}

static void test_madt_overflow(void **state)
{
	(void)state;
	tb_madt_begin(&builder, 0xfee00000, 0);
	for (unsigned i = 0; i < 70; i++)
		tb_madt_lapic(&builder, (uint8_t)i, (uint8_t)i, 1);
	for (unsigned i = 0; i < 10; i++)
		tb_madt_ioapic(&builder, (uint8_t)i, 0xfec00000 + i * 0x1000, i * 24);
	for (unsigned i = 0; i < 40; i++)
		tb_madt_override(&builder, 0, (uint8_t)i, i, 0);
	for (unsigned i = 0; i < 10; i++)
		tb_madt_nmi_source(&builder, 0, i);
	for (unsigned i = 0; i < 70; i++)
		tb_madt_lapic_nmi(&builder, (uint8_t)i, 0, 1);
	tb_finish(&builder);
	assert_int_equal(parse_builder(), RAE_OK);
	assert_int_equal(madt.cpu_count, ACPI_MADT_MAX_CPUS);
	assert_int_equal(madt.cpus_dropped, 70 - ACPI_MADT_MAX_CPUS);
	assert_int_equal(madt.cpus[ACPI_MADT_MAX_CPUS - 1].apic_id, ACPI_MADT_MAX_CPUS - 1);
	assert_int_equal(madt.ioapic_count, ACPI_MADT_MAX_IOAPICS);
	assert_int_equal(madt.ioapics_dropped, 2);
	assert_int_equal(madt.override_count, ACPI_MADT_MAX_OVERRIDES);
	assert_int_equal(madt.overrides_dropped, 8);
	assert_int_equal(madt.nmi_source_count, ACPI_MADT_MAX_NMI_SOURCES);
	assert_int_equal(madt.nmi_sources_dropped, 2);
	assert_int_equal(madt.lapic_nmi_count, ACPI_MADT_MAX_LAPIC_NMIS);
	assert_int_equal(madt.lapic_nmis_dropped, 6);
}

static void test_madt_entry_length_errors(void **state)
{
	(void)state;
	/* Entry 3 at 0x5c: after three 16-byte x2APIC entries, an IOAPIC of length 8. */
	tb_madt_begin(&builder, 0xfee00000, 0);
	for (uint32_t i = 0; i < 3; i++)
		tb_madt_x2apic(&builder, i, 1, i);
	tb_u8(&builder, 1);
	tb_u8(&builder, 8);
	tb_bytes(&builder, NULL, 6);
	tb_finish(&builder);
	assert_int_equal(parse_builder(), RAE_ERR_INVALID);
	assert_string_equal(err, "MADT entry 3 at offset 0x5c: type 1 length 8 < 12");

	/* Lengths 0 and 1 would never advance. */
	for (uint8_t l = 0; l < 2; l++) {
		tb_madt_begin(&builder, 0xfee00000, 0);
		tb_madt_lapic(&builder, 0, 0, 1);
		tb_u8(&builder, 0);
		tb_u8(&builder, l);
		tb_bytes(&builder, NULL, 6);
		tb_finish(&builder);
		assert_int_equal(parse_builder(), RAE_ERR_INVALID);
		assert_non_null(strstr(err, "MADT entry 1 at offset 0x34: type 0 length"));
		assert_non_null(strstr(err, "< 2"));
	}

	/* The last entry runs past the end of the table. */
	tb_madt_begin(&builder, 0xfee00000, 0);
	tb_madt_lapic(&builder, 0, 0, 1);
	tb_u8(&builder, 1);
	tb_u8(&builder, 12);
	tb_bytes(&builder, NULL, 6);
	tb_finish(&builder);
	assert_int_equal(parse_builder(), RAE_ERR_TRUNCATED);
	assert_string_equal(err, "MADT entry 1 at offset 0x34: type 1 length 12 runs past the end "
				 "of the table (8 bytes left)");

	/* A single byte left over after the last entry. */
	tb_madt_begin(&builder, 0xfee00000, 0);
	tb_madt_lapic(&builder, 0, 0, 1);
	tb_u8(&builder, 0);
	tb_finish(&builder);
	assert_int_equal(parse_builder(), RAE_ERR_TRUNCATED);
	assert_non_null(strstr(err, "1 byte left"));
}

static void test_madt_entry_too_short_for_type(void **state)
{
	static const uint8_t mins[][2] = {{0, 8}, {1, 12}, {2, 10}, {3, 8},
					  {4, 6}, {5, 12}, {9, 16}, {10, 12}};
	char want[64];

	(void)state;
	for (size_t i = 0; i < sizeof(mins) / sizeof(mins[0]); i++) {
		tb_madt_begin(&builder, 0xfee00000, 0);
		tb_u8(&builder, mins[i][0]);
		tb_u8(&builder, (uint8_t)(mins[i][1] - 1));
		tb_bytes(&builder, NULL, mins[i][1] - 3u);
		tb_finish(&builder);
		assert_int_equal(parse_builder(), RAE_ERR_INVALID);
		snprintf(want, sizeof(want), "MADT entry 0 at offset 0x2c: type %u length %u < %u",
			 mins[i][0], mins[i][1] - 1, mins[i][1]);
		assert_string_equal(err, want);

		/* Exactly the minimum is fine (nonzero fields: a type 5 address of 0 is not). */
		tb_madt_begin(&builder, 0xfee00000, 0);
		tb_u8(&builder, mins[i][0]);
		tb_u8(&builder, mins[i][1]);
		memset(builder.bytes + builder.len, 1, mins[i][1] - 2u);
		builder.len += mins[i][1] - 2u;
		tb_finish(&builder);
		assert_int_equal(parse_builder(), RAE_OK);
	}
}

static void test_madt_header_errors(void **state)
{
	(void)state;
	tb_madt_qemu(&builder);
	builder.bytes[0] = 'X';
	assert_int_equal(parse_builder(), RAE_ERR_INVALID);
	assert_string_equal(err, "MADT: signature \"XPIC\", expected \"APIC\"");

	/* Header length shorter than the MADT's fixed part. */
	tb_madt_qemu(&builder);
	put_u32(builder.bytes + 4, 43);
	assert_int_equal(parse_builder(), RAE_ERR_INVALID);
	assert_non_null(strstr(err, "length 43, less than the 44 bytes"));

	/* Header length longer than what the caller can read. */
	tb_madt_qemu(&builder);
	assert_int_equal(parse_exact(builder.bytes, builder.len - 1), RAE_ERR_TRUNCATED);
	assert_non_null(strstr(err, "but only"));

	/* Not even a header. */
	assert_int_equal(parse_exact(builder.bytes, 35), RAE_ERR_TRUNCATED);
	assert_int_equal(parse_exact(builder.bytes, 0), RAE_ERR_TRUNCATED);
	assert_int_equal(acpi_madt_parse(NULL, 100, &madt, err, sizeof(err)), RAE_ERR_TRUNCATED);

	/* A zero local APIC address with no override. */
	tb_madt_begin(&builder, 0, 0);
	tb_madt_lapic(&builder, 0, 0, 1);
	tb_finish(&builder);
	assert_int_equal(parse_builder(), RAE_ERR_INVALID);
	assert_string_equal(err, "MADT: the local APIC address is 0");

	/* No err buffer at all. */
	assert_int_equal(acpi_madt_parse(builder.bytes, builder.len, &madt, NULL, 0),
			 RAE_ERR_INVALID);
}

static void test_madt_bounded_by_header_length(void **state)
{
	uint8_t buf[256];

	(void)state;
	/* Bytes after the header length are not the table's, even if readable. */
	tb_madt_qemu(&builder);
	memcpy(buf, builder.bytes, builder.len);
	buf[builder.len] = 0;
	buf[builder.len + 1] = 0; /* an entry of length 0, outside the table */
	assert_int_equal(parse_exact(buf, builder.len + 2), RAE_OK);
	assert_int_equal(madt.cpu_count, 2);

	/* Header length cutting the entries short: the cut entry is reported. */
	put_u32(buf + 4, 44 + 8 + 4);
	assert_int_equal(parse_exact(buf, builder.len), RAE_ERR_TRUNCATED);
	assert_non_null(strstr(err, "MADT entry 1 at offset 0x34: type 0 length 8 runs past"));
}

/* xorshift64*: a fixed sequence so a failing iteration can be replayed. */
static uint64_t rng_state;

static uint64_t rng_next(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545F4914F6CDD1DULL;
}

/* What must hold after any parse, good or bad. */
static void madt_sane_check(rae_status_t status)
{
	uint32_t gsi;
	uint32_t flags;

	assert_true(madt.cpu_count <= ACPI_MADT_MAX_CPUS);
	assert_true(madt.ioapic_count <= ACPI_MADT_MAX_IOAPICS);
	assert_true(madt.override_count <= ACPI_MADT_MAX_OVERRIDES);
	assert_true(madt.nmi_source_count <= ACPI_MADT_MAX_NMI_SOURCES);
	assert_true(madt.lapic_nmi_count <= ACPI_MADT_MAX_LAPIC_NMIS);
	for (uint32_t i = 0; i < madt.cpu_count; i++) {
		assert_true(madt.cpus[i].enabled || madt.cpus[i].online_capable);
		for (uint32_t j = 0; j < i; j++)
			assert_true(madt.cpus[i].apic_id != madt.cpus[j].apic_id);
	}
	if (status == RAE_OK)
		assert_true(madt.lapic_address != 0);
	for (uint8_t irq = 0; irq < 16; irq++) {
		assert_int_equal(acpi_madt_irq_to_gsi(&madt, irq, &gsi, &flags), RAE_OK);
		assert_true(
		    (flags & ~(ACPI_IRQ_ACTIVE_LOW | ACPI_IRQ_LEVEL | ACPI_IRQ_OVERRIDDEN)) == 0);
	}
}

/* A valid MADT with one of everything, for the mutation loop. */
static void build_rich_madt(acpi_builder_t *b)
{
	tb_madt_begin(b, 0xfee00000, 1);
	tb_madt_lapic(b, 0, 0, 1);
	tb_madt_lapic(b, 1, 1, 1);
	tb_madt_x2apic(b, 0x100, 1, 2);
	tb_madt_ioapic(b, 0, 0xfec00000, 0);
	tb_madt_ioapic(b, 1, 0xfec01000, 24);
	tb_madt_override(b, 0, 0, 2, 0);
	tb_madt_override(b, 0, 9, 9, 0xd);
	tb_madt_nmi_source(b, 0xd, 2);
	tb_madt_lapic_nmi(b, 0xff, 5, 1);
	tb_madt_x2apic_nmi(b, 5, 0xffffffff, 1);
	tb_madt_lapic_address(b, 0xfee00000);
	tb_finish(b);
}

static void test_madt_mutation_loop(void **state)
{
	static uint8_t buf[ACPI_BUILDER_MAX];
	unsigned outcome[16] = {0};
	acpi_builder_t *valid = &builder;

	(void)state;
	build_rich_madt(valid);
	rng_state = 0x6d61647461706963ULL;
	for (int iter = 0; iter < 30000; iter++) {
		size_t len = valid->len;
		rae_status_t status;

		memcpy(buf, valid->bytes, len);
		switch (rng_next() % 4) {
		case 0: /* bit flips anywhere */
			for (unsigned f = 1 + (unsigned)(rng_next() % 4); f > 0; f--)
				buf[rng_next() % len] ^= (uint8_t)(1u << (rng_next() % 8));
			break;
		case 1: /* an entry length byte set to something small or large */
			buf[ACPI_MADT_HEADER_SIZE + 1 +
			    rng_next() % (len - ACPI_MADT_HEADER_SIZE - 1)] =
			    (uint8_t)(rng_next() % 4 == 0 ? rng_next() : rng_next() % 20);
			break;
		case 2: /* header length changed */
			put_u32(buf + 4, (uint32_t)(rng_next() % 4 == 0 ? rng_next()
									: rng_next() % (len + 16)));
			break;
		default: /* random bytes in the entry area */
			for (size_t i = ACPI_MADT_HEADER_SIZE; i < len; i++) {
				if (rng_next() % 8 == 0)
					buf[i] = (uint8_t)rng_next();
			}
			break;
		}
		if (rng_next() % 4 == 0)
			len = (size_t)(rng_next() % (len + 1));
		status = parse_exact(buf, len);
		madt_sane_check(status);
		outcome[-status & 15]++;
	}
	assert_true(outcome[0] > 0);
	assert_true(outcome[-RAE_ERR_INVALID] > 0);
	assert_true(outcome[-RAE_ERR_TRUNCATED] > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_madt_qemu),
	    cmocka_unit_test(test_madt_all_entry_types),
	    cmocka_unit_test(test_madt_irq_to_gsi),
	    cmocka_unit_test(test_madt_ioapic_for_gsi),
	    cmocka_unit_test(test_madt_zero_ioapics),
	    cmocka_unit_test(test_madt_cpu_filtering),
	    cmocka_unit_test(test_madt_overflow),
	    cmocka_unit_test(test_madt_entry_length_errors),
	    cmocka_unit_test(test_madt_entry_too_short_for_type),
	    cmocka_unit_test(test_madt_header_errors),
	    cmocka_unit_test(test_madt_bounded_by_header_length),
	    cmocka_unit_test(test_madt_mutation_loop),
	};

	return cmocka_run_group_tests_name("acpi_madt", tests, NULL, NULL);
}
