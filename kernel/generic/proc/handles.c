/* A process's handle table under its lock (proc/handles.h): the only
 * place, with the inline lookups of the header, that takes handles_lock. */
#include <proc/handles.h>

rae_status_t process_handle_add(process_t *p, kobject_t *obj, uint32_t rights, uint64_t badge,
				rae_handle_t *out)
{
	bool irq = spin_lock_irqsave(&p->handles_lock);
	rae_status_t st = handle_table_add(&p->handles, obj, rights, badge, out);
	spin_unlock_irqrestore(&p->handles_lock, irq);
	return st;
}

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

rae_status_t process_handle_remove(process_t *p, rae_handle_t h, kobject_t **obj, uint32_t *rights,
				   uint64_t *badge)
{
	bool irq = spin_lock_irqsave(&p->handles_lock);
	rae_status_t st = handle_table_remove(&p->handles, h, obj, rights, badge);
	spin_unlock_irqrestore(&p->handles_lock, irq);
	return st;
}

rae_status_t process_handle_dup(process_t *p, rae_handle_t h, uint32_t new_rights,
				rae_handle_t *out)
{
	bool irq = spin_lock_irqsave(&p->handles_lock);
	rae_status_t st = handle_table_dup(&p->handles, h, new_rights, out);
	spin_unlock_irqrestore(&p->handles_lock, irq);
	return st;
}

rae_status_t process_handle_take_n(process_t *p, const rae_handle_t *hs, uint32_t count,
				   uint32_t rights_needed, kobject_t **objs, uint32_t *rights,
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

void process_handle_detach_all(process_t *p, handle_table_t *old)
{
	bool irq = spin_lock_irqsave(&p->handles_lock);
	*old = p->handles;
	handle_table_init(&p->handles, old->limit, old->grow, old->release, old->ctx);
	spin_unlock_irqrestore(&p->handles_lock, irq);
}
