/* Symbol lookup over the table tools/build/ksyms.py generates from the
 * linked kernel. Addresses are stored as offsets from __kernel_start so the
 * table stays valid wherever the kernel is placed. */
#include <debug/ksym.h>
#include <lib/format.h>
#include <string.h>

typedef struct {
	uint32_t offset;      /* from __kernel_start */
	uint32_t name_offset; /* into ksym_names */
} ksym_entry_t;

/* Defined by the generated table (weak empty ones in ksyms_empty.S for the
 * first link). Sorted by offset; the last entry marks the end of text. */
extern const uint64_t ksym_table_count;
extern const ksym_entry_t ksym_table[];
extern const char ksym_names[];
extern const char __kernel_start[];

size_t ksym_count(void)
{
	return ksym_table_count;
}

const char *ksym_lookup(uintptr_t addr, uintptr_t *offset)
{
	uintptr_t base = (uintptr_t)__kernel_start;
	size_t n = ksym_table_count;

	if (n < 2 || addr < base || addr - base >= ksym_table[n - 1].offset)
		return NULL;
	uint32_t off = (uint32_t)(addr - base);

	/* Largest entry whose offset <= off, among the first n-1. */
	size_t lo = 0, hi = n - 1;
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;
		if (ksym_table[mid].offset <= off)
			lo = mid;
		else
			hi = mid;
	}
	if (ksym_table[lo].offset > off)
		return NULL;
	if (offset)
		*offset = off - ksym_table[lo].offset;
	return ksym_names + ksym_table[lo].name_offset;
}

uintptr_t ksym_address(const char *name)
{
	for (size_t i = 0; i + 1 < ksym_table_count; i++) {
		if (strcmp(ksym_names + ksym_table[i].name_offset, name) == 0)
			return (uintptr_t)__kernel_start + ksym_table[i].offset;
	}
	return 0;
}

void ksym_format(uintptr_t addr, char *buf, size_t len)
{
	uintptr_t off;
	const char *name = ksym_lookup(addr, &off);
	if (name)
		ksnprintf(buf, len, "<%s+0x%lx>", name, off);
	else
		ksnprintf(buf, len, "<?>");
}
