/* Test-side ACPI table builder shared by the ACPI host tests: writes headers,
 * fields and entries, then fixes the length and checksum like firmware would. */
#ifndef TESTS_ACPI_BUILDER_H
#define TESTS_ACPI_BUILDER_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <acpi/acpi.h>

#define ACPI_BUILDER_MAX 8192

typedef struct {
	uint8_t bytes[ACPI_BUILDER_MAX];
	size_t len;
} acpi_builder_t;

static inline void put_u16(uint8_t *p, uint16_t v)
{
	memcpy(p, &v, 2);
}

static inline void put_u32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, 4);
}

static inline void put_u64(uint8_t *p, uint64_t v)
{
	memcpy(p, &v, 8);
}

/* Sets the byte at csum_off so that len bytes at p sum to 0. */
static inline void acpi_checksum_fix(uint8_t *p, size_t len, size_t csum_off)
{
	p[csum_off] = 0;
	p[csum_off] = (uint8_t)(0x100 - acpi_checksum(p, len));
}

/* Starts a table: a 36-byte header with signature sig; length and checksum come later. */
static inline void tb_begin(acpi_builder_t *b, const char *sig, uint8_t revision)
{
	memset(b, 0, sizeof(*b));
	memcpy(b->bytes, sig, 4);
	b->bytes[ACPI_SDT_REVISION_OFFSET] = revision;
	memcpy(b->bytes + 10, "RAEEN ", 6);
	memcpy(b->bytes + 16, "RAEENTST", 8);
	put_u32(b->bytes + 24, 1);
	memcpy(b->bytes + 28, "RAE ", 4);
	put_u32(b->bytes + 32, 1);
	b->len = ACPI_SDT_HEADER_SIZE;
}

/* Appends n bytes (zeros when p is NULL); returns their offset. */
static inline size_t tb_bytes(acpi_builder_t *b, const void *p, size_t n)
{
	size_t at = b->len;

	if (at + n > ACPI_BUILDER_MAX)
		abort();
	if (p != NULL)
		memcpy(b->bytes + at, p, n);
	else
		memset(b->bytes + at, 0, n);
	b->len += n;
	return at;
}

static inline void tb_u8(acpi_builder_t *b, uint8_t v)
{
	tb_bytes(b, &v, 1);
}

static inline void tb_u16(acpi_builder_t *b, uint16_t v)
{
	tb_bytes(b, &v, 2);
}

static inline void tb_u32(acpi_builder_t *b, uint32_t v)
{
	tb_bytes(b, &v, 4);
}

static inline void tb_u64(acpi_builder_t *b, uint64_t v)
{
	tb_bytes(b, &v, 8);
}

/* Writes the header length (the bytes built so far) and a correct checksum. */
static inline void tb_finish(acpi_builder_t *b)
{
	put_u32(b->bytes + ACPI_SDT_LENGTH_OFFSET, (uint32_t)b->len);
	acpi_checksum_fix(b->bytes, b->len, ACPI_SDT_CHECKSUM_OFFSET);
}

/* MADT: the fixed part after the header. */
static inline void tb_madt_begin(acpi_builder_t *b, uint32_t lapic_address, uint32_t flags)
{
	tb_begin(b, "APIC", 5);
	tb_u32(b, lapic_address);
	tb_u32(b, flags);
}

static inline void tb_madt_lapic(acpi_builder_t *b, uint8_t uid, uint8_t apic_id, uint32_t flags)
{
	tb_u8(b, 0);
	tb_u8(b, 8);
	tb_u8(b, uid);
	tb_u8(b, apic_id);
	tb_u32(b, flags);
}

static inline void tb_madt_ioapic(acpi_builder_t *b, uint8_t id, uint32_t addr, uint32_t gsi_base)
{
	tb_u8(b, 1);
	tb_u8(b, 12);
	tb_u8(b, id);
	tb_u8(b, 0);
	tb_u32(b, addr);
	tb_u32(b, gsi_base);
}

static inline void tb_madt_override(acpi_builder_t *b, uint8_t bus, uint8_t irq, uint32_t gsi,
				    uint16_t flags)
{
	tb_u8(b, 2);
	tb_u8(b, 10);
	tb_u8(b, bus);
	tb_u8(b, irq);
	tb_u32(b, gsi);
	tb_u16(b, flags);
}

static inline void tb_madt_nmi_source(acpi_builder_t *b, uint16_t flags, uint32_t gsi)
{
	tb_u8(b, 3);
	tb_u8(b, 8);
	tb_u16(b, flags);
	tb_u32(b, gsi);
}

static inline void tb_madt_lapic_nmi(acpi_builder_t *b, uint8_t uid, uint16_t flags, uint8_t lint)
{
	tb_u8(b, 4);
	tb_u8(b, 6);
	tb_u8(b, uid);
	tb_u16(b, flags);
	tb_u8(b, lint);
}

static inline void tb_madt_lapic_address(acpi_builder_t *b, uint64_t addr)
{
	tb_u8(b, 5);
	tb_u8(b, 12);
	tb_u16(b, 0);
	tb_u64(b, addr);
}

static inline void tb_madt_x2apic(acpi_builder_t *b, uint32_t x2apic_id, uint32_t flags,
				  uint32_t uid)
{
	tb_u8(b, 9);
	tb_u8(b, 16);
	tb_u16(b, 0);
	tb_u32(b, x2apic_id);
	tb_u32(b, flags);
	tb_u32(b, uid);
}

static inline void tb_madt_x2apic_nmi(acpi_builder_t *b, uint16_t flags, uint32_t uid, uint8_t lint)
{
	tb_u8(b, 10);
	tb_u8(b, 12);
	tb_u16(b, flags);
	tb_u32(b, uid);
	tb_u8(b, lint);
	tb_bytes(b, NULL, 3);
}

/* A MADT like QEMU q35 gives two CPUs: 2 CPUs, one IOAPIC, five overrides, LINT1 NMI. */
static inline void tb_madt_qemu(acpi_builder_t *b)
{
	tb_madt_begin(b, 0xfee00000, 1);
	tb_madt_lapic(b, 0, 0, 1);
	tb_madt_lapic(b, 1, 1, 1);
	tb_madt_ioapic(b, 0, 0xfec00000, 0);
	tb_madt_override(b, 0, 0, 2, 0);
	tb_madt_override(b, 0, 5, 5, 0xd);
	tb_madt_override(b, 0, 9, 9, 0xd);
	tb_madt_override(b, 0, 10, 10, 0xd);
	tb_madt_override(b, 0, 11, 11, 0xd);
	tb_madt_lapic_nmi(b, 0xff, 0, 1);
	tb_finish(b);
}

/* An HPET table: block id, base GAS, number, minimum tick, page protection. */
static inline void tb_hpet(acpi_builder_t *b, uint8_t space_id, uint64_t base)
{
	tb_begin(b, "HPET", 1);
	tb_u32(b, 0x8086a201);
	tb_u8(b, space_id);
	tb_u8(b, 64);
	tb_u8(b, 0);
	tb_u8(b, 0);
	tb_u64(b, base);
	tb_u8(b, 0);
	tb_u16(b, 0x80);
	tb_u8(b, 0);
	tb_finish(b);
}

static inline void tb_mcfg_begin(acpi_builder_t *b)
{
	tb_begin(b, "MCFG", 1);
	tb_u64(b, 0);
}

static inline void tb_mcfg_entry(acpi_builder_t *b, uint64_t base, uint16_t segment, uint8_t start,
				 uint8_t end)
{
	tb_u64(b, base);
	tb_u16(b, segment);
	tb_u8(b, start);
	tb_u8(b, end);
	tb_u32(b, 0);
}

/* Offsets into the FADT the tests write. */
#define TB_FADT_FIRMWARE_CTRL   36
#define TB_FADT_DSDT            40
#define TB_FADT_SCI_INT         46
#define TB_FADT_SMI_CMD         48
#define TB_FADT_ACPI_ENABLE     52
#define TB_FADT_ACPI_DISABLE    53
#define TB_FADT_PM_TMR_BLK      76
#define TB_FADT_PM_TMR_LEN      91
#define TB_FADT_CENTURY         108
#define TB_FADT_IAPC_BOOT_ARCH  109
#define TB_FADT_FLAGS           112
#define TB_FADT_RESET_REG       116
#define TB_FADT_RESET_VALUE     128
#define TB_FADT_MINOR_VERSION   131
#define TB_FADT_X_FIRMWARE_CTRL 132
#define TB_FADT_X_DSDT          140
#define TB_FADT_X_PM_TMR_BLK    208

/* Writes a GAS at p. */
static inline void put_gas(uint8_t *p, uint8_t space, uint8_t width, uint8_t access, uint64_t addr)
{
	p[0] = space;
	p[1] = width;
	p[2] = 0;
	p[3] = access;
	put_u64(p + 4, addr);
}

/*
 * A FADT of length bytes and the given revision, filled like QEMU's: SCI 9,
 * PM timer at port 0x608, DSDT at 0x7fe0000; the X fields and reset register
 * wherever length reaches them. Finished (length and checksum).
 */
static inline void tb_fadt(acpi_builder_t *b, uint8_t revision, size_t length)
{
	uint8_t *t = b->bytes;

	tb_begin(b, "FACP", revision);
	tb_bytes(b, NULL, length - ACPI_SDT_HEADER_SIZE);
	put_u32(t + TB_FADT_FIRMWARE_CTRL, 0x7fe1000);
	put_u32(t + TB_FADT_DSDT, 0x7fe0000);
	put_u16(t + TB_FADT_SCI_INT, 9);
	put_u32(t + TB_FADT_SMI_CMD, 0xb2);
	t[TB_FADT_ACPI_ENABLE] = 0xf1;
	t[TB_FADT_ACPI_DISABLE] = 0xf0;
	put_u32(t + TB_FADT_PM_TMR_BLK, 0x608);
	t[TB_FADT_PM_TMR_LEN] = 4;
	t[TB_FADT_CENTURY] = 0x32;
	put_u16(t + TB_FADT_IAPC_BOOT_ARCH, 0x3); /* legacy devices, 8042 */
	put_u32(t + TB_FADT_FLAGS, (1u << 8) | (1u << 10));
	if (length >= 129) {
		put_gas(t + TB_FADT_RESET_REG, 1, 8, 1, 0xcf9);
		t[TB_FADT_RESET_VALUE] = 0x0f;
	}
	if (length >= 132)
		t[TB_FADT_MINOR_VERSION] = 1;
	if (length >= 148) {
		put_u64(t + TB_FADT_X_FIRMWARE_CTRL, 0x7fe1000);
		put_u64(t + TB_FADT_X_DSDT, 0x17fe0000);
	}
	if (length >= 220)
		put_gas(t + TB_FADT_X_PM_TMR_BLK, 1, 32, 3, 0x608);
	tb_finish(b);
}

#ifdef cmocka_unit_test /* the cmocka tests; the fuzzers share the builders only */

/* A parser under test, wrapped so every table type fits one signature. */
typedef rae_status_t (*tb_parse_fn)(const void *table, size_t len, char *err, size_t err_len);

/* Runs `parse` on an exact-size heap copy of [src, src+len), so ASan
 * catches any read past len, and checks the message contract: empty on
 * success, starting with `prefix` on failure, always NUL-terminated. */
static inline rae_status_t tb_parse_exact(tb_parse_fn parse, const char *prefix, const uint8_t *src,
					  size_t len, char *err, size_t err_len)
{
	uint8_t *copy = malloc(len > 0 ? len : 1);
	rae_status_t status;

	assert_non_null(copy);
	memcpy(copy, src, len);
	memset(err, 'x', err_len);
	status = parse(copy, len, err, err_len);
	assert_true(strnlen(err, err_len) < err_len);
	if (status == RAE_OK)
		assert_string_equal(err, "");
	else
		assert_true(strncmp(err, prefix, strlen(prefix)) == 0);
	free(copy);
	return status;
}

#endif /* cmocka_unit_test */

#endif
