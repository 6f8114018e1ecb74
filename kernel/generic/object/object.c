/* Reference counting of kernel objects (object/object.h): atomic counts, and
 * destruction by whoever drops the last reference. */
#include <object/object.h>

#include <stdbool.h>
#include <stddef.h>

#if RAE_KERNEL
#include <panic.h>
#define KOBJECT_CHECK(cond) ASSERT(cond)
#else
/* Host tests: a broken count stops the test at once rather than going on to
 * a use after free that the sanitizers might report far from the cause. */
#define KOBJECT_CHECK(cond)                                                                        \
	do {                                                                                       \
		if (!(cond))                                                                       \
			__builtin_trap();                                                          \
	} while (0)
#endif

void kobject_init(kobject_t *o, uint32_t type, void (*destroy)(kobject_t *o))
{
	KOBJECT_CHECK(type != RAE_OBJ_NONE && destroy != NULL);
	o->type = type;
	o->destroy = destroy;
	__atomic_store_n(&o->refcount, 1, __ATOMIC_RELAXED);
}

void kobject_ref(kobject_t *o)
{
	/* Relaxed is enough: the caller's own reference already keeps o alive
	 * and orders its accesses; the count only has to be exact. */
	uint32_t old = __atomic_fetch_add(&o->refcount, 1, __ATOMIC_RELAXED);

	/* 0: resurrecting a dying object. UINT32_MAX: the count wrapped, and
	 * a later unref would free an object still in use. */
	KOBJECT_CHECK(old != 0 && old != UINT32_MAX);
}

void kobject_unref(kobject_t *o)
{
	/* Release publishes this holder's writes to o; the acquire on the
	 * last drop makes every holder's writes visible to destroy. */
	uint32_t old = __atomic_fetch_sub(&o->refcount, 1, __ATOMIC_RELEASE);

	KOBJECT_CHECK(old != 0);
	if (old == 1) {
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		o->destroy(o);
	}
}
