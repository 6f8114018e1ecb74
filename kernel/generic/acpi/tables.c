/* ACPI table discovery: validates the RSDP, the RSDT/XSDT and every table they
 * list. Firmware data is untrusted: nothing is read outside what was mapped. */
#include <acpi/acpi.h>

#include <stdarg.h>
#include <stdbool.h>
#include <string.h>

#include <lib/format.h>

#define RSDP_SIGNATURE       "RSD PTR "
#define RSDP_CHECKSUM_OFFSET 8
#define RSDP_OEM_ID_OFFSET   9
#define RSDP_REVISION_OFFSET 15
#define RSDP_RSDT_OFFSET     16
#define RSDP_LENGTH_OFFSET   20
#define RSDP_XSDT_OFFSET     24
#define RSDP_SCAN_ALIGN      16

/* Writes a message into err (when there is room for one) and returns status. */
static rae_status_t acpi_fail(char *err, size_t err_len, rae_status_t status, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static rae_status_t acpi_fail(char *err, size_t err_len, rae_status_t status, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || err_len == 0)
		return status;
	va_start(ap, fmt);
	kvsnprintf(err, err_len, fmt, ap);
	va_end(ap);
	return status;
}

static void acpi_err_clear(char *err, size_t err_len)
{
	if (err != NULL && err_len > 0)
		err[0] = '\0';
}

/* Copies n bytes of firmware text, showing anything unprintable as '?'. */
static void acpi_text_copy(char *dst, const uint8_t *src, size_t n)
{
	for (size_t i = 0; i < n; i++)
		dst[i] = (src[i] >= 0x20 && src[i] < 0x7f) ? (char)src[i] : '?';
	dst[n] = '\0';
}

uint8_t acpi_checksum(const void *p, size_t len)
{
	const uint8_t *b = p;
	uint8_t sum = 0;

	for (size_t i = 0; i < len; i++)
		sum = (uint8_t)(sum + b[i]);
	return sum;
}

rae_status_t acpi_sdt_check(const void *table, size_t len, const char *sig, const char *name,
			    uint32_t min_len, uint32_t *table_len, char *err, size_t err_len)
{
	const uint8_t *t = table;
	char shown[5];
	uint32_t length;

	acpi_err_clear(err, err_len);
	if (table == NULL || len < ACPI_SDT_HEADER_SIZE)
		return acpi_fail(err, err_len, RAE_ERR_TRUNCATED,
				 "%s: %zu bytes, less than the 36-byte table header", name,
				 table == NULL ? (size_t)0 : len);
	if (memcmp(t, sig, 4) != 0) {
		acpi_text_copy(shown, t, 4);
		return acpi_fail(err, err_len, RAE_ERR_INVALID,
				 "%s: signature \"%s\", expected \"%.4s\"", name, shown, sig);
	}
	length = acpi_read_u32(t + ACPI_SDT_LENGTH_OFFSET);
	if (length < min_len)
		return acpi_fail(err, err_len, RAE_ERR_INVALID,
				 "%s: length %u, less than the %u bytes its fields need", name,
				 length, min_len);
	if (length > len)
		return acpi_fail(err, err_len, RAE_ERR_TRUNCATED,
				 "%s: length %u, but only %zu bytes are available", name, length,
				 len);
	*table_len = length;
	return RAE_OK;
}

rae_status_t acpi_rsdp_validate(const void *rsdp, size_t len, acpi_rsdp_info_t *out, char *err,
				size_t err_len)
{
	const uint8_t *r = rsdp;
	uint8_t sum;
	uint32_t length;

	memset(out, 0, sizeof(*out));
	acpi_err_clear(err, err_len);
	if (r == NULL || len < ACPI_RSDP_V1_SIZE)
		return acpi_fail(err, err_len, RAE_ERR_TRUNCATED,
				 "RSDP: %zu bytes, less than the 20 of an ACPI 1.0 RSDP",
				 r == NULL ? (size_t)0 : len);
	if (memcmp(r, RSDP_SIGNATURE, 8) != 0)
		return acpi_fail(err, err_len, RAE_ERR_INVALID, "RSDP: no \"RSD PTR \" signature");
	sum = acpi_checksum(r, ACPI_RSDP_V1_SIZE);
	if (sum != 0)
		return acpi_fail(err, err_len, RAE_ERR_CHECKSUM,
				 "RSDP: first 20 bytes sum to 0x%02x, not 0", sum);

	out->revision = r[RSDP_REVISION_OFFSET];
	acpi_text_copy(out->oem_id, r + RSDP_OEM_ID_OFFSET, 6);
	out->rsdt_phys = acpi_read_u32(r + RSDP_RSDT_OFFSET);
	if (out->revision >= 2) {
		if (len < ACPI_RSDP_V2_SIZE)
			return acpi_fail(err, err_len, RAE_ERR_TRUNCATED,
					 "RSDP: revision %u needs 36 bytes, only %zu available",
					 out->revision, len);
		length = acpi_read_u32(r + RSDP_LENGTH_OFFSET);
		if (length < ACPI_RSDP_V2_SIZE)
			return acpi_fail(err, err_len, RAE_ERR_INVALID,
					 "RSDP: revision %u with length %u, less than 36",
					 out->revision, length);
		if (length > len)
			return acpi_fail(err, err_len, RAE_ERR_TRUNCATED,
					 "RSDP: length %u, but only %zu bytes are available",
					 length, len);
		sum = acpi_checksum(r, length);
		if (sum != 0)
			return acpi_fail(err, err_len, RAE_ERR_CHECKSUM,
					 "RSDP: extended checksum: %u bytes sum to 0x%02x, not 0",
					 length, sum);
		out->xsdt_phys = acpi_read_u64(r + RSDP_XSDT_OFFSET);
	}
	if (out->xsdt_phys != 0) {
		out->root_phys = out->xsdt_phys;
		out->root_is_xsdt = true;
	} else if (out->rsdt_phys != 0) {
		out->root_phys = out->rsdt_phys;
	} else {
		return acpi_fail(err, err_len, RAE_ERR_INVALID,
				 "RSDP: neither an RSDT nor an XSDT address");
	}
	return RAE_OK;
}

rae_status_t acpi_find_rsdp_in(const void *area, size_t len, uint64_t area_phys,
			       acpi_rsdp_info_t *out, char *err, size_t err_len)
{
	const uint8_t *a = area;
	/* Boundaries are physical: the area itself need not start on one. */
	size_t off = (size_t)((RSDP_SCAN_ALIGN - area_phys % RSDP_SCAN_ALIGN) % RSDP_SCAN_ALIGN);
	char why[ACPI_DIAG_LEN] = "";
	unsigned rejected = 0;

	memset(out, 0, sizeof(*out));
	acpi_err_clear(err, err_len);
	for (; a != NULL && off < len && len - off >= ACPI_RSDP_V1_SIZE; off += RSDP_SCAN_ALIGN) {
		if (memcmp(a + off, RSDP_SIGNATURE, 8) != 0)
			continue;
		if (acpi_rsdp_validate(a + off, len - off, out, why, sizeof(why)) == RAE_OK) {
			out->phys = area_phys + off;
			return RAE_OK;
		}
		rejected++;
	}
	memset(out, 0, sizeof(*out));
	if (rejected == 0)
		return acpi_fail(err, err_len, RAE_ERR_NOT_FOUND, "RSDP: none in 0x%llx+0x%zx",
				 (unsigned long long)area_phys, len);
	return acpi_fail(err, err_len, RAE_ERR_NOT_FOUND,
			 "RSDP: none valid in 0x%llx+0x%zx; %u rejected, last: %s",
			 (unsigned long long)area_phys, len, rejected, why);
}

/* Appends a diagnostic to t->diag, or counts it when the list is full. */
static void tables_diag_add(acpi_tables_t *t, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void tables_diag_add(acpi_tables_t *t, const char *fmt, ...)
{
	va_list ap;

	if (t->diag_count >= ACPI_DIAG_MAX) {
		t->diag_dropped++;
		return;
	}
	va_start(ap, fmt);
	kvsnprintf(t->diag[t->diag_count++], ACPI_DIAG_LEN, fmt, ap);
	va_end(ap);
}

/*
 * Maps and checks a root table (RSDT or XSDT) at phys; on success *root points
 * at its length-byte mapping.
 */
static rae_status_t tables_root_map(uint64_t phys, bool xsdt, acpi_map_fn map, void *ctx,
				    const uint8_t **root, uint32_t *length, char *err,
				    size_t err_len)
{
	const char *name = xsdt ? "XSDT" : "RSDT";
	const uint8_t *h;
	uint32_t len;
	uint8_t sum;
	char shown[5];

	h = map(ctx, phys, ACPI_SDT_HEADER_SIZE);
	if (h == NULL)
		return acpi_fail(err, err_len, RAE_ERR_FAULT, "%s at 0x%llx: header not mappable",
				 name, (unsigned long long)phys);
	if (memcmp(h, name, 4) != 0) {
		acpi_text_copy(shown, h, 4);
		return acpi_fail(err, err_len, RAE_ERR_INVALID,
				 "%s at 0x%llx: signature \"%s\", expected \"%s\"", name,
				 (unsigned long long)phys, shown, name);
	}
	len = acpi_read_u32(h + ACPI_SDT_LENGTH_OFFSET);
	if (len < ACPI_SDT_HEADER_SIZE)
		return acpi_fail(err, err_len, RAE_ERR_INVALID,
				 "%s at 0x%llx: length %u, less than its 36-byte header", name,
				 (unsigned long long)phys, len);
	if (len > ACPI_ROOT_MAX_LENGTH || phys > UINT64_MAX - len)
		return acpi_fail(err, err_len, RAE_ERR_RANGE,
				 "%s at 0x%llx: length %u is not believable", name,
				 (unsigned long long)phys, len);
	h = map(ctx, phys, len);
	if (h == NULL)
		return acpi_fail(err, err_len, RAE_ERR_FAULT, "%s at 0x%llx: %u bytes not mappable",
				 name, (unsigned long long)phys, len);
	/* Read the length again from this mapping: it is the one we walk. */
	if (acpi_read_u32(h + ACPI_SDT_LENGTH_OFFSET) != len)
		return acpi_fail(err, err_len, RAE_ERR_INVALID,
				 "%s at 0x%llx: length changed between mappings", name,
				 (unsigned long long)phys);
	sum = acpi_checksum(h, len);
	if (sum != 0)
		return acpi_fail(err, err_len, RAE_ERR_CHECKSUM,
				 "%s at 0x%llx: %u bytes sum to 0x%02x, not 0", name,
				 (unsigned long long)phys, len, sum);
	*root = h;
	*length = len;
	return RAE_OK;
}

/* Maps and checks the table entry `index` of the root table points at; records it if good. */
static void tables_entry_add(acpi_tables_t *t, const char *root_name, uint32_t index, uint64_t phys,
			     acpi_map_fn map, void *ctx)
{
	const uint8_t *h;
	uint32_t len;
	uint8_t sum;
	char sig[5];
	acpi_table_entry_t *e;

	if (phys == 0) {
		t->skipped++;
		tables_diag_add(t, "%s entry %u: null address", root_name, index);
		return;
	}
	for (uint32_t i = 0; i < t->count; i++) {
		if (t->tables[i].phys == phys) {
			t->skipped++;
			tables_diag_add(t, "%s entry %u (0x%llx): listed twice", root_name, index,
					(unsigned long long)phys);
			return;
		}
	}
	h = map(ctx, phys, ACPI_SDT_HEADER_SIZE);
	if (h == NULL) {
		t->skipped++;
		tables_diag_add(t, "%s entry %u (0x%llx): header not mappable", root_name, index,
				(unsigned long long)phys);
		return;
	}
	acpi_text_copy(sig, h, 4);
	len = acpi_read_u32(h + ACPI_SDT_LENGTH_OFFSET);
	if (len < ACPI_SDT_HEADER_SIZE || len > ACPI_TABLE_MAX_LENGTH || phys > UINT64_MAX - len) {
		t->skipped++;
		tables_diag_add(t, "%s entry %u (%s at 0x%llx): bad length %u", root_name, index,
				sig, (unsigned long long)phys, len);
		return;
	}
	h = map(ctx, phys, len);
	if (h == NULL) {
		t->skipped++;
		tables_diag_add(t, "%s entry %u (%s at 0x%llx): %u bytes not mappable", root_name,
				index, sig, (unsigned long long)phys, len);
		return;
	}
	if (acpi_read_u32(h + ACPI_SDT_LENGTH_OFFSET) != len) {
		t->skipped++;
		tables_diag_add(t, "%s entry %u (%s at 0x%llx): length changed between mappings",
				root_name, index, sig, (unsigned long long)phys);
		return;
	}
	sum = acpi_checksum(h, len);
	if (sum != 0) {
		t->skipped++;
		tables_diag_add(t, "%s entry %u (%s at 0x%llx): %u bytes sum to 0x%02x, not 0",
				root_name, index, sig, (unsigned long long)phys, len, sum);
		return;
	}
	if (t->count >= ACPI_TABLES_MAX) {
		t->dropped++;
		return;
	}
	e = &t->tables[t->count++];
	memcpy(e->signature, h, 4);
	e->signature[4] = '\0';
	e->revision = h[ACPI_SDT_REVISION_OFFSET];
	e->length = len;
	e->phys = phys;
	e->table = h;
}

rae_status_t acpi_tables_init(acpi_tables_t *t, const acpi_rsdp_info_t *rsdp, acpi_map_fn map,
			      void *ctx, char *err, size_t err_len)
{
	const uint8_t *root = NULL;
	uint32_t root_len = 0;
	bool xsdt = false;
	rae_status_t status = RAE_ERR_INVALID;
	char why[ACPI_DIAG_LEN];
	const char *root_name;
	size_t entry_size;
	uint32_t entries;

	memset(t, 0, sizeof(*t));
	acpi_err_clear(err, err_len);
	if (rsdp == NULL || map == NULL)
		return acpi_fail(err, err_len, RAE_ERR_INVALID, "ACPI: no RSDP or map function");
	if (rsdp->xsdt_phys != 0) {
		status = tables_root_map(rsdp->xsdt_phys, true, map, ctx, &root, &root_len, why,
					 sizeof(why));
		xsdt = status == RAE_OK;
		/* A broken XSDT with a usable RSDT next to it is a firmware bug to survive. */
		if (status != RAE_OK && rsdp->rsdt_phys != 0)
			tables_diag_add(t, "%s; using the RSDT", why);
	}
	if (status != RAE_OK && rsdp->rsdt_phys != 0)
		status = tables_root_map(rsdp->rsdt_phys, false, map, ctx, &root, &root_len, why,
					 sizeof(why));
	if (status != RAE_OK) {
		if (rsdp->xsdt_phys == 0 && rsdp->rsdt_phys == 0)
			return acpi_fail(err, err_len, RAE_ERR_INVALID,
					 "ACPI: the RSDP names no RSDT or XSDT");
		return acpi_fail(err, err_len, status, "%s", why);
	}

	t->root_is_xsdt = xsdt;
	t->root_phys = xsdt ? rsdp->xsdt_phys : rsdp->rsdt_phys;
	t->root_length = root_len;
	root_name = xsdt ? "XSDT" : "RSDT";
	entry_size = xsdt ? 8 : 4;
	entries = (uint32_t)((root_len - ACPI_SDT_HEADER_SIZE) / entry_size);
	if ((root_len - ACPI_SDT_HEADER_SIZE) % entry_size != 0)
		tables_diag_add(t, "%s: length %u leaves a partial entry; ignored", root_name,
				root_len);
	for (uint32_t i = 0; i < entries; i++) {
		const uint8_t *p = root + ACPI_SDT_HEADER_SIZE + i * entry_size;
		uint64_t phys = xsdt ? acpi_read_u64(p) : acpi_read_u32(p);

		tables_entry_add(t, root_name, i, phys, map, ctx);
	}
	return RAE_OK;
}

const acpi_table_entry_t *acpi_table_entry_find(const acpi_tables_t *t, const char *sig,
						unsigned index)
{
	for (uint32_t i = 0; i < t->count; i++) {
		if (memcmp(t->tables[i].signature, sig, 4) != 0)
			continue;
		if (index == 0)
			return &t->tables[i];
		index--;
	}
	return NULL;
}

const void *acpi_table_find(const acpi_tables_t *t, const char *sig, unsigned index)
{
	const acpi_table_entry_t *e = acpi_table_entry_find(t, sig, index);

	return e != NULL ? e->table : NULL;
}
