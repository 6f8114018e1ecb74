/* The _PRT records ACPICA hands back, checked one by one (prt.h). */
#include <string.h>

#include "prt.h"

static uint32_t prt_u32(const uint8_t *p)
{
	uint32_t v;
	memcpy(&v, p, sizeof(v));
	return v;
}

static uint64_t prt_u64(const uint8_t *p)
{
	uint64_t v;
	memcpy(&v, p, sizeof(v));
	return v;
}

int64_t prt_decode(const void *buf, size_t len, prt_entry_t *out, unsigned max)
{
	const uint8_t *p = buf;
	size_t at = 0;
	int64_t count = 0;
	for (;;) {
		if (at > len || len - at < sizeof(uint32_t))
			return RAE_ERR_TRUNCATED;
		uint32_t rec = prt_u32(p + at + PRT_OFFSET_LENGTH);
		if (rec == 0)
			return count;
		if (rec < PRT_RECORD_MIN)
			return RAE_ERR_INVALID;
		if (rec > len - at)
			return RAE_ERR_TRUNCATED;
		const uint8_t *r = p + at;
		uint32_t pin = prt_u32(r + PRT_OFFSET_PIN);
		uint64_t device = prt_u64(r + PRT_OFFSET_ADDRESS) >> 16;
		const char *source = (const char *)r + PRT_OFFSET_SOURCE;
		size_t source_len = strnlen(source, rec - PRT_OFFSET_SOURCE);
		if (pin > 3 || device > 31 || source_len == rec - PRT_OFFSET_SOURCE ||
		    source_len >= PRT_SOURCE_MAX)
			return RAE_ERR_INVALID;
		if ((uint64_t)count < max) {
			prt_entry_t *e = &out[count];
			e->device = (uint8_t)device;
			e->pin = (uint8_t)pin;
			e->source_index = prt_u32(r + PRT_OFFSET_SOURCE_INDEX);
			memcpy(e->source, source, source_len);
			e->source[source_len] = '\0';
		}
		count++;
		at += rec;
	}
}
