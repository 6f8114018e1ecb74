/* System calls on memory: memory objects and their mappings, and a
 * process's private pages (rae/syscalls.def). */
#include <mm/vm.h>
#include <object/memory.h>
#include <proc/address_space.h>
#include <proc/syscall.h>

/* What a handle from MEM_CREATE and MEM_CREATE_PHYS allows. */
#define MEMORY_HANDLE_RIGHTS                                                                       \
	(RAE_RIGHT_READ | RAE_RIGHT_WRITE | RAE_RIGHT_MAP | RAE_RIGHT_DUPLICATE |                  \
	 RAE_RIGHT_TRANSFER)

int64_t sys_mem_create(uint64_t bytes, uint64_t flags)
{
	if (flags & ~(uint64_t)RAE_MEM_CONTIGUOUS)
		return RAE_ERR_INVALID;
	if (bytes == 0 || bytes > MEMORY_OBJECT_MAX_PAGES * PAGE_SIZE)
		return RAE_ERR_RANGE;
	rae_status_t st;
	memory_object_t *m = memory_object_create(
	    PAGE_ALIGN_UP(bytes) / PAGE_SIZE, flags & RAE_MEM_CONTIGUOUS, self_proc()->job, &st);
	if (!m)
		return st;
	return sys_handle_install(&m->obj, MEMORY_HANDLE_RIGHTS);
}

/* The object's size in bytes (a whole number of pages): what a process
 * handed an object needs to bound its reads of it (the initrd). */
int64_t sys_mem_size(rae_handle_t h)
{
	kobject_t *obj;
	rae_status_t st = SYS_HANDLE_GET(mem_size, h, &obj, NULL);
	if (st != RAE_OK)
		return st;
	int64_t bytes = (int64_t)(((memory_object_t *)obj)->pages * PAGE_SIZE); /* never changes */
	kobject_unref(obj);
	return bytes;
}

int64_t sys_mem_map(rae_handle_t h, uint64_t prot)
{
	if (prot & ~(uint64_t)(RAE_PROT_READ | RAE_PROT_WRITE | RAE_PROT_EXEC) ||
	    ((prot & RAE_PROT_WRITE) && (prot & RAE_PROT_EXEC)))
		return RAE_ERR_INVALID; /* W^X */
	uint32_t need = SYS_RIGHTS(mem_map);
	unsigned flags = VM_READ;
	if (prot & RAE_PROT_WRITE) {
		need |= RAE_RIGHT_WRITE;
		flags |= VM_WRITE;
	}
	if (prot & RAE_PROT_EXEC) {
		need |= RAE_RIGHT_EXECUTE;
		flags |= VM_EXEC;
	}
	kobject_t *obj;
	rae_status_t st = sys_handle_lookup(h, SYS_OBJECT(mem_map), need, &obj);
	if (st != RAE_OK)
		return st;
	process_t *p = self_proc();
	memory_object_t *m = (memory_object_t *)obj;
	uintptr_t va = process_mmap_reserve(p, m->pages);
	if (!va) {
		kobject_unref(obj);
		return RAE_ERR_NO_MEMORY; /* no address space left for it */
	}
	if (m->phys)
		st = as_map_phys(p->as, va, m->phys_base, m->pages, flags | m->vm_cache);
	else
		st = as_map_frames(p->as, va, m->frames, m->pages, flags);
	/* The lookup's reference stays with the mapping, recorded only once
	 * it is complete so that MEM_UNMAP never sees half of one. */
	if (st == RAE_OK)
		st = process_note_mapping(p, obj, va, m->pages);
	if (st != RAE_OK) {
		as_unmap_shared(p->as, va, m->pages);
		process_mmap_unreserve(p, va, m->pages);
		kobject_unref(obj);
		return st;
	}
	return (int64_t)va;
}

int64_t sys_mem_unmap(uint64_t addr)
{
	uintptr_t va = addr;
	if ((va & (PAGE_SIZE - 1)) || va < PAGE_SIZE || !user_range_ok(va, PAGE_SIZE))
		return RAE_ERR_INVALID;
	process_t *p = self_proc();
	kobject_t *obj;
	uint64_t pages;
	rae_status_t st = process_take_mapping(p, va, &obj, &pages);
	if (st != RAE_OK)
		return st;
	as_unmap_shared(p->as, va, pages); /* every CPU has forgotten the pages... */
	kobject_unref(obj);                /* ...before the object may free them */
	return RAE_OK;
}

/* VM_* protections as page flags; RAE_ERR_INVALID for unknown bits or W+X. */
static rae_status_t vm_flags_from_prot(uint64_t prot, unsigned *flags)
{
	if (prot & ~(uint64_t)(RAE_PROT_READ | RAE_PROT_WRITE | RAE_PROT_EXEC) ||
	    ((prot & RAE_PROT_WRITE) && (prot & RAE_PROT_EXEC)))
		return RAE_ERR_INVALID;
	*flags = VM_READ | ((prot & RAE_PROT_WRITE) ? VM_WRITE : 0) |
		 ((prot & RAE_PROT_EXEC) ? VM_EXEC : 0);
	return RAE_OK;
}

int64_t sys_vm_allocate(uint64_t bytes, uint64_t prot)
{
	unsigned flags;
	rae_status_t st = vm_flags_from_prot(prot, &flags);
	if (st != RAE_OK)
		return st;
	if (bytes == 0 || bytes > RAE_VM_BYTES_MAX)
		return RAE_ERR_RANGE;
	process_t *p = self_proc();
	uint64_t pages = PAGE_ALIGN_UP(bytes) / PAGE_SIZE;
	uintptr_t va = process_mmap_reserve(p, pages);
	if (!va)
		return RAE_ERR_NO_MEMORY; /* no address space left for it */
	if (prot == 0)
		return (int64_t)va; /* reserved: VM_PROTECT maps pages there */
	st = as_map_anon(p->as, va, pages, flags);
	if (st != RAE_OK) {
		as_free_anon(p->as, va, pages);
		process_mmap_unreserve(p, va, pages);
		return st;
	}
	return (int64_t)va;
}

/* The range [addr, addr + bytes) in pages, if it lies in the caller's mmap
 * area (never its image or main stack). */
static rae_status_t vm_range(uintptr_t va, uint64_t bytes, uint64_t *pages)
{
	process_t *p = self_proc();
	if ((va & (PAGE_SIZE - 1)) || bytes == 0 || bytes > RAE_VM_BYTES_MAX)
		return RAE_ERR_INVALID;
	*pages = PAGE_ALIGN_UP(bytes) / PAGE_SIZE;
	uintptr_t end = __atomic_load_n(&p->mmap_next, __ATOMIC_ACQUIRE);
	if (va < p->mmap_base || va >= end || *pages > (end - va) / PAGE_SIZE)
		return RAE_ERR_RANGE;
	return RAE_OK;
}

int64_t sys_vm_protect(uint64_t addr, uint64_t bytes, uint64_t prot)
{
	unsigned flags;
	uint64_t pages;
	rae_status_t st = vm_flags_from_prot(prot, &flags);
	if (st == RAE_OK)
		st = vm_range(addr, bytes, &pages);
	if (st != RAE_OK)
		return st;
	if (prot == 0)
		return as_free_anon(self_proc()->as, addr, pages);
	/* Stacks are never executable and guards never mapped, wherever
	 * they lie. */
	st = process_check_protect(self_proc(), addr, pages, flags);
	if (st != RAE_OK)
		return st;
	return as_protect_anon(self_proc()->as, addr, pages, flags);
}

int64_t sys_vm_free(uint64_t addr, uint64_t bytes)
{
	uint64_t pages;
	rae_status_t st = vm_range(addr, bytes, &pages);
	return st == RAE_OK ? as_free_anon(self_proc()->as, addr, pages) : st;
}
