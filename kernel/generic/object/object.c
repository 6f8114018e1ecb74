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

void kobject_count_broken(const kobject_t *o)
{
#if RAE_KERNEL
	panic("kobject %p (type %u): broken reference count %u", (const void *)o, o->type,
	      o->refcount);
#else
	(void)o;
	__builtin_trap();
#endif
}
