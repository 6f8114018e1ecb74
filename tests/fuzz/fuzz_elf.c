/* libFuzzer entry point for the ELF64 executable parser: the input is the
 * file; the parser must never read outside it, and whatever it accepts must
 * be safe for the loader to map as described. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <proc/elf.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint64_t fuzz_page_floor(uint64_t v)
{
	return v & ~0xfffull;
}

static uint64_t fuzz_page_ceil(uint64_t v)
{
	return (v + 0xfff) & ~0xfffull;
}

/* What must hold for every accepted image of size bytes. */
static void fuzz_image_check(const elf_image_t *img, size_t size)
{
	uint64_t lowest = UINT64_MAX, highest = 0;
	bool entry_ok = false;

	if (img->segment_count == 0 || img->segment_count > ELF_MAX_SEGMENTS)
		abort();
	for (unsigned i = 0; i < img->segment_count; i++) {
		const elf_segment_t *s = &img->segments[i];

		if (s->memsz == 0 || s->filesz > s->memsz || (s->write && s->exec))
			abort();
		if (s->filesz > 0 && (s->offset > size || s->filesz > size - s->offset))
			abort();
		if (s->vaddr >= ELF_USER_END || s->memsz > ELF_USER_END - s->vaddr)
			abort();
		if (!img->pie && s->vaddr < ELF_EXEC_MIN_VADDR)
			abort();
		for (unsigned j = 0; j < i; j++) {
			const elf_segment_t *o = &img->segments[j];

			if (fuzz_page_floor(s->vaddr) < fuzz_page_ceil(o->vaddr + o->memsz) &&
			    fuzz_page_floor(o->vaddr) < fuzz_page_ceil(s->vaddr + s->memsz))
				abort();
		}
		if (s->exec && img->entry >= s->vaddr && img->entry - s->vaddr < s->memsz)
			entry_ok = true;
		if (fuzz_page_floor(s->vaddr) < lowest)
			lowest = fuzz_page_floor(s->vaddr);
		if (fuzz_page_ceil(s->vaddr + s->memsz) > highest)
			highest = fuzz_page_ceil(s->vaddr + s->memsz);
	}
	if (!entry_ok || img->lowest_vaddr != lowest || img->image_span != highest - lowest ||
	    img->stack_flags_exec != 0)
		abort();
	if (img->pie &&
	    (img->lowest_vaddr >= ELF_PIE_MAX_LOWEST_VADDR || img->image_span > ELF_PIE_MAX_SPAN))
		abort();
	if (!img->pie && img->has_dynamic)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static elf_image_t img;
	char err[192];
	uint8_t *block;
	rae_status_t status;

	/* An exact-size copy one byte into the block: unaligned, and ASan sees its end. */
	block = malloc(size + 1);
	if (block == NULL)
		return 0;
	memcpy(block + 1, data, size);
	status = elf_parse(block + 1, size, &img, err, sizeof(err));
	if (strnlen(err, sizeof(err)) == sizeof(err) || (status == RAE_OK) != (err[0] == '\0'))
		abort();
	if (status != RAE_OK && status != RAE_ERR_INVALID && status != RAE_ERR_TRUNCATED &&
	    status != RAE_ERR_UNSUPPORTED)
		abort();
	if (status == RAE_OK)
		fuzz_image_check(&img, size);
	free(block);
	return 0;
}
