/* The console object: a hand-over of the kernel console (console/
 * handover.h) held through a handle. At most one exists; its last
 * reference, dropped when the holder closes the handle or is reaped, gives
 * the console back to the kernel. */
#ifndef OBJECT_CONSOLE_H
#define OBJECT_CONSOLE_H

#include <object/endpoint.h>
#include <object/object.h>

typedef struct console_object {
	kobject_t obj;
} console_object_t;

/* READ to read the kernel log. Neither duplicated nor sent: the hand-over
 * lives exactly as long as its holder's one handle. */
#define CONSOLE_RIGHTS RAE_RIGHT_READ

/* Hands the console over (console_handover_begin with n, bits) to a new
 * object. NULL with *status RAE_ERR_BUSY (another hand-over lasts) or
 * RAE_ERR_NO_MEMORY. Thread context. */
console_object_t *console_object_create(notification_t *n, uint64_t bits, uint64_t *log_offset,
					rae_status_t *status);

#endif
