/* USTAR archive reader over memory (the initrd). Every length is checked
 * against what remains before it is used, so hostile archives fail cleanly. */
#include <lib/ustar.h>

#include <stdarg.h>
#include <stdbool.h>
#include <string.h>

#include <lib/format.h>

/* Header field offsets and lengths, POSIX.1-1988 ustar. */
#define USTAR_NAME_OFF   0
#define USTAR_NAME_LEN   100
#define USTAR_MODE_OFF   100
#define USTAR_MODE_LEN   8
#define USTAR_SIZE_OFF   124
#define USTAR_SIZE_LEN   12
#define USTAR_CHKSUM_OFF 148
#define USTAR_CHKSUM_LEN 8
#define USTAR_TYPE_OFF   156
#define USTAR_LINK_OFF   157
#define USTAR_LINK_LEN   100
#define USTAR_MAGIC_OFF  257
#define USTAR_PREFIX_OFF 345
#define USTAR_PREFIX_LEN 155

/* Records the error, makes it sticky and returns it. */
static rae_status_t ustar_fail(ustar_reader_t *r, rae_status_t status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static rae_status_t ustar_fail(ustar_reader_t *r, rae_status_t status, const char *fmt, ...)
{
	int n;

	n = ksnprintf(r->error, sizeof(r->error), "entry %u at offset %zu: ", r->index, r->offset);
	if (n >= 0 && (size_t)n < sizeof(r->error)) {
		va_list ap;

		va_start(ap, fmt);
		kvsnprintf(r->error + n, sizeof(r->error) - (size_t)n, fmt, ap);
		va_end(ap);
	}
	r->status = status;
	return status;
}

static bool ustar_block_is_zero(const uint8_t *block)
{
	size_t i;

	for (i = 0; i < USTAR_BLOCK_SIZE; i++) {
		if (block[i] != 0)
			return false;
	}
	return true;
}

/*
 * Parses an octal field: optional leading spaces, at least one digit, then the
 * field's end, a space or a NUL. Returns false on a stray character or on a
 * value that does not fit 64 bits.
 */
static bool ustar_octal_parse(const uint8_t *field, size_t len, uint64_t *out)
{
	uint64_t v = 0;
	size_t i = 0;
	size_t digits = 0;

	while (i < len && field[i] == ' ')
		i++;
	while (i < len && field[i] >= '0' && field[i] <= '7') {
		if (v > (UINT64_MAX >> 3))
			return false;
		v = (v << 3) | (uint64_t)(field[i] - '0');
		digits++;
		i++;
	}
	if (digits == 0 || (i < len && field[i] != ' ' && field[i] != '\0'))
		return false;
	*out = v;
	return true;
}

/*
 * Parses the size field, octal or GNU base-256 (first byte 0x80, then a
 * big-endian value; negative 0xff sizes are rejected). False if malformed or
 * too large for 64 bits.
 */
static bool ustar_size_parse(const uint8_t *field, uint64_t *out)
{
	uint64_t v = 0;
	size_t i;

	if (field[0] != 0x80)
		return ustar_octal_parse(field, USTAR_SIZE_LEN, out);
	for (i = 1; i < USTAR_SIZE_LEN; i++) {
		if (v > (UINT64_MAX >> 8))
			return false;
		v = (v << 8) | field[i];
	}
	*out = v;
	return true;
}

/* Copies a field that may fill its whole width without a NUL; dst gets len + 1 bytes. */
static size_t ustar_field_copy(char *dst, const uint8_t *field, size_t len)
{
	size_t n = strnlen((const char *)field, len);

	memcpy(dst, field, n);
	dst[n] = '\0';
	return n;
}

/* True for typeflags that never have data blocks, whatever their size field says. */
static bool ustar_type_has_no_data(char type)
{
	return type >= '1' && type <= '6';
}

void ustar_reader_init(ustar_reader_t *r, const void *base, size_t size)
{
	r->base = base;
	r->size = size;
	r->offset = 0;
	r->index = 0;
	r->status = RAE_OK;
	r->error[0] = '\0';
	if (base == NULL && size != 0)
		ustar_fail(r, RAE_ERR_INVALID, "archive base is NULL but size is %zu", size);
}

/* Decides what a zero block at r->offset means: the end, or a malformed tail. */
static rae_status_t ustar_zero_block_check(ustar_reader_t *r)
{
	size_t after = r->size - r->offset - USTAR_BLOCK_SIZE;

	if (after == 0 || (after >= USTAR_BLOCK_SIZE &&
			   ustar_block_is_zero(r->base + r->offset + USTAR_BLOCK_SIZE))) {
		r->status = RAE_ERR_END;
		return RAE_ERR_END;
	}
	if (after < USTAR_BLOCK_SIZE)
		return ustar_fail(r, RAE_ERR_TRUNCATED,
				  "zero block followed by a partial block of %zu bytes", after);
	return ustar_fail(r, RAE_ERR_INVALID, "lone zero block followed by more data");
}

/* Checks the magic: POSIX "ustar\0" "00", or GNU "ustar  \0". Sets *posix for the former. */
static bool ustar_magic_check(const uint8_t *h, bool *posix)
{
	const uint8_t *m = h + USTAR_MAGIC_OFF;

	if (memcmp(m,
		   "ustar\0"
		   "00",
		   8) == 0) {
		*posix = true;
		return true;
	}
	if (memcmp(m, "ustar  \0", 8) == 0) {
		*posix = false;
		return true;
	}
	return false;
}

/* Verifies the header checksum, accepting the unsigned or the historic signed sum. */
static rae_status_t ustar_checksum_check(ustar_reader_t *r, const uint8_t *h)
{
	uint64_t stored;
	uint32_t unsigned_sum = 0;
	int32_t signed_sum = 0;
	size_t i;

	if (!ustar_octal_parse(h + USTAR_CHKSUM_OFF, USTAR_CHKSUM_LEN, &stored))
		return ustar_fail(r, RAE_ERR_INVALID, "header checksum field is not octal");
	for (i = 0; i < USTAR_BLOCK_SIZE; i++) {
		/* The checksum field itself counts as eight spaces. */
		uint8_t b = (i >= USTAR_CHKSUM_OFF && i < USTAR_CHKSUM_OFF + USTAR_CHKSUM_LEN)
				? (uint8_t)' '
				: h[i];

		unsigned_sum += b;
		signed_sum += (int8_t)b;
	}
	if (stored == unsigned_sum || (signed_sum >= 0 && stored == (uint64_t)signed_sum))
		return RAE_OK;
	return ustar_fail(r, RAE_ERR_CHECKSUM,
			  "header checksum mismatch (stored 0o%llo, computed 0o%o)",
			  (unsigned long long)stored, (unsigned)unsigned_sum);
}

rae_status_t ustar_next(ustar_reader_t *r, ustar_entry_t *e)
{
	const uint8_t *h;
	size_t remain;
	uint64_t size;
	uint64_t mode;
	uint64_t pad;
	bool posix;
	size_t n;
	rae_status_t status;

	if (r->status != RAE_OK)
		return r->status;

	/* offset <= size holds: it only grows by amounts checked against what remains. */
	remain = r->size - r->offset;
	if (remain == 0) {
		r->status = RAE_ERR_END;
		return RAE_ERR_END;
	}
	if (remain < USTAR_BLOCK_SIZE)
		return ustar_fail(r, RAE_ERR_TRUNCATED, "header needs %d bytes but only %zu remain",
				  USTAR_BLOCK_SIZE, remain);
	h = r->base + r->offset;
	if (ustar_block_is_zero(h))
		return ustar_zero_block_check(r);

	if (!ustar_magic_check(h, &posix))
		return ustar_fail(r, RAE_ERR_INVALID, "bad magic (not a ustar header)");
	status = ustar_checksum_check(r, h);
	if (status != RAE_OK)
		return status;

	if (!ustar_size_parse(h + USTAR_SIZE_OFF, &size))
		return ustar_fail(r, RAE_ERR_INVALID, "size field is not a valid number");
	if (!ustar_octal_parse(h + USTAR_MODE_OFF, USTAR_MODE_LEN, &mode) || mode > UINT32_MAX)
		return ustar_fail(r, RAE_ERR_INVALID, "mode field is not a valid number");

	e->type = (char)h[USTAR_TYPE_OFF];
	if (ustar_type_has_no_data(e->type))
		size = 0;

	/* Data plus its padding to a whole block must fit in what follows the header;
	 * compare before adding anything so nothing can wrap. */
	remain -= USTAR_BLOCK_SIZE;
	if (size > remain)
		return ustar_fail(r, RAE_ERR_TRUNCATED,
				  "data of %llu bytes runs past the end (%zu bytes remain)",
				  (unsigned long long)size, remain);
	pad = (USTAR_BLOCK_SIZE - size % USTAR_BLOCK_SIZE) % USTAR_BLOCK_SIZE;
	if (pad > remain - size)
		return ustar_fail(r, RAE_ERR_TRUNCATED,
				  "data of %llu bytes lacks its padding to a 512-byte block",
				  (unsigned long long)size);

	if (h[USTAR_NAME_OFF] == '\0')
		return ustar_fail(r, RAE_ERR_INVALID, "empty name");
	/* The prefix field is ustar-only; GNU headers keep timestamps there. */
	n = 0;
	if (posix) {
		n = ustar_field_copy(e->name, h + USTAR_PREFIX_OFF, USTAR_PREFIX_LEN);
		if (n > 0)
			e->name[n++] = '/';
	}
	ustar_field_copy(e->name + n, h + USTAR_NAME_OFF, USTAR_NAME_LEN);
	ustar_field_copy(e->link, h + USTAR_LINK_OFF, USTAR_LINK_LEN);

	e->mode = (uint32_t)mode;
	e->size = size;
	e->data = size > 0 ? h + USTAR_BLOCK_SIZE : NULL;
	e->header_offset = r->offset;

	r->offset += USTAR_BLOCK_SIZE + (size_t)size + (size_t)pad;
	r->index++;
	return RAE_OK;
}

rae_status_t ustar_count(const void *base, size_t size, unsigned *entries, uint64_t *bytes,
			 char *err, size_t err_len)
{
	ustar_reader_t r;
	ustar_entry_t e;
	unsigned count = 0;
	uint64_t total = 0;
	rae_status_t status;

	ustar_reader_init(&r, base, size);
	while ((status = ustar_next(&r, &e)) == RAE_OK) {
		count++;
		total += e.size;
	}
	if (entries != NULL)
		*entries = count;
	if (bytes != NULL)
		*bytes = total;
	if (status == RAE_ERR_END) {
		if (err != NULL && err_len > 0)
			err[0] = '\0';
		return RAE_OK;
	}
	if (err != NULL && err_len > 0)
		ksnprintf(err, err_len, "%s", r.error);
	return status;
}
