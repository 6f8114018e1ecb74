/* System calls on pipes: create a pair of ends, read, write
 * (rae/syscalls.def). */
#include <object/pipe.h>
#include <proc/syscall.h>

#define PIPE_READ_RIGHTS                                                                           \
	(RAE_RIGHT_READ | RAE_RIGHT_WAIT | RAE_RIGHT_DUPLICATE | RAE_RIGHT_TRANSFER)
#define PIPE_WRITE_RIGHTS                                                                          \
	(RAE_RIGHT_WRITE | RAE_RIGHT_WAIT | RAE_RIGHT_DUPLICATE | RAE_RIGHT_TRANSFER)

int64_t sys_pipe_create(rae_handle_t *ends)
{
	process_t *p = self_proc();
	pipe_end_t *r, *w;
	rae_status_t st = pipe_create(p->job, &r, &w);
	if (st != RAE_OK)
		return st;
	rae_handle_t out[2] = {RAE_HANDLE_INVALID, RAE_HANDLE_INVALID};
	st = process_handle_add_pair(p, &r->obj, PIPE_READ_RIGHTS, &w->obj, PIPE_WRITE_RIGHTS, out);
	if (st == RAE_OK && copy_to_user(ends, out, sizeof(out)) != RAE_OK) {
		/* Nobody learnt the handles: take them back out. */
		for (int i = 0; i < 2; i++) {
			kobject_t *drop;
			if (process_handle_remove(p, out[i], &drop, NULL, NULL) == RAE_OK)
				kobject_unref(drop);
		}
		st = RAE_ERR_FAULT;
	}
	/* The creator's references: the table holds its own. */
	kobject_unref(&r->obj);
	kobject_unref(&w->obj);
	return st;
}

/* A read or a write of an end `obj` the caller looked up (a reference it
 * drops here): the buffer checked, then the pipe's own call. */
static int64_t pipe_transfer(kobject_t *obj, bool write, uintptr_t buf, size_t len,
			     uint64_t timeout_ns)
{
	int64_t r;
	if (len && !user_range_ok(buf, len))
		r = RAE_ERR_FAULT;
	else if (write)
		r = pipe_write((pipe_end_t *)obj, buf, len, timeout_ns == 0,
			       sys_deadline(timeout_ns));
	else
		r = pipe_read((pipe_end_t *)obj, buf, len, timeout_ns == 0,
			      sys_deadline(timeout_ns));
	kobject_unref(obj);
	return r;
}

int64_t sys_pipe_read(rae_handle_t h, void *buf, size_t len, uint64_t timeout_ns)
{
	kobject_t *obj;
	rae_status_t st = SYS_HANDLE_GET(pipe_read, h, &obj, NULL);
	return st != RAE_OK ? st : pipe_transfer(obj, false, (uintptr_t)buf, len, timeout_ns);
}

int64_t sys_pipe_write(rae_handle_t h, const void *buf, size_t len, uint64_t timeout_ns)
{
	kobject_t *obj;
	rae_status_t st = SYS_HANDLE_GET(pipe_write, h, &obj, NULL);
	return st != RAE_OK ? st : pipe_transfer(obj, true, (uintptr_t)buf, len, timeout_ns);
}
