/* Reference counting of kernel objects (object/object.h): atomic counts, and
 * destruction by whoever drops the last reference. */
#include <object/object.h>

#include <stdbool.h>
#include <stddef.h>

#if RAE_KERNEL
#include <hal/cpu.h>
#include <panic.h>
#include <sched/thread.h>
#include <smp/cpu.h>
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

#if RAE_KERNEL
/* The dead objects of the thread running here, or NULL before there is
 * one (early boot: no chains yet). */
static thread_t *release_owner(void)
{
	cpu_t *c = this_cpu();
	return c ? c->current : NULL;
}

static bool release_list_lock(void)
{
	return hal_irq_save();
}

static void release_list_unlock(bool irq)
{
	hal_irq_restore(irq);
}
#else
/* Host tests run on one thread. */
static struct {
	kobject_t *dead_objects;
	bool releasing;
} host_owner;
#define release_owner()          (&host_owner)
#define release_list_lock()      false
#define release_list_unlock(irq) (void)(irq)
#endif

void kobject_release(kobject_t *o)
{
	__typeof__(release_owner()) self = release_owner();
	if (!self) {
		o->destroy(o);
		return;
	}
	/* An interrupt handler may drop a last reference too: the list and
	 * the flag change with interrupts off. */
	bool irq = release_list_lock();
	if (self->releasing) {
		o->dead_next = self->dead_objects;
		self->dead_objects = o;
		release_list_unlock(irq);
		return;
	}
	self->releasing = true;
	release_list_unlock(irq);
	for (;;) {
		o->destroy(o);
		irq = release_list_lock();
		o = self->dead_objects;
		if (!o) {
			self->releasing = false;
			release_list_unlock(irq);
			return;
		}
		self->dead_objects = o->dead_next;
		release_list_unlock(irq);
	}
}
