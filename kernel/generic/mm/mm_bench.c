/* Benchmarks of the memory allocators, in guest instructions per
 * operation (bench=all). */
#include <mm/kmalloc.h>
#include <mm/pmm.h>
#include <test/kbench.h>

#define MM_BENCH_SAMPLES 10000

KBENCH(kernel_buddy_alloc_free_order0)
{
	for (int i = 0; i < MM_BENCH_SAMPLES; i++) {
		uint64_t t0 = kbench_now();
		paddr_t pa = pmm_alloc_pages(0, RAE_MEM_KERNEL_OTHER);
		pmm_free_pages(pa, 0);
		kbench_sample(b, t0, kbench_now());
	}
}

KBENCH(kernel_buddy_alloc_free_order4)
{
	for (int i = 0; i < MM_BENCH_SAMPLES; i++) {
		uint64_t t0 = kbench_now();
		paddr_t pa = pmm_alloc_pages(4, RAE_MEM_KERNEL_OTHER);
		pmm_free_pages(pa, 4);
		kbench_sample(b, t0, kbench_now());
	}
}

KBENCH(kernel_kmalloc_free_64)
{
	for (int i = 0; i < MM_BENCH_SAMPLES; i++) {
		uint64_t t0 = kbench_now();
		void *p = kmalloc(64);
		kfree(p);
		kbench_sample(b, t0, kbench_now());
	}
}

KBENCH(kernel_kmalloc_free_1024)
{
	for (int i = 0; i < MM_BENCH_SAMPLES; i++) {
		uint64_t t0 = kbench_now();
		void *p = kmalloc(1024);
		kfree(p);
		kbench_sample(b, t0, kbench_now());
	}
}

/* Many live objects at once, so slabs fill and new ones are taken. */
KBENCH(kernel_kmalloc_64_batch_alloc)
{
	static void *live[256];
	for (int round = 0; round < MM_BENCH_SAMPLES / 256; round++) {
		for (int i = 0; i < 256; i++) {
			uint64_t t0 = kbench_now();
			live[i] = kmalloc(64);
			kbench_sample(b, t0, kbench_now());
		}
		for (int i = 0; i < 256; i++)
			kfree(live[i]);
	}
}
