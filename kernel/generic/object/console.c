/* Console objects (object/console.h): the hand-over lasts as long as the
 * object. */
#include <console/handover.h>
#include <mm/kmalloc.h>
#include <object/console.h>

static void console_object_destroy(kobject_t *o)
{
	console_handover_end();
	kfree(o);
}

console_object_t *console_object_create(notification_t *n, uint64_t bits, uint64_t *log_offset,
					rae_status_t *status)
{
	console_object_t *c = kzalloc(sizeof(*c));
	if (!c) {
		*status = RAE_ERR_NO_MEMORY;
		return NULL;
	}
	*status = console_handover_begin(n, bits, log_offset);
	if (*status != RAE_OK) {
		kfree(c);
		return NULL;
	}
	kobject_init(&c->obj, RAE_OBJ_CONSOLE, console_object_destroy);
	return c;
}
