/* A process's handle table under its lock: every use of p->handles outside
 * process creation goes through these, so no caller takes handles_lock by
 * hand. The table itself (object/handle_table.h) is pure code without locks.
 * Each function takes and drops handles_lock (LOCK_LEVEL_HANDLES) itself
 * (the small ones inline: message IPC and every handle-taking call use them);
 * objects whose reference a caller gets back are dropped by the caller,
 * with kobject_unref, after the call (never under the lock). */
#ifndef PROC_HANDLES_H
#define PROC_HANDLES_H

#include <object/handle_table.h>
#include <proc/process.h>
#include <sync/spinlock.h>

/* handle_table_get under the lock: a referenced object of `type` with
 * `rights_needed` in *obj (NULL: a check only), its rights and badge in
 * *rights and *badge (either may be NULL); or the distinct error. */
static inline rae_status_t process_handle_get(process_t *p, rae_handle_t h, uint32_t type,
					      uint32_t rights_needed, kobject_t **obj,
					      uint32_t *rights, uint64_t *badge)
{
	bool irq = spin_lock_irqsave(&p->handles_lock);
	rae_status_t st = handle_table_get(&p->handles, h, type, rights_needed, obj, rights, badge);
	spin_unlock_irqrestore(&p->handles_lock, irq);
	return st;
}

/* As process_handle_get, for callers that already run with interrupts off
 * (the register IPC calls): no save and restore of the interrupt flag. */
static inline __attribute__((always_inline)) rae_status_t
process_handle_get_irqoff(process_t *p, rae_handle_t h, uint32_t type, uint32_t rights_needed,
			  kobject_t **obj, uint64_t *badge)
{
	spin_lock_irqoff(&p->handles_lock);
	rae_status_t st = handle_table_get(&p->handles, h, type, rights_needed, obj, NULL, badge);
	spin_unlock_irqoff(&p->handles_lock);
	return st;
}

/* The register IPC fast path's lookup (object/ipc_fast.c), interrupts
 * off: the object of `type` with `right` that h names, referenced unless
 * it is `borrow` (one the caller holds a reference to already; *borrowed
 * says which), its badge in *badge. NULL when the handle does not qualify,
 * with no error: the caller's slower path looks again and reports it. */
static inline __attribute__((always_inline)) kobject_t *
process_handle_find_irqoff(process_t *p, rae_handle_t h, uint32_t type, uint32_t right,
			   const kobject_t *borrow, uint64_t *badge, bool *borrowed)
{
	kobject_t *obj = NULL;
	spin_lock_irqoff(&p->handles_lock);
	const handle_entry_t *e = handle_table_find(&p->handles, h);
	if (__builtin_expect(e && e->obj->type == type && (e->rights & right), 1)) {
		obj = e->obj;
		*borrowed = obj == borrow;
		if (!*borrowed)
			kobject_ref(obj);
		*badge = e->badge;
	}
	spin_unlock_irqoff(&p->handles_lock);
	return obj;
}

/* handle_table_add under the lock: a new handle to obj (the table takes its
 * own reference; the caller keeps its) in *out. Errors as handle_table_add. */
static inline rae_status_t process_handle_add(process_t *p, kobject_t *obj, uint32_t rights,
					      uint64_t badge, rae_handle_t *out)
{
	bool irq = spin_lock_irqsave(&p->handles_lock);
	rae_status_t st = handle_table_add(&p->handles, obj, rights, badge, out);
	spin_unlock_irqrestore(&p->handles_lock, irq);
	return st;
}

/* Two new handles, both or neither: out[0] to obj0, out[1] to obj1. */
rae_status_t process_handle_add_pair(process_t *p, kobject_t *obj0, uint32_t rights0,
				     kobject_t *obj1, uint32_t rights1, rae_handle_t out[2]);

/* handle_table_remove under the lock: the table's reference moves to *obj. */
static inline rae_status_t process_handle_remove(process_t *p, rae_handle_t h, kobject_t **obj,
						 uint32_t *rights, uint64_t *badge)
{
	bool irq = spin_lock_irqsave(&p->handles_lock);
	rae_status_t st = handle_table_remove(&p->handles, h, obj, rights, badge);
	spin_unlock_irqrestore(&p->handles_lock, irq);
	return st;
}

/* handle_table_dup under the lock. */
static inline rae_status_t process_handle_dup(process_t *p, rae_handle_t h, uint32_t new_rights,
					      rae_handle_t *out)
{
	bool irq = spin_lock_irqsave(&p->handles_lock);
	rae_status_t st = handle_table_dup(&p->handles, h, new_rights, out);
	spin_unlock_irqrestore(&p->handles_lock, irq);
	return st;
}

/* Takes `count` handles out of the table, all or none, to move them
 * elsewhere (a message, a child): each needs `rights_needed`, and one
 * handle named twice is RAE_ERR_INVALID. On RAE_OK the table's references
 * are in objs[], with the rights and badges in rights[] and badges[]; on
 * failure nothing changed. */
static inline rae_status_t process_handle_take_n(process_t *p, const rae_handle_t *hs,
						 uint32_t count, uint32_t rights_needed,
						 kobject_t **objs, uint32_t *rights,
						 uint64_t *badges)
{
	rae_status_t st = RAE_OK;
	bool irq = spin_lock_irqsave(&p->handles_lock);
	/* Check every handle first, so a bad one moves none. */
	for (uint32_t i = 0; i < count && st == RAE_OK; i++) {
		st = handle_table_get(&p->handles, hs[i], RAE_OBJ_NONE, rights_needed, NULL, NULL,
				      NULL);
		for (uint32_t j = 0; j < i && st == RAE_OK; j++) {
			if (hs[j] == hs[i])
				st = RAE_ERR_INVALID; /* the same handle twice */
		}
	}
	for (uint32_t i = 0; i < count && st == RAE_OK; i++)
		handle_table_remove(&p->handles, hs[i], &objs[i], &rights[i], &badges[i]);
	spin_unlock_irqrestore(&p->handles_lock, irq);
	return st;
}

/* Empties p's table under the lock and returns what it held in *old, for
 * the caller to destroy (handle_table_destroy) with no lock held. */
void process_handle_detach_all(process_t *p, handle_table_t *old);

#endif
