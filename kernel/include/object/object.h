/* The header every kernel object starts with: its type and a reference
 * count, so handles, messages and the kernel can share one object and the
 * last one to let go destroys it. */
#ifndef OBJECT_OBJECT_H
#define OBJECT_OBJECT_H

#include <stdbool.h>
#include <stdint.h>

#include <rae/handle.h>

/*
 * Embedded as the first member of every kernel object, so a kobject_t * and
 * a pointer to the whole object convert both ways. type and destroy are set
 * once by kobject_init and never change, so any holder of a reference may
 * read them without a lock; refcount changes only through kobject_ref and
 * kobject_unref, atomically.
 */
typedef struct kobject {
	uint32_t type; /* an rae_object_type_t other than RAE_OBJ_NONE */
	volatile uint32_t refcount;
	/* Frees the whole object; called once, by whoever drops the last
	 * reference, with no reference left for anyone to use. */
	void (*destroy)(struct kobject *o);
	/* While dead and waiting for its destroy: the next such object
	 * (kobject_release). Nobody else touches it. */
	struct kobject *dead_next;
} kobject_t;

/* Sets up the header of a new object with one reference, the creator's.
 * type is an rae_object_type_t; destroy must not be NULL. No other CPU may
 * see o yet. */
void kobject_init(kobject_t *o, uint32_t type, void (*destroy)(kobject_t *o));

/* Takes one more reference. The caller must already hold one (directly or
 * through a handle table entry it has locked), so the count is never 0 here;
 * the kernel panics on a count of 0 or at the top of its range. Any context. */
/* Stops the kernel (or a host test) on a broken count: a reference taken
 * on a dying object, a count that wrapped, or one dropped below zero. */
__attribute__((noreturn)) void kobject_count_broken(const kobject_t *o);

static inline void kobject_ref(kobject_t *o)
{
	/* Relaxed is enough: the caller's own reference already keeps o alive
	 * and orders its accesses; the count only has to be exact. */
	uint32_t old = __atomic_fetch_add(&o->refcount, 1, __ATOMIC_RELAXED);
	if (__builtin_expect(old == 0 || old == UINT32_MAX, 0))
		kobject_count_broken(o);
}

/* Takes one more reference unless the count already reached 0 (the object
 * is being destroyed): false then. For finding objects through a list that
 * keeps their memory valid, not their count (the process list). */
static inline bool kobject_tryref(kobject_t *o)
{
	uint32_t old = __atomic_load_n(&o->refcount, __ATOMIC_RELAXED);
	do {
		if (old == 0)
			return false;
		if (__builtin_expect(old == UINT32_MAX, 0))
			kobject_count_broken(o);
	} while (!__atomic_compare_exchange_n(&o->refcount, &old, old + 1, true, __ATOMIC_RELAXED,
					      __ATOMIC_RELAXED));
	return true;
}

/* Runs o->destroy(o) for the last reference just dropped. A destroy that
 * drops the last reference of another object (a job its parent, a message
 * the objects it carries) does not recurse: the object is put on the
 * calling thread's list of dead objects, which the outermost release
 * empties in a loop. So the kernel stack used does not depend on how long
 * a chain of objects a program built. Any context. */
void kobject_release(kobject_t *o);

/* Drops one reference; the one that drops the last calls o->destroy(o), in
 * the caller's context (kobject_release). So call it with no lock held that destroy might need
 * (in particular not under a handle-table lock: handle_table_remove hands the
 * reference out for that reason). The kernel panics on a count already 0. */
static inline void kobject_unref(kobject_t *o)
{
	/* Release publishes this holder's writes to o; the acquire on the
	 * last drop makes every holder's writes visible to destroy. */
	uint32_t old = __atomic_fetch_sub(&o->refcount, 1, __ATOMIC_RELEASE);
	if (__builtin_expect(old == 0, 0))
		kobject_count_broken(o);
	if (old == 1) {
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		kobject_release(o);
	}
}

#endif
