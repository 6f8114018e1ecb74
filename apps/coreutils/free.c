/* free: memory in use and free, from RAE_SYS_SYSTEM_INFO, as procps free
 * prints it: in KiB (-k, the default), MiB (-m) or bytes (-b). "used" is
 * everything not free in the page allocator; "kernel" is the part of it
 * the kernel holds (image, page frame database, heap, stacks, page
 * tables). Then every page of RAM by use, one line each, as Linux's
 * /proc/meminfo names its lines; they add up to the total. */
#include <stdio.h>
#include <string.h>
#include <rae.h>
#include <rae/process.h>

int main(int argc, char **argv)
{
	unsigned shift = 10; /* KiB */
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-k") == 0) {
			shift = 10;
		} else if (strcmp(argv[i], "-m") == 0) {
			shift = 20;
		} else if (strcmp(argv[i], "-b") == 0) {
			shift = 0;
		} else {
			fprintf(stderr, "usage: free [-b|-k|-m]\n");
			return 2;
		}
	}
	rae_system_info_t info;
	int64_t st = rae_system_info(&info);
	if (st != RAE_OK) {
		fprintf(stderr, "free: system information: %s\n",
			rae_status_name((rae_status_t)st));
		return 1;
	}
	uint64_t total = info.total_pages * info.page_size;
	uint64_t free_bytes = info.free_pages * info.page_size;
	uint64_t used = total > free_bytes ? total - free_bytes : 0;
	uint64_t kernel = info.kernel_pages * info.page_size;
	printf("%7s %12s %12s %12s %12s\n", "", "total", "used", "free", "kernel");
	printf("%-7s %12llu %12llu %12llu %12llu\n", "Mem:", (unsigned long long)(total >> shift),
	       (unsigned long long)(used >> shift), (unsigned long long)(free_bytes >> shift),
	       (unsigned long long)(kernel >> shift));
	static const char *const names[RAE_MEM_USES] = RAE_MEM_USE_NAMES;
	unsigned uses = info.mem_uses < RAE_MEM_USES ? info.mem_uses : RAE_MEM_USES;
	printf("\n");
	for (unsigned u = 0; u < uses; u++) {
		char label[24];
		snprintf(label, sizeof(label), "%s:", names[u]);
		printf("%-14s %12llu\n", label,
		       (unsigned long long)((info.mem_pages[u] * info.page_size) >> shift));
	}
	return 0;
}
