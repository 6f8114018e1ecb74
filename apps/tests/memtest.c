/* Memory objects from user mode: create, map read-write, share with a child
 * through a read-only handle, W^X refused, rights enforced, contiguous
 * objects. Exits with the number of failed checks. */
#include <rae.h>

static int failures;

static void check(int ok, const char *what)
{
	if (!ok) {
		failures++;
		rae_puts("memtest: FAILED: ");
		rae_puts(what);
		rae_puts("\n");
	}
}

int main(uint64_t arg)
{
	(void)arg;
	rae_handle_t h = RAE_HANDLE_INVALID;
	rae_mem_create(16384, 0, &h);
	check(h > 0, "create a 16 KiB memory object");
	int64_t va = rae_mem_map(h, RAE_PROT_READ | RAE_PROT_WRITE);
	check(va > 0, "map it read-write");
	volatile uint32_t *p = (volatile uint32_t *)(uintptr_t)va;
	for (uint32_t i = 0; i < 4096; i++)
		p[i] = i * 2654435761u;
	check(rae_mem_map(h, RAE_PROT_WRITE | RAE_PROT_EXEC) == RAE_ERR_INVALID,
	      "a writable and executable mapping is refused");
	check(rae_mem_map(h, RAE_PROT_EXEC | RAE_PROT_READ) == RAE_ERR_ACCESS_DENIED,
	      "executing needs EXECUTE");
	rae_handle_t nomap;
	rae_handle_dup(h, RAE_RIGHT_READ, &nomap);
	check(rae_mem_map(nomap, RAE_PROT_READ) == RAE_ERR_ACCESS_DENIED, "mapping needs MAP");
	check(rae_sys_mem_create(0, 0) == RAE_ERR_RANGE &&
		  rae_sys_mem_create(4096, 8) == RAE_ERR_INVALID,
	      "bad sizes and flags");

	/* Share it read-only with a child, which checks the pattern. */
	rae_handle_t ro;
	rae_handle_dup(h, RAE_RIGHT_READ | RAE_RIGHT_MAP | RAE_RIGHT_TRANSFER, &ro);
	rae_handle_t child = RAE_HANDLE_INVALID;
	rae_spawn_with("bin/memreader", ro, 0, &child);
	int status = -1;
	check(child > 0 && rae_wait(child, &status) == RAE_OK && status == 0,
	      "the child sees the shared pattern and cannot write");
	/* Our mapping survives the child's end and the handle's close. */
	rae_handle_close(h);
	check(p[4095] == 4095u * 2654435761u, "the mapping outlives the handle");

	rae_handle_t dma = RAE_HANDLE_INVALID;
	rae_mem_create(65536, RAE_MEM_CONTIGUOUS, &dma);
	check(dma > 0 && rae_mem_map(dma, RAE_PROT_READ | RAE_PROT_WRITE) > 0,
	      "a contiguous object maps");

	rae_puts(failures ? "memtest: some checks failed\n" : "memtest: all checks passed\n");
	return failures;
}
