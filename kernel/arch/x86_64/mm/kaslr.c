/* KASLR: random bases for the kernel image, the direct map and the kernel
 * area, from RDSEED, else RDRAND, else TSC jitter, always mixed with boot
 * data. Runs before the kernel has relocated itself. */
#include <arch/x86_64/cpu/features.h>
#include <arch/x86_64/mm/kaslr.h>
#include <string.h>

kaslr_layout_t kaslr_layout;

static uint64_t mix64(uint64_t x)
{
	/* splitmix64's finalizer: every input bit affects every output bit. */
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ull;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

static uint64_t rdtsc(void)
{
	uint32_t lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

static bool rdseed64(uint64_t *v)
{
	for (int i = 0; i < 64; i++) {
		uint8_t ok;
		__asm__ volatile("rdseed %0; setc %1" : "=r"(*v), "=qm"(ok));
		if (ok)
			return true;
	}
	return false;
}

static bool rdrand64(uint64_t *v)
{
	for (int i = 0; i < 16; i++) {
		uint8_t ok;
		__asm__ volatile("rdrand %0; setc %1" : "=r"(*v), "=qm"(ok));
		if (ok)
			return true;
	}
	return false;
}

static uint64_t hash_bytes(uint64_t h, const void *p, size_t n)
{
	const uint8_t *b = p;
	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 0x100000001b3ull;
	return h;
}

static uint64_t kaslr_entropy(const boot_info_t *bi, uint8_t *source)
{
	uint64_t h = 0x9e3779b97f4a7c15ull, v;

	*source = KASLR_ENTROPY_TSC;
	if (cpu_features.rdseed && rdseed64(&v)) {
		h = mix64(h ^ v);
		*source = KASLR_ENTROPY_RDSEED;
	} else if (cpu_features.rdrand && rdrand64(&v)) {
		h = mix64(h ^ v);
		*source = KASLR_ENTROPY_RDRAND;
	}
	/* Always mix in timing jitter: CPUID traps to the hypervisor or runs
	 * microcode, so its duration varies from boot to boot. */
	for (int i = 0; i < 64; i++) {
		uint64_t t0 = rdtsc();
		uint32_t r[4];
		__asm__ volatile("cpuid" : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3]) : "a"(0));
		h = mix64(h ^ (rdtsc() - t0) ^ (t0 << 17));
	}
	h = hash_bytes(h, bi->cmdline, strnlen(bi->cmdline, sizeof(bi->cmdline)));
	h = hash_bytes(h, bi->mem_regions, bi->mem_region_count * sizeof(bi->mem_regions[0]));
	return mix64(h);
}

/* True when the command line has the exact word `word`. */
static bool cmdline_has_word(const char *cmdline, const char *word)
{
	size_t n = strlen(word);
	for (const char *p = cmdline; *p;) {
		while (*p == ' ')
			p++;
		const char *start = p;
		while (*p && *p != ' ')
			p++;
		if ((size_t)(p - start) == n && strncmp(start, word, n) == 0)
			return true;
	}
	return false;
}

void kaslr_choose(kaslr_layout_t *l, const boot_info_t *bi, uint64_t image_span, uint64_t ram_end)
{
	memset(l, 0, sizeof(*l));
	l->enabled = !cmdline_has_word(bi->cmdline, "kaslr=off");
	l->show = cmdline_has_word(bi->cmdline, "kaslr=show");
	l->kernel_base = KASLR_LINK_BASE;
	l->direct_map_base = KASLR_DIRECT_WINDOW_START;
	l->area_base = KASLR_AREA_WINDOW_START;
	if (l->enabled) {
		uint64_t r = kaslr_entropy(bi, &l->entropy);
		uint64_t slots =
		    (KASLR_KERNEL_WINDOW_END - KASLR_KERNEL_WINDOW_START - image_span) /
		    KASLR_KERNEL_ALIGN;
		l->kernel_base = KASLR_KERNEL_WINDOW_START + (r % slots) * KASLR_KERNEL_ALIGN;

		r = mix64(r);
		uint64_t dm_size = (ram_end + KASLR_GIB - 1) & ~(KASLR_GIB - 1);
		slots = (KASLR_DIRECT_WINDOW_SIZE - dm_size) / KASLR_GIB;
		l->direct_map_base = KASLR_DIRECT_WINDOW_START + (r % slots) * KASLR_GIB;

		r = mix64(r);
		slots = (KASLR_AREA_WINDOW_SIZE - KERNEL_AREA_SIZE) / KASLR_GIB;
		l->area_base = KASLR_AREA_WINDOW_START + (r % slots) * KASLR_GIB;
	}
	l->slide = l->kernel_base - KASLR_LINK_BASE;
}

const char *kaslr_entropy_name(uint8_t entropy)
{
	switch (entropy) {
	case KASLR_ENTROPY_RDSEED: return "RDSEED";
	case KASLR_ENTROPY_RDRAND: return "RDRAND";
	case KASLR_ENTROPY_TSC: return "TSC jitter";
	default: return "none";
	}
}
