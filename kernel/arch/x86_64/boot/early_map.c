/* Queries and the one change made to the boot stub's page tables before the
 * memory manager replaces them: dropping the identity map. */
#include <arch/x86_64/boot/early_map.h>
#include <arch/x86_64/cpu/regs.h>
#include <kernel.h>
#include <stddef.h>

#define PTE_PRESENT 0x1ull
#define PTE_HUGE 0x80ull
#define PTE_ADDR_MASK 0x000ffffffffff000ull

extern uint64_t boot_pml4[512];

void *phys_to_virt(uint64_t phys, uint64_t len)
{
	if (phys >= DIRECT_MAP_SIZE || len > DIRECT_MAP_SIZE - phys)
		return NULL;
	return (void *)(uintptr_t)(DIRECT_MAP_BASE + phys);
}

static const uint64_t *table_at(uint64_t entry)
{
	return phys_to_virt(entry & PTE_ADDR_MASK, 4096);
}

bool early_map_is_mapped(uintptr_t vaddr)
{
	/* Non-canonical addresses are never mapped. */
	uint64_t top = (uint64_t)vaddr >> 47;
	if (top != 0 && top != 0x1ffff)
		return false;

	const uint64_t *table = table_at(cpu_read_cr3());
	for (int level = 3; level >= 0; level--) {
		if (!table)
			return false;
		uint64_t e = table[(vaddr >> (12 + 9 * level)) & 0x1ff];
		if (!(e & PTE_PRESENT))
			return false;
		if (level == 0 || ((e & PTE_HUGE) && level <= 2))
			return true;
		table = table_at(e);
	}
	return false;
}

void early_map_drop_identity(void)
{
	boot_pml4[0] = 0;
	cpu_write_cr3(cpu_read_cr3());
}
