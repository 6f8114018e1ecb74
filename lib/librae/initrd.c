/* Programs from the initrd for a process that was handed it (RAE_ROLE_INITRD,
 * or the bootstrap call): the initrd is a memory object holding a USTAR
 * archive; this finds a regular file in it so that SPAWN_IMAGE can start it.
 * Only processes the kernel started may spawn by path (docs/syscalls.md);
 * everyone else goes through here with a handle they were given. */
#include <stdbool.h>
#include <lib/ustar.h>
#include <rae_startup.h>

static const char *entry_path(const ustar_entry_t *e)
{
	return e->name[0] == '.' && e->name[1] == '/' ? e->name + 2 : e->name;
}

static bool same_path(const char *a, const char *b)
{
	while (*a == '/')
		a++;
	while (*a && *a == *b) {
		a++;
		b++;
	}
	return *a == *b;
}

rae_status_t rae_initrd_find(rae_handle_t initrd, const char *path, uint64_t *offset,
			     uint64_t *size)
{
	int64_t bytes = rae_mem_size(initrd);
	if (bytes < 0)
		return (rae_status_t)bytes;
	int64_t at = rae_mem_map(initrd, RAE_PROT_READ);
	if (at < 0)
		return (rae_status_t)at;
	const uint8_t *base = (const uint8_t *)(uintptr_t)at;
	ustar_reader_t r;
	ustar_entry_t e;
	rae_status_t st = RAE_ERR_NOT_FOUND, next;
	ustar_reader_init(&r, base, (size_t)bytes);
	while ((next = ustar_next(&r, &e)) == RAE_OK) {
		if ((e.type == '0' || e.type == '\0') && same_path(path, entry_path(&e))) {
			*offset = e.data ? (uint64_t)((const uint8_t *)e.data - base) : 0;
			*size = e.size;
			st = RAE_OK;
			break;
		}
	}
	/* A damaged archive is an error of its own, not "no such program". */
	if (st != RAE_OK && next != RAE_ERR_END)
		st = next;
	rae_mem_unmap((uint64_t)at);
	return st;
}

rae_status_t rae_initrd_spawn_start(rae_handle_t initrd, const char *path, rae_handle_t job,
				    const char *const *argv, const char *const *envp,
				    const rae_handle_t *handles, const uint16_t *roles, unsigned n,
				    rae_handle_t *proc)
{
	uint64_t offset = 0, size = 0;
	rae_status_t st = rae_initrd_find(initrd, path, &offset, &size);
	if (st != RAE_OK)
		return st;
	const char *name = path;
	for (const char *c = path; *c; c++) {
		if (*c == '/' && c[1])
			name = c + 1;
	}
	return rae_spawn_start(initrd, offset, size, name, job, argv, envp, handles, roles, n,
			       proc);
}
