/* ACPI table discovery: the RSDP, the RSDT/XSDT and the set of tables they list,
 * each checked before it is believed. Parsing only; the caller maps memory. */
#ifndef ACPI_ACPI_H
#define ACPI_ACPI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <rae/status.h>

/*
 * Returns a readable pointer to the physical range [phys, phys + len), or NULL
 * when that range cannot be mapped. The table layer keeps the pointers it gets,
 * so a mapping must stay valid for as long as the acpi_tables_t that holds it.
 */
typedef const void *(*acpi_map_fn)(void *ctx, uint64_t phys, size_t len);

/* Every system description table starts with this 36-byte header. */
#define ACPI_SDT_HEADER_SIZE     36
#define ACPI_SDT_LENGTH_OFFSET   4
#define ACPI_SDT_REVISION_OFFSET 8
#define ACPI_SDT_CHECKSUM_OFFSET 9

#define ACPI_RSDP_V1_SIZE 20
#define ACPI_RSDP_V2_SIZE 36

/* Sanity limits: no real root table or table comes near them. */
#define ACPI_ROOT_MAX_LENGTH  (1u << 20)
#define ACPI_TABLE_MAX_LENGTH (16u << 20)

#define ACPI_TABLES_MAX 64 /* valid tables recorded; more are counted */
#define ACPI_DIAG_MAX   16 /* diagnostic messages kept; more are counted */
#define ACPI_DIAG_LEN   120

/* Generic Address Structure: where a register lives and how to access it. */
typedef struct {
	uint8_t space_id; /* ACPI_GAS_SYSTEM_MEMORY, ACPI_GAS_SYSTEM_IO, ... */
	uint8_t bit_width;
	uint8_t bit_offset;
	uint8_t access_size; /* 0 undefined, 1 byte, 2 word, 3 dword, 4 qword */
	uint64_t address;
} acpi_gas_t;

#define ACPI_GAS_SIZE          12
#define ACPI_GAS_SYSTEM_MEMORY 0
#define ACPI_GAS_SYSTEM_IO     1
#define ACPI_GAS_PCI_CONFIG    2

/* What a validated RSDP says. */
typedef struct {
	uint64_t phys;    /* where it was found; 0 when validated from a copy */
	uint8_t revision; /* 0 for ACPI 1.0, 2 and up for the extended form */
	char oem_id[7];   /* NUL-terminated, non-printable bytes shown as '?' */
	uint32_t rsdt_phys;
	uint64_t xsdt_phys; /* 0 when revision < 2 or absent */
	uint64_t root_phys; /* the XSDT when present and nonzero, else the RSDT */
	bool root_is_xsdt;
} acpi_rsdp_info_t;

/* One table listed by the root table whose header and checksum were valid. */
typedef struct {
	char signature[5]; /* as in the table, plus a NUL */
	uint8_t revision;
	uint32_t length; /* from the header; the whole range was mapped */
	uint64_t phys;
	const void *table; /* from acpi_map_fn, length bytes readable */
} acpi_table_entry_t;

/* The tables found through one root table, and what went wrong on the way. */
typedef struct {
	uint64_t root_phys;
	uint32_t root_length;
	bool root_is_xsdt;
	uint32_t count;
	acpi_table_entry_t tables[ACPI_TABLES_MAX];
	uint32_t dropped; /* valid tables that did not fit in tables[] */
	uint32_t skipped; /* entries rejected; each has a diagnostic */
	uint32_t diag_count;
	uint32_t diag_dropped; /* diagnostics that did not fit in diag[] */
	char diag[ACPI_DIAG_MAX][ACPI_DIAG_LEN];
} acpi_tables_t;

/* Little-endian field reads at any alignment; tables need not be aligned. */
static inline uint16_t acpi_read_u16(const uint8_t *p)
{
	uint16_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static inline uint32_t acpi_read_u32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static inline uint64_t acpi_read_u64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

/* Decodes the 12-byte Generic Address Structure at p. */
static inline acpi_gas_t acpi_read_gas(const uint8_t *p)
{
	acpi_gas_t g;

	g.space_id = p[0];
	g.bit_width = p[1];
	g.bit_offset = p[2];
	g.access_size = p[3];
	g.address = acpi_read_u64(p + 4);
	return g;
}

/* The 8-bit sum of len bytes at p; an ACPI structure is valid when it is 0. */
uint8_t acpi_checksum(const void *p, size_t len);

/*
 * Checks the header of a table handed to a parser: at least 36 bytes readable,
 * signature sig (4 characters), header length >= min_len and <= len. name
 * ("MADT") prefixes the message. Does not check the checksum: acpi_tables_init
 * does, and a parser must work on what it is given.
 * Returns RAE_OK with *table_len set to the header length, or RAE_ERR_TRUNCATED
 * (len too short for the header or for the length it declares) / RAE_ERR_INVALID
 * (wrong signature, header length below min_len) with a message in err.
 */
rae_status_t acpi_sdt_check(const void *table, size_t len, const char *sig, const char *name,
			    uint32_t min_len, uint32_t *table_len, char *err, size_t err_len);

/*
 * Validates an RSDP of which len bytes are readable at rsdp: signature
 * "RSD PTR ", the 20-byte checksum, and for revision >= 2 a length of at least
 * 36 that fits in len and the checksum over that length. Picks the XSDT when
 * present and nonzero, else the RSDT. out->phys is set to 0.
 * Returns RAE_OK, or RAE_ERR_TRUNCATED / RAE_ERR_INVALID / RAE_ERR_CHECKSUM with
 * a message in err (err may be NULL when err_len is 0; "" on success).
 */
rae_status_t acpi_rsdp_validate(const void *rsdp, size_t len, acpi_rsdp_info_t *out, char *err,
				size_t err_len);

/*
 * Scans len bytes at area, which is physical memory from area_phys (the EBDA's
 * first KiB, or 0xE0000-0xFFFFF), for a valid RSDP on a 16-byte physical
 * boundary. The first valid one wins; out->phys is its physical address.
 * Returns RAE_OK, or RAE_ERR_NOT_FOUND with a message naming the range and the
 * last candidate's fault.
 */
rae_status_t acpi_find_rsdp_in(const void *area, size_t len, uint64_t area_phys,
			       acpi_rsdp_info_t *out, char *err, size_t err_len);

/*
 * Maps and checks the root table rsdp names (signature, 36 <= length <=
 * ACPI_ROOT_MAX_LENGTH, checksum), falling back to the RSDT when the XSDT is
 * bad. Then maps each listed table, header first and then by its length (<=
 * ACPI_TABLE_MAX_LENGTH), and records those whose checksum holds. A bad entry
 * is skipped with a diagnostic in t->diag and never fails the set; an address
 * listed twice is recorded once. *t is zeroed first.
 * Returns RAE_OK when a root table was usable (t->count may still be 0), else
 * RAE_ERR_INVALID / RAE_ERR_CHECKSUM / RAE_ERR_RANGE / RAE_ERR_FAULT (not
 * mappable) with a message in err.
 */
rae_status_t acpi_tables_init(acpi_tables_t *t, const acpi_rsdp_info_t *rsdp, acpi_map_fn map,
			      void *ctx, char *err, size_t err_len);

/*
 * The index'th (from 0) recorded table with signature sig (4 characters), or
 * NULL. The pointer is the mapping acpi_tables_init kept; acpi_table_entry_find
 * also gives its length.
 */
const void *acpi_table_find(const acpi_tables_t *t, const char *sig, unsigned index);
const acpi_table_entry_t *acpi_table_entry_find(const acpi_tables_t *t, const char *sig,
						unsigned index);

#endif
