/* Reads USTAR (POSIX tar) archives held in memory, such as the initrd, with
 * every header field checked and no read outside the archive. */
#ifndef LIB_USTAR_H
#define LIB_USTAR_H

#include <stddef.h>
#include <stdint.h>

#include <rae/status.h>

#define USTAR_BLOCK_SIZE 512

/* Walks an archive front to back. Fields are the reader's own; use ustar_next. */
typedef struct {
	const uint8_t *base;
	size_t size;
	size_t offset;       /* of the next header; always a multiple of 512 */
	unsigned index;      /* of the next entry, counted from 0 */
	rae_status_t status; /* RAE_OK while reading, then RAE_ERR_END or the sticky error */
	char error[160];     /* one-line reason when status is an error, else "" */
} ustar_reader_t;

/* One archive member. data points into the archive; it is not copied. pax ('x',
 * 'g') and GNU ('L', 'K') extension records come back as ordinary entries of
 * those types; they are not interpreted. */
typedef struct {
	char name[257]; /* prefix "/" name, NUL-terminated, never empty */
	char link[101]; /* link target for types '1' and '2', else usually "" */
	char type;      /* typeflag: '0' or '\0' file, '5' dir, '2' symlink, ... */
	uint32_t mode;
	uint64_t size;        /* bytes of data; 0 for types '1'..'6', which carry none */
	const void *data;     /* size bytes inside the archive, NULL when size is 0 */
	size_t header_offset; /* of this entry's header from the archive start */
} ustar_entry_t;

/* Starts a reader over size bytes at base (base may be NULL only if size is 0). */
void ustar_reader_init(ustar_reader_t *r, const void *base, size_t size);

/*
 * Reads the next entry into *e. Returns RAE_OK; RAE_ERR_END at the end marker
 * (two zero blocks, or one zero block or the data ending right at a block
 * boundary); or an error (RAE_ERR_TRUNCATED, RAE_ERR_CHECKSUM, RAE_ERR_INVALID)
 * with r->error naming the entry index and offset. END and errors are sticky:
 * later calls return them again. *e is only written on RAE_OK.
 */
rae_status_t ustar_next(ustar_reader_t *r, ustar_entry_t *e);

/*
 * Walks the whole archive, setting *entries to the number of entries and *bytes
 * to the sum of their data sizes (either pointer may be NULL). Returns RAE_OK at
 * the end marker (err set to ""); on error returns the ustar_next code, copies
 * its message into err (if err_len > 0) and the counts cover the entries before it.
 */
rae_status_t ustar_count(const void *base, size_t size, unsigned *entries, uint64_t *bytes,
			 char *err, size_t err_len);

#endif
