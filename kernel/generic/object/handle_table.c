/* The per-process handle table (object/handle_table.h): slots named by index
 * + generation, a FIFO free list, and growth by doubling through the owner's
 * allocator. The caller holds the table's lock around every call. */
#include <object/handle_table.h>

#include <string.h>

#include <compiler.h>

STATIC_ASSERT(HANDLE_TABLE_MAX_ENTRIES <= HANDLE_TABLE_NO_INDEX,
	      "HANDLE_TABLE_NO_INDEX must not be a slot index");
STATIC_ASSERT(RAE_HANDLE_GEN_MAX <= UINT16_MAX, "handle_entry_t.generation is 16 bits");
STATIC_ASSERT(RAE_HANDLE_INDEX_BITS + RAE_HANDLE_GEN_BITS == 32, "a handle is 32 bits");

static inline uint32_t handle_value_index(rae_handle_t h)
{
	return h & RAE_HANDLE_INDEX_MASK;
}

static inline uint32_t handle_value_generation(rae_handle_t h)
{
	return h >> RAE_HANDLE_GEN_SHIFT;
}

static inline rae_handle_t handle_value_make(uint32_t index, uint32_t generation)
{
	return (rae_handle_t)(generation << RAE_HANDLE_GEN_SHIFT) | index;
}

static void handle_table_free_push(handle_table_t *t, uint32_t index)
{
	t->entries[index].next_free = HANDLE_TABLE_NO_INDEX;
	if (t->free_tail == HANDLE_TABLE_NO_INDEX)
		t->free_head = index;
	else
		t->entries[t->free_tail].next_free = index;
	t->free_tail = index;
}

static uint32_t handle_table_free_pop(handle_table_t *t)
{
	uint32_t index = t->free_head;

	t->free_head = t->entries[index].next_free;
	if (t->free_head == HANDLE_TABLE_NO_INDEX)
		t->free_tail = HANDLE_TABLE_NO_INDEX;
	return index;
}

/* Doubles the array (up to the limit) and queues the new slots as free.
 * Called only with the free list empty and count below the limit, so every
 * slot is used and capacity < limit. */
static rae_status_t handle_table_grow(handle_table_t *t)
{
	uint32_t new_capacity = t->capacity ? t->capacity * 2 : HANDLE_TABLE_INITIAL_ENTRIES;
	handle_entry_t *entries;

	/* capacity <= limit <= 2^20, so the doubling cannot overflow. */
	if (new_capacity > t->limit)
		new_capacity = t->limit;
	entries = t->grow(t->ctx, t->entries, (size_t)t->capacity * sizeof(handle_entry_t),
			  (size_t)new_capacity * sizeof(handle_entry_t));
	if (entries == NULL)
		return RAE_ERR_NO_MEMORY;
	t->entries = entries;
	for (uint32_t i = t->capacity; i < new_capacity; i++) {
		memset(&entries[i], 0, sizeof(entries[i]));
		entries[i].generation = 1;
		handle_table_free_push(t, i);
	}
	t->capacity = new_capacity;
	return RAE_OK;
}

rae_status_t handle_table_init(handle_table_t *t, uint32_t limit, handle_table_grow_fn grow,
			       handle_table_release_fn release, void *ctx)
{
	if (grow == NULL || release == NULL)
		return RAE_ERR_INVALID;
	if (limit == 0 || limit > HANDLE_TABLE_MAX_ENTRIES)
		return RAE_ERR_RANGE;
	t->entries = NULL;
	t->capacity = 0;
	t->count = 0;
	t->limit = limit;
	t->free_head = HANDLE_TABLE_NO_INDEX;
	t->free_tail = HANDLE_TABLE_NO_INDEX;
	t->grow = grow;
	t->release = release;
	t->ctx = ctx;
	return RAE_OK;
}

rae_status_t handle_table_add(handle_table_t *t, kobject_t *obj, uint32_t rights, uint64_t badge,
			      rae_handle_t *out)
{
	uint32_t index;
	handle_entry_t *e;

	if (obj == NULL || out == NULL || (rights & ~RAE_RIGHTS_ALL) != 0)
		return RAE_ERR_INVALID;
	if (t->count >= t->limit)
		return RAE_ERR_LIMIT;
	if (t->free_head == HANDLE_TABLE_NO_INDEX) {
		rae_status_t status = handle_table_grow(t);

		if (status != RAE_OK)
			return status;
	}
	index = handle_table_free_pop(t);
	e = &t->entries[index];
	kobject_ref(obj);
	e->obj = obj;
	e->rights = rights;
	e->badge = badge;
	e->next_free = HANDLE_TABLE_NO_INDEX;
	e->used = true;
	t->count++;
	*out = handle_value_make(index, e->generation);
	return RAE_OK;
}

rae_status_t handle_table_remove(handle_table_t *t, rae_handle_t h, kobject_t **obj,
				 uint32_t *rights, uint64_t *badge)
{
	handle_entry_t *e;

	if (obj == NULL)
		return RAE_ERR_INVALID;
	e = handle_table_find(t, h);
	if (e == NULL)
		return RAE_ERR_BAD_HANDLE;
	*obj = e->obj;
	if (rights != NULL)
		*rights = e->rights;
	if (badge != NULL)
		*badge = e->badge;
	e->obj = NULL;
	e->rights = 0;
	e->badge = 0;
	e->used = false;
	/* Skipping 0 on the wrap keeps every issued value nonzero. */
	e->generation = e->generation == RAE_HANDLE_GEN_MAX ? 1 : e->generation + 1;
	handle_table_free_push(t, handle_value_index(h));
	t->count--;
	return RAE_OK;
}

rae_status_t handle_table_dup(handle_table_t *t, rae_handle_t h, uint32_t new_rights,
			      rae_handle_t *out)
{
	const handle_entry_t *e;

	if (out == NULL)
		return RAE_ERR_INVALID;
	e = handle_table_find(t, h);
	if (e == NULL)
		return RAE_ERR_BAD_HANDLE;
	if ((e->rights & RAE_RIGHT_DUPLICATE) == 0 || (new_rights & ~e->rights) != 0)
		return RAE_ERR_ACCESS_DENIED;
	/* Arguments are copied before add may grow (and move) the array; the
	 * entry's reference keeps the object alive until add takes its own. */
	return handle_table_add(t, e->obj, new_rights, e->badge, out);
}

void handle_table_destroy(handle_table_t *t)
{
	handle_entry_t *entries = t->entries;
	uint32_t capacity = t->capacity;

	/* Empty t before any destroy function runs, so one that reaches t
	 * sees a consistent, empty table rather than half-released slots. */
	t->entries = NULL;
	t->capacity = 0;
	t->count = 0;
	t->free_head = HANDLE_TABLE_NO_INDEX;
	t->free_tail = HANDLE_TABLE_NO_INDEX;
	for (uint32_t i = 0; i < capacity; i++) {
		if (entries[i].used)
			kobject_unref(entries[i].obj);
	}
	if (entries != NULL)
		t->release(t->ctx, entries);
}

uint32_t handle_table_count(const handle_table_t *t)
{
	return t->count;
}
