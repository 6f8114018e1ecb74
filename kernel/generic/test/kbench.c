/* The in-kernel benchmark runner: times each case with the TSC, sorts the
 * samples and prints p50, p99 and max as a BENCH line of JSON. */
#include <console/kprintf.h>
#include <mm/kmalloc.h>
#include <string.h>
#include <test/kbench.h>

extern const kbench_case_t __kbench_start[], __kbench_end[];

/* Room for one case's samples, from the heap while benchmarks run: 160 KiB
 * the kernel image would otherwise hold on every boot. */
static uint64_t *samples;

uint64_t kbench_now(void)
{
	uint32_t lo, hi;
	__asm__ volatile("lfence; rdtsc" : "=a"(lo), "=d"(hi) : : "memory");
	return ((uint64_t)hi << 32) | lo;
}

void kbench_sample(kbench_t *b, uint64_t start, uint64_t end)
{
	if (b->count >= KBENCH_MAX_SAMPLES)
		return;
	uint64_t d = end - start;
	b->samples[b->count++] = d > b->overhead ? d - b->overhead : 0;
}

/* Heapsort: no allocation, no recursion, O(n log n) on 20 000 samples. */
static void sift_down(uint64_t *a, size_t start, size_t n)
{
	size_t root = start;
	while (2 * root + 1 < n) {
		size_t child = 2 * root + 1;
		if (child + 1 < n && a[child] < a[child + 1])
			child++;
		if (a[root] >= a[child])
			return;
		uint64_t t = a[root];
		a[root] = a[child];
		a[child] = t;
		root = child;
	}
}

static void sort_u64(uint64_t *a, size_t n)
{
	for (size_t i = n / 2; i-- > 0;)
		sift_down(a, i, n);
	for (size_t end = n; end-- > 1;) {
		uint64_t t = a[0];
		a[0] = a[end];
		a[end] = t;
		sift_down(a, 0, end);
	}
}

void kbench_report_value(const char *name, const char *unit, uint64_t value)
{
	kprintf("BENCH {\"name\": \"%s\", \"unit\": \"%s\", \"p50\": %lu, \"p99\": %lu, "
		"\"max\": %lu, \"samples\": 1}\n",
		name, unit, value, value, value);
}

static uint64_t measure_overhead(void)
{
	/* The smallest empty timed region over a few hundred tries. */
	uint64_t best = UINT64_MAX;
	for (int i = 0; i < 256; i++) {
		uint64_t t0 = kbench_now(), t1 = kbench_now();
		if (t1 - t0 < best)
			best = t1 - t0;
	}
	return best;
}

/* Runs one case; false if it failed. */
static bool kbench_run_one(const kbench_case_t *c, uint64_t overhead)
{
	kbench_t b = {.name = c->name, .samples = samples, .overhead = overhead};
	c->fn(&b);
	if (b.failed) {
		kprintf("bench: %s failed\n", c->name);
		return false;
	}
	if (b.external)
		return true;
	if (b.count == 0) {
		kprintf("bench: %s took no samples\n", c->name);
		return false;
	}
	sort_u64(b.samples, b.count);
	size_t p99 = (b.count * 99) / 100;
	if (p99 >= b.count)
		p99 = b.count - 1;
	kprintf("BENCH {\"name\": \"%s\", \"unit\": \"instructions\", \"p50\": %lu, \"p99\": %lu, "
		"\"max\": %lu, \"samples\": %zu}\n",
		c->name, b.samples[b.count / 2], b.samples[p99], b.samples[b.count - 1], b.count);
	return true;
}

unsigned kbench_run(const char *selection)
{
	samples = kmalloc(KBENCH_MAX_SAMPLES * sizeof(*samples));
	if (!samples) {
		kprintf("bench: no memory for the samples\n");
		kprintf("bench: done\n");
		return 1;
	}
	uint64_t overhead = measure_overhead();
	unsigned problems = 0;
	bool all = strcmp(selection, "all") == 0;
	kprintf("bench: timer overhead %lu, subtracted from every sample\n", overhead);
	for (const kbench_case_t *c = __kbench_start; c < __kbench_end; c++) {
		if (all && !kbench_run_one(c, overhead))
			problems++;
	}
	if (!all) {
		const char *p = selection;
		while (*p) {
			const char *end = strchr(p, ',');
			size_t len = end ? (size_t)(end - p) : strlen(p);
			const kbench_case_t *found = NULL;
			for (const kbench_case_t *c = __kbench_start; c < __kbench_end; c++) {
				if (strlen(c->name) == len && strncmp(c->name, p, len) == 0)
					found = c;
			}
			if (found ? !kbench_run_one(found, overhead) : len != 0)
				problems++;
			p += len;
			if (*p == ',')
				p++;
		}
	}
	kfree(samples);
	samples = NULL;
	kprintf("bench: done\n");
	return problems;
}
