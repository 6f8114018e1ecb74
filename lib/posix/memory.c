/* Memory calls over RaeCore's private pages (VM_ALLOCATE, VM_PROTECT,
 * VM_FREE): anonymous mmap, munmap, mprotect, and a break that never moves
 * (brk returns the same address whatever it is asked, so musl's malloc
 * takes its memory from mmap). Pages are allocated zeroed when mapped;
 * write and execute together are refused (W^X), and protecting pages
 * PROT_NONE gives them back to the kernel: their contents are gone when
 * they are made accessible again (RaeCore keeps no inaccessible pages). */
#include <errno.h>
#include <sys/mman.h>
#include "posix.h"

#define PAGE 4096ul

/* The end of the program's data (the linker's), where the break starts. */
extern char _end[] __attribute__((visibility("hidden")));

static long prot_to_rae(int prot, uint64_t *out)
{
	if (prot & ~(PROT_READ | PROT_WRITE | PROT_EXEC))
		return -EINVAL;
	if ((prot & PROT_WRITE) && (prot & PROT_EXEC))
		return -EACCES; /* W^X: never both */
	*out = (uint64_t)((prot & PROT_READ) ? RAE_PROT_READ : 0) |
	       ((prot & PROT_WRITE) ? RAE_PROT_WRITE | RAE_PROT_READ : 0) |
	       ((prot & PROT_EXEC) ? RAE_PROT_EXEC | RAE_PROT_READ : 0);
	return 0;
}

static long vm_errno(int64_t st)
{
	switch (st) {
	case RAE_ERR_RANGE:
	case RAE_ERR_ACCESS_DENIED: return -EINVAL; /* not memory mmap made */
	default: return rae_posix_errno(st);
	}
}

long rae_posix_mmap(uintptr_t addr, size_t len, int prot, int flags, int fd, long off)
{
	uint64_t rprot;
	long r = prot_to_rae(prot, &rprot);
	if (r)
		return r;
	if (!len || len > RAE_VM_BYTES_MAX || (off & (PAGE - 1)))
		return -EINVAL;
	if (!(flags & MAP_ANONYMOUS))
		return rae_fd_valid(fd) ? -ENODEV : -EBADF; /* no mappable files yet */
	if ((flags & MAP_TYPE) != MAP_PRIVATE && (flags & MAP_TYPE) != MAP_SHARED)
		return -EINVAL;
	/* MAP_SHARED anonymous memory is shared with children only, and
	 * there is no fork: within one process it is private memory. */
	if (flags & MAP_FIXED) {
		/* Only over memory mmap gave: its pages are replaced by zeroed
		 * ones, as a fresh mapping would have. */
		if (addr & (PAGE - 1))
			return -EINVAL;
		int64_t st = rae_sys_vm_free(addr, len);
		if (st == RAE_OK && rprot)
			st = rae_sys_vm_protect(addr, len, rprot);
		return st == RAE_OK ? (long)addr : vm_errno(st);
	}
	int64_t va = rae_sys_vm_allocate(len, rprot);
	return va < 0 ? rae_posix_errno(va) : (long)va;
}

long rae_posix_munmap(uintptr_t addr, size_t len)
{
	if ((addr & (PAGE - 1)) || !len || len > RAE_VM_BYTES_MAX)
		return -EINVAL;
	int64_t st = rae_sys_vm_free(addr, len);
	return st == RAE_OK ? 0 : vm_errno(st);
}

long rae_posix_mprotect(uintptr_t addr, size_t len, int prot)
{
	uint64_t rprot;
	long r = prot_to_rae(prot, &rprot);
	if (r)
		return r;
	if ((addr & (PAGE - 1)) || len > RAE_VM_BYTES_MAX)
		return -EINVAL;
	if (!len)
		return 0;
	int64_t st = rae_sys_vm_protect(addr, len, rprot);
	if (st == RAE_ERR_RANGE || st == RAE_ERR_ACCESS_DENIED)
		return -ENOMEM; /* Linux: not (all) mapped by mmap */
	return st == RAE_OK ? 0 : rae_posix_errno(st);
}

long rae_posix_brk(uintptr_t want)
{
	(void)want;
	return (long)(((uintptr_t)_end + PAGE - 1) & ~(PAGE - 1));
}
