/* x86-64 4-level page tables: map, unmap, query, and the W^X audit. PAT is
 * programmed so that PWT selects write-combining and PCD|PWT uncached. */
#include <arch/x86_64/cpu/features.h>
#include <arch/x86_64/cpu/regs.h>
#include <hal/paging.h>
#include <string.h>

#define PTE_P      (1ull << 0)
#define PTE_W      (1ull << 1)
#define PTE_U      (1ull << 2)
#define PTE_PWT    (1ull << 3)
#define PTE_PCD    (1ull << 4)
#define PTE_PS     (1ull << 7)
#define PTE_G      (1ull << 8)
#define PTE_NX     (1ull << 63)
#define PTE_SHARED (1ull << 9) /* software bit: see VM_SHARED */
#define PTE_ADDR   0x000ffffffffff000ull

#define LARGE_PAGE (2ull << 20)
#define MSR_PAT    0x277u
/* PA0 WB, PA1 WC, PA2 UC-, PA3 UC, then the same again. */
#define PAT_VALUE 0x0007010600070106ull

static bool va_canonical(uintptr_t va)
{
	uint64_t top = (uint64_t)va >> 47;
	return top == 0 || top == 0x1ffff;
}

static uint64_t *table_of(uint64_t entry)
{
	return phys_to_virt_unchecked(entry & PTE_ADDR);
}

static unsigned index_at(uintptr_t va, int level)
{
	return (va >> (12 + 9 * level)) & 0x1ff;
}

void x86_pat_init(void)
{
	cpu_wrmsr(MSR_PAT, PAT_VALUE);
}

static uint64_t leaf_bits(unsigned flags)
{
	uint64_t e = PTE_P;
	if (flags & VM_WRITE)
		e |= PTE_W;
	if (flags & VM_USER)
		e |= PTE_U;
	if (!(flags & VM_EXEC) && cpu_features.nx)
		e |= PTE_NX;
	if (flags & VM_GLOBAL)
		e |= PTE_G;
	if (flags & VM_SHARED)
		e |= PTE_SHARED;
	if (flags & VM_UNCACHED)
		e |= PTE_PCD | PTE_PWT;
	else if (flags & VM_WRITE_COMBINE)
		e |= PTE_PWT;
	return e;
}

/* The table below entry `e`, created if missing. Intermediate entries are
 * permissive (W, and U for user addresses): leaves decide. */
static uint64_t *next_table(uint64_t *e, bool user, pt_alloc_fn alloc)
{
	if (!(*e & PTE_P)) {
		paddr_t pa = alloc ? alloc() : 0;
		if (!pa)
			return NULL;
		*e = pa | PTE_P | PTE_W | (user ? PTE_U : 0);
	} else if (*e & PTE_PS) {
		return NULL; /* a large page is in the way */
	}
	return table_of(*e);
}

rae_status_t hal_pt_map(paddr_t root, uintptr_t va, paddr_t pa, uint64_t size, unsigned flags,
			bool allow_large, pt_alloc_fn alloc)
{
	if ((flags & VM_WRITE) && (flags & VM_EXEC))
		return RAE_ERR_INVALID; /* W^X */
	if ((va | pa | size) & (PAGE_SIZE - 1) || size == 0 || va + size - 1 < va)
		return RAE_ERR_INVALID;
	if (!va_canonical(va) || !va_canonical(va + size - 1))
		return RAE_ERR_INVALID;
	if (((va >> 47) & 1) != (((va + size - 1) >> 47) & 1))
		return RAE_ERR_INVALID;

	bool user = flags & VM_USER;
	uint64_t bits = leaf_bits(flags);
	for (uint64_t off = 0; off < size;) {
		uintptr_t v = va + off;
		paddr_t p = pa + off;
		uint64_t *t = phys_to_virt_unchecked(root);
		for (int level = 3; level > 1; level--) {
			t = next_table(&t[index_at(v, level)], user, alloc);
			if (!t)
				return alloc ? RAE_ERR_NO_MEMORY : RAE_ERR_INVALID;
		}
		uint64_t *pde = &t[index_at(v, 1)];
		if (allow_large && !(v & (LARGE_PAGE - 1)) && !(p & (LARGE_PAGE - 1)) &&
		    size - off >= LARGE_PAGE) {
			if (*pde & PTE_P)
				return RAE_ERR_INVALID;
			/* In a PDE the PAT bit moves to bit 12; we only use PWT/PCD. */
			*pde = p | bits | PTE_PS;
			off += LARGE_PAGE;
			continue;
		}
		t = next_table(pde, user, alloc);
		if (!t)
			return alloc ? RAE_ERR_NO_MEMORY : RAE_ERR_INVALID;
		uint64_t *pte = &t[index_at(v, 0)];
		if (*pte & PTE_P)
			return RAE_ERR_INVALID;
		*pte = p | bits;
		off += PAGE_SIZE;
	}
	return RAE_OK;
}

/* The leaf entry for `va` and its level (0 = 4 KiB, 1 = 2 MiB, 2 = 1 GiB),
 * or NULL. */
static uint64_t *leaf_lookup(paddr_t root, uintptr_t va, int *level_out)
{
	if (!va_canonical(va))
		return NULL;
	uint64_t *t = phys_to_virt_unchecked(root);
	for (int level = 3; level >= 0; level--) {
		uint64_t *e = &t[index_at(va, level)];
		if (!(*e & PTE_P))
			return NULL;
		if (level == 0 || (level <= 2 && (*e & PTE_PS))) {
			*level_out = level;
			return e;
		}
		t = table_of(*e);
	}
	return NULL;
}

void hal_pt_unmap(paddr_t root, uintptr_t va, uint64_t size)
{
	for (uint64_t off = 0; off < size; off += PAGE_SIZE) {
		int level;
		uint64_t *e = leaf_lookup(root, va + off, &level);
		if (e && level == 0)
			*e = 0;
	}
	hal_tlb_flush_range(va, size);
}

bool hal_pt_query(paddr_t root, uintptr_t va, paddr_t *pa, unsigned *flags)
{
	int level;
	uint64_t *e = leaf_lookup(root, va, &level);
	if (!e)
		return false;
	uint64_t page_mask = (1ull << (12 + 9 * level)) - 1;
	if (pa)
		*pa = ((*e & PTE_ADDR) & ~page_mask) | (va & page_mask);
	if (flags) {
		unsigned f = VM_READ;
		if (*e & PTE_W)
			f |= VM_WRITE;
		if (!(*e & PTE_NX))
			f |= VM_EXEC;
		if (*e & PTE_U)
			f |= VM_USER;
		if (*e & PTE_G)
			f |= VM_GLOBAL;
		if (*e & PTE_SHARED)
			f |= VM_SHARED;
		*flags = f;
	}
	return true;
}

/* Walks the tree; a leaf is W+X when every level allows writing and none
 * forbids execution. */
static uint64_t wx_walk(const uint64_t *t, int level, uintptr_t va_base, bool w, bool x,
			pt_wx_report_fn report)
{
	uint64_t found = 0;
	for (unsigned i = 0; i < 512; i++) {
		uint64_t e = t[i];
		if (!(e & PTE_P))
			continue;
		uintptr_t va = va_base + ((uint64_t)i << (12 + 9 * level));
		if (level == 3 && i >= 256)
			va |= 0xffff000000000000ull; /* sign-extend the upper half */
		bool ew = w && (e & PTE_W), ex = x && !(e & PTE_NX);
		if (level == 0 || (level <= 2 && (e & PTE_PS))) {
			if (ew && ex) {
				found++;
				if (report)
					report(va, 1ull << (12 + 9 * level));
			}
			continue;
		}
		found += wx_walk(table_of(e), level - 1, va, ew, ex, report);
	}
	return found;
}

uint64_t hal_pt_count_wx(paddr_t root, pt_wx_report_fn report)
{
	return wx_walk(phys_to_virt_unchecked(root), 3, 0, true, true, report);
}

paddr_t hal_pt_root(void)
{
	return cpu_read_cr3() & PTE_ADDR;
}

void hal_pt_switch(paddr_t root)
{
	cpu_write_cr3(root);
}

void hal_tlb_flush_page(uintptr_t va)
{
	__asm__ volatile("invlpg (%0)" : : "r"(va) : "memory");
}

void hal_tlb_flush_range(uintptr_t va, uint64_t size)
{
	/* Past a few dozen pages a full flush is cheaper than invlpg each. */
	if (size > 64 * PAGE_SIZE) {
		hal_tlb_flush_all();
		return;
	}
	for (uint64_t off = 0; off < size; off += PAGE_SIZE)
		hal_tlb_flush_page(va + off);
}

void hal_tlb_flush_all(void)
{
	/* Toggling CR4.PGE flushes global entries too. */
	uint64_t cr4 = cpu_read_cr4();
	if (cr4 & (1ull << 7)) {
		cpu_write_cr4(cr4 & ~(1ull << 7));
		cpu_write_cr4(cr4);
	} else {
		cpu_write_cr3(cpu_read_cr3());
	}
}

rae_status_t hal_pt_populate_top(paddr_t root, uintptr_t va, uint64_t size, pt_alloc_fn alloc)
{
	uint64_t *top = phys_to_virt_unchecked(root);
	for (uint64_t off = 0; off < size; off += 1ull << 39) {
		if (!next_table(&top[index_at(va + off, 3)], false, alloc))
			return RAE_ERR_NO_MEMORY;
	}
	if (!next_table(&top[index_at(va + size - 1, 3)], false, alloc))
		return RAE_ERR_NO_MEMORY;
	return RAE_OK;
}
