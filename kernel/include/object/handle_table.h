/* A process's handle table: the capabilities it holds, each an object
 * reference with a rights mask and a badge, named by index + generation
 * (abi/rae/handle.h). Pure code, host-tested: no locks, and memory only
 * through the allocator the owner supplies. */
#ifndef OBJECT_HANDLE_TABLE_H
#define OBJECT_HANDLE_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <object/object.h>
#include <rae/handle.h>
#include <rae/status.h>

/* Most entries one table can have: every index a handle value can carry. */
#define HANDLE_TABLE_MAX_ENTRIES (RAE_HANDLE_INDEX_MASK + 1u)
/* Entries of the first array; each growth doubles it, up to the limit. */
#define HANDLE_TABLE_INITIAL_ENTRIES 16u
/* The end of the free list. */
#define HANDLE_TABLE_NO_INDEX UINT32_MAX

/* One slot. A used slot holds one reference to obj; a free one none. */
typedef struct handle_entry {
	kobject_t *obj;     /* NULL while free */
	uint64_t badge;     /* set by whoever made the handle; servers tell clients apart by it */
	uint32_t rights;    /* RAE_RIGHT_* bits, a subset of RAE_RIGHTS_ALL */
	uint32_t next_free; /* while free: the next free slot, or HANDLE_TABLE_NO_INDEX */
	/* 1 .. RAE_HANDLE_GEN_MAX: of the live handle while used, of the next
	 * handle to be issued from this slot while free. */
	uint16_t generation;
	bool used;
} handle_entry_t;

/* Reallocates the entry array: returns a block of new_bytes whose first
 * old_bytes equal old's (old is NULL with old_bytes 0 the first time) and
 * releases old; or returns NULL and leaves old as it was. */
typedef void *(*handle_table_grow_fn)(void *ctx, void *old, size_t old_bytes, size_t new_bytes);
/* Frees an array grow returned. */
typedef void (*handle_table_release_fn)(void *ctx, void *p);

/*
 * Every field is guarded by the owning process's handle-table lock, which
 * the caller of every handle_table_* function holds; the table takes no lock
 * and never sleeps except inside grow. Free slots form a FIFO list: the slot
 * freed longest ago is reused first, which spreads generation bumps over all
 * free slots and so makes a stale handle come back to life as late as
 * possible.
 */
typedef struct handle_table {
	handle_entry_t *entries; /* capacity slots; NULL before the first add */
	uint32_t capacity;
	uint32_t count;     /* used slots */
	uint32_t limit;     /* count never exceeds it; capacity never either */
	uint32_t free_head; /* reused next; HANDLE_TABLE_NO_INDEX when none */
	uint32_t free_tail; /* freed last */
	handle_table_grow_fn grow;
	handle_table_release_fn release;
	void *ctx; /* passed to grow and release */
} handle_table_t;

/*
 * Makes t an empty table of at most limit handles (1 ..
 * HANDLE_TABLE_MAX_ENTRIES) that allocates through grow and release. Nothing
 * is allocated until the first add. Returns RAE_OK, RAE_ERR_RANGE for a bad
 * limit or RAE_ERR_INVALID for a NULL function; t is untouched on failure.
 */
rae_status_t handle_table_init(handle_table_t *t, uint32_t limit, handle_table_grow_fn grow,
			       handle_table_release_fn release, void *ctx);

/*
 * Makes a new handle to obj with the given rights (a subset of
 * RAE_RIGHTS_ALL) and badge, takes a new reference on obj for it and stores
 * the handle in *out. Returns RAE_OK; RAE_ERR_INVALID for a NULL obj or out
 * or unknown rights bits; RAE_ERR_LIMIT when the table already holds limit
 * handles; RAE_ERR_NO_MEMORY when the array cannot grow. On failure nothing
 * changed and *out is not written.
 */
rae_status_t handle_table_add(handle_table_t *t, kobject_t *obj, uint32_t rights, uint64_t badge,
			      rae_handle_t *out);

/* The used slot h names, or NULL. Generation 0 is never stored, so values
 * without generation bits (0 among them) fail the generation compare. */
static inline handle_entry_t *handle_table_find(handle_table_t *t, rae_handle_t h)
{
	uint32_t index = h & RAE_HANDLE_INDEX_MASK;
	handle_entry_t *e;

	if (index >= t->capacity)
		return NULL;
	e = &t->entries[index];
	if (!e->used || e->generation != h >> RAE_HANDLE_GEN_SHIFT)
		return NULL;
	return e;
}

/*
 * Looks h up for a call that needs an object of the given type (RAE_OBJ_NONE:
 * any) and every right in rights_needed. Returns, checked in this order,
 * RAE_ERR_BAD_HANDLE when h names no live handle (0, an index past the
 * table, a free slot, or a stale generation), RAE_ERR_WRONG_TYPE, or
 * RAE_ERR_ACCESS_DENIED; then RAE_OK with a new reference in *obj that the
 * caller drops with kobject_unref (after releasing the table lock), the
 * handle's rights in *rights and its badge in *badge. Any of the three may be
 * NULL; with obj NULL, no reference is taken (a check only). On failure no
 * output is written.
 */
static inline rae_status_t handle_table_get(handle_table_t *t, rae_handle_t h, uint32_t type,
					    uint32_t rights_needed, kobject_t **obj,
					    uint32_t *rights, uint64_t *badge)
{
	/* Inline: every system call that takes a handle comes through here. */
	const handle_entry_t *e = handle_table_find(t, h);

	if (e == NULL)
		return RAE_ERR_BAD_HANDLE;
	if (type != RAE_OBJ_NONE && e->obj->type != type)
		return RAE_ERR_WRONG_TYPE;
	if ((e->rights & rights_needed) != rights_needed)
		return RAE_ERR_ACCESS_DENIED;
	if (obj != NULL) {
		kobject_ref(e->obj);
		*obj = e->obj;
	}
	if (rights != NULL)
		*rights = e->rights;
	if (badge != NULL)
		*badge = e->badge;
	return RAE_OK;
}

/*
 * Takes h out of the table, for close or to move it into a message: the
 * slot's generation is bumped, so h stays invalid even after the slot is
 * reused (until the generation wraps around, see abi/rae/handle.h). The
 * table's reference moves to *obj (not NULL), for the caller to drop with
 * kobject_unref after releasing the table lock or to hand on; the rights go
 * to *rights and the badge to *badge if those are not NULL. Checks no right:
 * a caller moving h into a message checks RAE_RIGHT_TRANSFER with
 * handle_table_get first, under the same lock hold. Returns RAE_OK,
 * RAE_ERR_INVALID for a NULL obj, or RAE_ERR_BAD_HANDLE (nothing changed).
 */
rae_status_t handle_table_remove(handle_table_t *t, rae_handle_t h, kobject_t **obj,
				 uint32_t *rights, uint64_t *badge);

/*
 * Makes a second handle to h's object with new_rights and h's badge, and
 * stores it in *out. h needs RAE_RIGHT_DUPLICATE, and new_rights must be a
 * subset of h's rights: rights only ever shrink. Returns RAE_OK;
 * RAE_ERR_INVALID for a NULL out; RAE_ERR_BAD_HANDLE; RAE_ERR_ACCESS_DENIED
 * for either rights rule; RAE_ERR_LIMIT or RAE_ERR_NO_MEMORY as
 * handle_table_add. On failure nothing changed.
 */
rae_status_t handle_table_dup(handle_table_t *t, rae_handle_t h, uint32_t new_rights,
			      rae_handle_t *out);

/*
 * Drops the reference of every handle in t and frees the array, leaving t an
 * empty table with the same limit and allocator (usable again, or destroyed
 * again harmlessly). Objects whose last reference goes are destroyed here,
 * so call it with no lock held that their destroy functions need, normally
 * when the process is gone and nobody else can reach t. A destroy function
 * that reaches t finds it already empty.
 */
void handle_table_destroy(handle_table_t *t);

/* The number of live handles in t. */
uint32_t handle_table_count(const handle_table_t *t);

#endif
