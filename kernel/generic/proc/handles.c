/* A process's handle table under its lock (proc/handles.h): the wrappers
 * too big to inline. With the header's, the only code that takes
 * handles_lock. */
#include <proc/handles.h>

rae_status_t process_handle_add_pair(process_t *p, kobject_t *obj0, uint32_t rights0,
				     kobject_t *obj1, uint32_t rights1, rae_handle_t out[2])
{
	kobject_t *drop = NULL;
	bool irq = spin_lock_irqsave(&p->handles_lock);
	rae_status_t st = handle_table_add(&p->handles, obj0, rights0, 0, &out[0]);
	if (st == RAE_OK) {
		st = handle_table_add(&p->handles, obj1, rights1, 0, &out[1]);
		if (st != RAE_OK)
			handle_table_remove(&p->handles, out[0], &drop, NULL, NULL);
	}
	spin_unlock_irqrestore(&p->handles_lock, irq);
	if (drop)
		kobject_unref(drop); /* the table's reference; the caller holds its own */
	return st;
}

void process_handle_detach_all(process_t *p, handle_table_t *old)
{
	bool irq = spin_lock_irqsave(&p->handles_lock);
	*old = p->handles;
	handle_table_init(&p->handles, old->limit, old->grow, old->release, old->ctx);
	spin_unlock_irqrestore(&p->handles_lock, irq);
}
