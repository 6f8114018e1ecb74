/* System calls on handles themselves: close, duplicate, mint a badged
 * copy (rae/syscalls.def). */
#include <object/endpoint.h>
#include <proc/syscall.h>

int64_t sys_handle_install(kobject_t *obj, uint32_t rights)
{
	rae_handle_t h;
	rae_status_t st = process_handle_add(self_proc(), obj, rights, 0, &h);
	kobject_unref(obj);
	return st == RAE_OK ? (int64_t)h : st;
}

int64_t sys_handle_close(rae_handle_t h)
{
	kobject_t *obj;
	rae_status_t st = process_handle_remove(self_proc(), h, &obj, NULL, NULL);
	if (st == RAE_OK)
		kobject_unref(obj);
	return st;
}

int64_t sys_handle_dup(rae_handle_t h, uint32_t rights)
{
	rae_handle_t out;
	rae_status_t st = process_handle_dup(self_proc(), h, rights, &out);
	return st == RAE_OK ? (int64_t)out : st;
}

/* What both mints check: `rights` names known rights that h has, h is of
 * `type` with `needed`, and carries no badge (a badge is never replaced:
 * no forging). RAE_OK with a reference in *obj. */
static rae_status_t mint_source(rae_handle_t h, uint64_t rights, uint32_t type, uint32_t needed,
				kobject_t **obj)
{
	uint32_t has;
	uint64_t badge = 0;
	if (rights & ~(uint64_t)RAE_RIGHTS_ALL)
		return RAE_ERR_INVALID;
	rae_status_t st = process_handle_get(self_proc(), h, type, needed, obj, &has, &badge);
	if (st != RAE_OK)
		return st;
	if (((uint32_t)rights & ~has) || badge != 0) {
		kobject_unref(*obj); /* rights only shrink; a badge stays */
		return RAE_ERR_ACCESS_DENIED;
	}
	return RAE_OK;
}

/* Adds a handle to obj with the call's rights and badge; drops the
 * caller's reference either way. */
static int64_t mint_install(kobject_t *obj, uint64_t rights, uint64_t badge)
{
	rae_handle_t h;
	rae_status_t st = process_handle_add(self_proc(), obj, (uint32_t)rights, badge, &h);
	kobject_unref(obj);
	return st == RAE_OK ? (int64_t)h : st;
}

int64_t sys_handle_mint(rae_handle_t h, uint64_t rights, uint64_t badge)
{
	kobject_t *obj;
	rae_status_t st =
	    mint_source(h, rights, SYS_OBJECT(handle_mint), SYS_RIGHTS(handle_mint), &obj);
	return st == RAE_OK ? mint_install(obj, rights, badge) : st;
}

int64_t sys_handle_mint_watched(rae_handle_t h, uint64_t rights, uint64_t badge)
{
	if (badge == 0)
		return RAE_ERR_INVALID; /* a watched client needs a name */
	kobject_t *obj;
	rae_status_t st = mint_source(h, rights, SYS_OBJECT(handle_mint_watched),
				      SYS_RIGHTS(handle_mint_watched), &obj);
	if (st != RAE_OK)
		return st;
	endpoint_t *w = endpoint_create_watched(endpoint_target((endpoint_t *)obj), badge);
	kobject_unref(obj);
	if (!w)
		return RAE_ERR_NO_MEMORY;
	/* Refused (the handle limit): the mint ends at once, and its notice
	 * tells the server so, as for any client that is gone. */
	return mint_install(&w->obj, rights, badge);
}
