/* The other half of memtest: maps the memory object it was given (read
 * only, as its handle allows), checks the pattern its parent wrote, and
 * checks that a writable mapping is refused. Exit status = failures. */
#include <rae.h>

int main(uint64_t arg)
{
	rae_handle_t h = (rae_handle_t)arg;
	int failures = 0;
	int64_t va = rae_mem_map(h, RAE_PROT_READ);
	if (va <= 0)
		return 50;
	const volatile uint32_t *p = (const volatile uint32_t *)(uintptr_t)va;
	for (uint32_t i = 0; i < 4096; i++) {
		if (p[i] != i * 2654435761u)
			failures++;
	}
	if (rae_mem_map(h, RAE_PROT_READ | RAE_PROT_WRITE) != RAE_ERR_ACCESS_DENIED)
		failures++;
	return failures > 40 ? 40 : failures;
}
