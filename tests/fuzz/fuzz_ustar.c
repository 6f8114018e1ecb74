/* libFuzzer entry point for the USTAR reader: any byte string is an archive;
 * the reader must never crash, overread or report an entry outside it. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <lib/ustar.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	ustar_reader_t r;
	ustar_entry_t e;
	rae_status_t status;
	unsigned entries = 0;
	unsigned counted = 0;
	char err[64];

	ustar_reader_init(&r, data, size);
	while ((status = ustar_next(&r, &e)) == RAE_OK) {
		const uint8_t *d = e.data;

		if (e.name[0] == '\0' || strnlen(e.name, sizeof(e.name)) == sizeof(e.name) ||
		    strnlen(e.link, sizeof(e.link)) == sizeof(e.link))
			abort();
		if (e.header_offset % USTAR_BLOCK_SIZE != 0 ||
		    e.header_offset + USTAR_BLOCK_SIZE > size)
			abort();
		if ((e.size == 0) != (d == NULL))
			abort();
		if (d != NULL && (d != data + e.header_offset + USTAR_BLOCK_SIZE ||
				  e.size > size - e.header_offset - USTAR_BLOCK_SIZE))
			abort();
		entries++;
	}
	if (status != RAE_ERR_END && (status >= 0 || strncmp(r.error, "entry ", 6) != 0))
		abort();
	if (ustar_next(&r, &e) != status)
		abort();
	if (ustar_count(data, size, &counted, NULL, err, sizeof(err)) !=
		(status == RAE_ERR_END ? RAE_OK : status) ||
	    counted != entries)
		abort();
	return 0;
}
