/* The system call table and its handlers. Every argument comes from user
 * mode and is checked here: pointers only through the user-copy helpers,
 * numbers against their ranges. An unknown number is RAE_ERR_UNSUPPORTED. */
#include <console/handover.h>
#include <console/kprintf.h>
#include <hal/console.h>
#include <kernel.h>
#include <object/console.h>
#include <hal/cpu.h>
#include <mm/usercopy.h>
#include <mm/kmalloc.h>
#include <object/endpoint.h>
#include <object/interrupt.h>
#include <object/ioport.h>
#include <object/job.h>
#include <object/memory.h>
#include <object/pipe.h>
#include <object/resource.h>
#include <hal/irq.h>
#include <hal/banner.h>
#include <mm/pmm.h>
#include <rae/process.h>
#include <mm/vm.h>
#include <proc/futex.h>
#include <proc/process.h>
#include <hal/context.h>
#include <string.h>
#include <rae/syscall.h>
#include <sched/thread.h>
#include <smp/cpu.h>
#include <time/clock.h>

typedef struct syscall_frame {
	uint64_t rbp;
	union {
		struct {
			uint64_t rsi, rdx, r10, r8, r9;
		};
		uint64_t msg[5]; /* a register message's tag and words, in place */
	};
	uint64_t rdi, nr;
	uint64_t rip, cs, rflags, rsp, ss;
} syscall_frame_t;

#define DEBUG_WRITE_MAX 4096
#define SPAWN_PATH_MAX  128

typedef int64_t (*syscall_fn)(syscall_frame_t *f);

static process_t *self_proc(void)
{
	return thread_current()->proc;
}

static int64_t sys_debug_write(syscall_frame_t *f)
{
	char buf[256];
	uint64_t len = f->rsi, done = 0;
	if (len > DEBUG_WRITE_MAX)
		return RAE_ERR_RANGE;
	while (done < len) {
		uint64_t chunk = len - done > sizeof(buf) ? sizeof(buf) : len - done;
		if (copy_from_user(buf, (const void *)(f->rdi + done), chunk) != RAE_OK)
			return RAE_ERR_FAULT;
		kputs_n(buf, chunk);
		done += chunk;
	}
	return (int64_t)len;
}

static int64_t sys_process_exit(syscall_frame_t *f)
{
	process_kill(self_proc(), (int)f->rdi);
	thread_exit((int)f->rdi);
}

/* What a thread handle from THREAD_CREATE allows: join it, pass it on. */
#define THREAD_HANDLE_RIGHTS                                                                       \
	(RAE_RIGHT_READ | RAE_RIGHT_WAIT | RAE_RIGHT_MANAGE | RAE_RIGHT_DUPLICATE |                \
	 RAE_RIGHT_TRANSFER)

static int64_t handle_install(kobject_t *obj, uint32_t rights);

static int64_t sys_thread_create(syscall_frame_t *f)
{
	rae_status_t st;
	kobject_t *obj;
	thread_t *t = process_thread_create(self_proc(), f->rdi, f->rsi, f->rdx, &obj, &st);
	return t ? handle_install(obj, THREAD_HANDLE_RIGHTS) : st;
}

static int64_t sys_thread_exit(syscall_frame_t *f)
{
	thread_exit((int)f->rdi);
}

static rae_status_t handle_lookup(rae_handle_t h, uint32_t type, uint32_t rights, kobject_t **obj,
				  uint64_t *badge);

static int64_t sys_thread_join(syscall_frame_t *f)
{
	kobject_t *obj;
	rae_status_t st =
	    handle_lookup((rae_handle_t)f->rdi, RAE_OBJ_THREAD, RAE_RIGHT_WAIT, &obj, NULL);
	if (st != RAE_OK)
		return st;
	int code = 0;
	st = process_thread_join((thread_object_t *)obj, &code);
	kobject_unref(obj);
	if (st == RAE_OK && f->rsi && copy_to_user((void *)f->rsi, &code, sizeof(code)) != RAE_OK)
		return RAE_ERR_FAULT;
	return st;
}

static int64_t sys_sleep(syscall_frame_t *f)
{
	thread_sleep_ns(f->rdi);
	return RAE_OK;
}

static int64_t sys_yield(syscall_frame_t *f)
{
	(void)f;
	thread_yield();
	return RAE_OK;
}

static int64_t sys_clock(syscall_frame_t *f)
{
	(void)f;
	return (int64_t)clock_monotonic_ns();
}

static int64_t sys_set_rt(syscall_frame_t *f)
{
	if (f->rdi == 0 && f->rsi == 0)
		return thread_set_ts(thread_current(), 0);
	return thread_set_rt(thread_current(), f->rdi, f->rsi);
}

static int64_t sys_set_affinity(syscall_frame_t *f)
{
	return thread_set_affinity(thread_current(), f->rdi);
}

/* What a process handle from SPAWN allows: wait for it, kill it, pass it on. */
#define PROCESS_HANDLE_RIGHTS                                                                      \
	(RAE_RIGHT_READ | RAE_RIGHT_WAIT | RAE_RIGHT_MANAGE | RAE_RIGHT_DUPLICATE |                \
	 RAE_RIGHT_TRANSFER)

static int64_t handle_install(kobject_t *obj, uint32_t rights);

/* Spawning by initrd path is for processes the kernel started, which were
 * given the initrd (docs/syscalls.md): for anyone else a path is ambient
 * authority, so they start programs from a memory object they were handed
 * (SPAWN_IMAGE). */
static bool may_spawn_by_path(void)
{
	return self_proc()->kernel_started;
}

static int64_t sys_spawn(syscall_frame_t *f)
{
	if (!may_spawn_by_path())
		return RAE_ERR_ACCESS_DENIED;
	char path[SPAWN_PATH_MAX];
	long n = strncpy_from_user(path, (const char *)f->rdi, sizeof(path));
	if (n < 0)
		return n;
	rae_status_t st;
	process_t *p = process_spawn(path, self_proc(), &st);
	return p ? handle_install(&p->obj, PROCESS_HANDLE_RIGHTS) : st;
}

static rae_status_t handle_lookup(rae_handle_t h, uint32_t type, uint32_t rights, kobject_t **obj,
				  uint64_t *badge);

static int64_t sys_wait(syscall_frame_t *f)
{
	if (f->rdx & ~(uint64_t)RAE_WAIT_NOHANG)
		return RAE_ERR_INVALID;
	kobject_t *obj;
	rae_status_t st =
	    handle_lookup((rae_handle_t)f->rdi, RAE_OBJ_PROCESS, RAE_RIGHT_WAIT, &obj, NULL);
	if (st != RAE_OK)
		return st;
	if ((f->rdx & RAE_WAIT_NOHANG) && !process_has_ended((process_t *)obj)) {
		kobject_unref(obj);
		return RAE_ERR_TIMED_OUT;
	}
	int status = 0;
	st = process_join((process_t *)obj, &status);
	kobject_unref(obj);
	if (st == RAE_OK && f->rsi &&
	    copy_to_user((void *)f->rsi, &status, sizeof(status)) != RAE_OK)
		return RAE_ERR_FAULT;
	return st;
}

static int64_t sys_process_id(syscall_frame_t *f)
{
	kobject_t *obj;
	rae_status_t st =
	    handle_lookup((rae_handle_t)f->rdi, RAE_OBJ_PROCESS, RAE_RIGHT_READ, &obj, NULL);
	if (st != RAE_OK)
		return st;
	int64_t pid = ((process_t *)obj)->pid; /* set at creation, never changes */
	kobject_unref(obj);
	return pid;
}

static int64_t sys_kill(syscall_frame_t *f)
{
	kobject_t *obj;
	rae_status_t st =
	    handle_lookup((rae_handle_t)f->rdi, RAE_OBJ_PROCESS, RAE_RIGHT_MANAGE, &obj, NULL);
	if (st != RAE_OK)
		return st;
	process_kill((process_t *)obj, RAE_EXIT_KILLED);
	kobject_unref(obj);
	return RAE_OK;
}

static int64_t sys_getpid(syscall_frame_t *f)
{
	(void)f;
	return self_proc()->pid;
}

static int64_t sys_cpu(syscall_frame_t *f)
{
	(void)f;
	return this_cpu()->id;
}

/* --- handles and IPC ---------------------------------------------------- */

static uint64_t deadline_from(uint64_t timeout_ns)
{
	return clock_deadline(timeout_ns);
}

/* Looks a handle up in the caller's table: a referenced object of `type`
 * with `rights`, or the distinct error. */
static rae_status_t handle_lookup(rae_handle_t h, uint32_t type, uint32_t rights, kobject_t **obj,
				  uint64_t *badge)
{
	process_t *p = self_proc();
	bool irq = spin_lock_irqsave(&p->handles_lock);
	rae_status_t st = handle_table_get(&p->handles, h, type, rights, obj, NULL, badge);
	spin_unlock_irqrestore(&p->handles_lock, irq);
	return st;
}

/* Installs a new object (taking over the creator's reference). */
static int64_t handle_install(kobject_t *obj, uint32_t rights)
{
	process_t *p = self_proc();
	rae_handle_t h;
	bool irq = spin_lock_irqsave(&p->handles_lock);
	rae_status_t st = handle_table_add(&p->handles, obj, rights, 0, &h);
	spin_unlock_irqrestore(&p->handles_lock, irq);
	kobject_unref(obj);
	return st == RAE_OK ? (int64_t)h : st;
}

static int64_t sys_handle_close(syscall_frame_t *f)
{
	process_t *p = self_proc();
	kobject_t *obj;
	bool irq = spin_lock_irqsave(&p->handles_lock);
	rae_status_t st = handle_table_remove(&p->handles, (rae_handle_t)f->rdi, &obj, NULL, NULL);
	spin_unlock_irqrestore(&p->handles_lock, irq);
	if (st == RAE_OK)
		kobject_unref(obj);
	return st;
}

static int64_t sys_handle_dup(syscall_frame_t *f)
{
	process_t *p = self_proc();
	rae_handle_t h;
	bool irq = spin_lock_irqsave(&p->handles_lock);
	rae_status_t st = handle_table_dup(&p->handles, (rae_handle_t)f->rdi, (uint32_t)f->rsi, &h);
	spin_unlock_irqrestore(&p->handles_lock, irq);
	return st == RAE_OK ? (int64_t)h : st;
}

/* What both mints check: the `rights` argument (rsi) names known rights
 * that h (rdi) has, h is of `type` with `needed`, and carries no badge (a
 * badge is never replaced: no forging). RAE_OK with a reference in *obj. */
static rae_status_t mint_source(syscall_frame_t *f, uint32_t type, uint32_t needed, kobject_t **obj)
{
	process_t *p = self_proc();
	uint32_t rights;
	uint64_t badge = 0;
	if (f->rsi & ~(uint64_t)RAE_RIGHTS_ALL)
		return RAE_ERR_INVALID;
	bool irq = spin_lock_irqsave(&p->handles_lock);
	rae_status_t st =
	    handle_table_get(&p->handles, (rae_handle_t)f->rdi, type, needed, obj, &rights, &badge);
	spin_unlock_irqrestore(&p->handles_lock, irq);
	if (st != RAE_OK)
		return st;
	if (((uint32_t)f->rsi & ~rights) || badge != 0) {
		kobject_unref(*obj); /* rights only shrink; a badge stays */
		return RAE_ERR_ACCESS_DENIED;
	}
	return RAE_OK;
}

/* Adds a handle to obj with the call's rights and badge; drops the
 * caller's reference either way. */
static int64_t mint_install(syscall_frame_t *f, kobject_t *obj)
{
	process_t *p = self_proc();
	rae_handle_t h;
	bool irq = spin_lock_irqsave(&p->handles_lock);
	rae_status_t st = handle_table_add(&p->handles, obj, (uint32_t)f->rsi, f->rdx, &h);
	spin_unlock_irqrestore(&p->handles_lock, irq);
	kobject_unref(obj);
	return st == RAE_OK ? (int64_t)h : st;
}

static int64_t sys_handle_mint(syscall_frame_t *f)
{
	kobject_t *obj;
	rae_status_t st = mint_source(f, RAE_OBJ_NONE, RAE_RIGHT_DUPLICATE, &obj);
	return st == RAE_OK ? mint_install(f, obj) : st;
}

static int64_t sys_handle_mint_watched(syscall_frame_t *f)
{
	if (f->rdx == 0)
		return RAE_ERR_INVALID; /* a watched client needs a name */
	kobject_t *obj;
	rae_status_t st =
	    mint_source(f, RAE_OBJ_ENDPOINT, RAE_RIGHT_DUPLICATE | RAE_RIGHT_READ, &obj);
	if (st != RAE_OK)
		return st;
	endpoint_t *w = endpoint_create_watched(endpoint_target((endpoint_t *)obj), f->rdx);
	kobject_unref(obj);
	if (!w)
		return RAE_ERR_NO_MEMORY;
	/* Refused (the handle limit): the mint ends at once, and its notice
	 * tells the server so, as for any client that is gone. */
	return mint_install(f, &w->obj);
}

static int64_t sys_endpoint_create(syscall_frame_t *f)
{
	(void)f;
	endpoint_t *ep = endpoint_create();
	return ep ? handle_install(&ep->obj, RAE_RIGHTS_ALL) : RAE_ERR_NO_MEMORY;
}

static int64_t sys_ipc_call(syscall_frame_t *f)
{
	kobject_t *obj;
	uint64_t badge;
	rae_status_t st =
	    handle_lookup((rae_handle_t)f->rdi, RAE_OBJ_ENDPOINT, RAE_RIGHT_WRITE, &obj, &badge);
	if (st != RAE_OK)
		return st;
	ipc_msg_t *m, *reply = NULL;
	st = ipc_msg_from_user(self_proc(), f->rsi, &m);
	if (st == RAE_OK && m->tag == RAE_IPC_TAG_CLOSED) {
		ipc_msg_free(m); /* the kernel's own notice: nobody forges one */
		st = RAE_ERR_INVALID;
	} else if (st == RAE_OK) {
		st = ipc_call(endpoint_target((endpoint_t *)obj), m, badge, deadline_from(f->rdx),
			      &reply);
	}
	kobject_unref(obj);
	if (st == RAE_OK && reply)
		st = ipc_msg_to_user(self_proc(), reply, f->rsi);
	return st;
}

static int64_t sys_ipc_send(syscall_frame_t *f)
{
	kobject_t *obj;
	uint64_t badge;
	rae_status_t st =
	    handle_lookup((rae_handle_t)f->rdi, RAE_OBJ_ENDPOINT, RAE_RIGHT_WRITE, &obj, &badge);
	if (st != RAE_OK)
		return st;
	ipc_msg_t *m;
	st = ipc_msg_from_user(self_proc(), f->rsi, &m);
	if (st == RAE_OK && m->tag == RAE_IPC_TAG_CLOSED) {
		ipc_msg_free(m);
		st = RAE_ERR_INVALID;
	} else if (st == RAE_OK) {
		st = ipc_send(endpoint_target((endpoint_t *)obj), m, badge, deadline_from(f->rdx));
	}
	kobject_unref(obj);
	return st;
}

static int64_t sys_ipc_receive(syscall_frame_t *f)
{
	kobject_t *obj;
	rae_status_t st =
	    handle_lookup((rae_handle_t)f->rdi, RAE_OBJ_ENDPOINT, RAE_RIGHT_READ, &obj, NULL);
	if (st != RAE_OK)
		return st;
	ipc_msg_t *call = NULL;
	st = ipc_receive(endpoint_target((endpoint_t *)obj), deadline_from(f->rdx), &call);
	kobject_unref(obj);
	if (st != RAE_OK)
		return st;
	/* The call's message stays with the caller until the reply; deliver a
	 * copy of its contents (or of a register call's words). Its buffer and
	 * handles move now: the buffer is copied once into the kernel at the
	 * call and once out here. */
	ipc_msg_t *copy = kzalloc(sizeof(*copy));
	if (!copy) {
		if (call && call->oneway)
			ipc_msg_free(call); /* nobody else holds it */
		return RAE_ERR_NO_MEMORY;
	}
	ipc_call_view_locked(thread_current(), call, copy);
	if (!call) {
		copy->buf = NULL;
		copy->buf_len = 0;
		copy->handle_count = 0;
		return ipc_msg_to_user(self_proc(), copy, f->rsi);
	}
	call->buf = NULL; /* moved to the copy */
	call->buf_len = 0;
	call->handle_count = 0;
	if (call->oneway)
		ipc_msg_free(call); /* sent one way: nobody else holds it */
	return ipc_msg_to_user(self_proc(), copy, f->rsi);
}

static int64_t sys_ipc_reply(syscall_frame_t *f)
{
	ipc_msg_t *m;
	rae_status_t st = ipc_msg_from_user(self_proc(), f->rdi, &m);
	if (st != RAE_OK)
		return st;
	return ipc_reply(m);
}

static int64_t sys_notify_create(syscall_frame_t *f)
{
	(void)f;
	notification_t *n = notification_create();
	return n ? handle_install(&n->obj, RAE_RIGHTS_ALL) : RAE_ERR_NO_MEMORY;
}

static int64_t sys_notify_signal(syscall_frame_t *f)
{
	kobject_t *obj;
	rae_status_t st =
	    handle_lookup((rae_handle_t)f->rdi, RAE_OBJ_NOTIFICATION, RAE_RIGHT_SIGNAL, &obj, NULL);
	if (st != RAE_OK)
		return st;
	notification_signal((notification_t *)obj, f->rsi);
	kobject_unref(obj);
	return RAE_OK;
}

static int64_t sys_notify_wait(syscall_frame_t *f)
{
	kobject_t *obj;
	rae_status_t st =
	    handle_lookup((rae_handle_t)f->rdi, RAE_OBJ_NOTIFICATION, RAE_RIGHT_WAIT, &obj, NULL);
	if (st != RAE_OK)
		return st;
	uint64_t bits = notification_wait((notification_t *)obj, deadline_from(f->rsi));
	kobject_unref(obj);
	return bits ? (int64_t)(bits & INT64_MAX) : RAE_ERR_TIMED_OUT;
}

/* The job a call names: 0 for the caller's own, else a job handle with
 * MANAGE. Returns a referenced job. */
static rae_status_t job_from(uint64_t h, job_t **out)
{
	if (h == 0) {
		*out = self_proc()->job;
		kobject_ref(&(*out)->obj);
		return RAE_OK;
	}
	kobject_t *obj;
	rae_status_t st = handle_lookup((rae_handle_t)h, RAE_OBJ_JOB, RAE_RIGHT_MANAGE, &obj, NULL);
	if (st == RAE_OK)
		*out = (job_t *)obj;
	return st;
}

/* Takes handle h (needs TRANSFER; 0 = none) out of the caller's table for a
 * child: its object, rights and badge. */
static rae_status_t handle_take_for_child(uint64_t h, kobject_t **obj, uint32_t *rights,
					  uint64_t *badge)
{
	*obj = NULL;
	*rights = 0;
	*badge = 0;
	if (!h)
		return RAE_OK;
	process_t *self = self_proc();
	bool irq = spin_lock_irqsave(&self->handles_lock);
	rae_status_t st = handle_table_get(&self->handles, (rae_handle_t)h, RAE_OBJ_NONE,
					   RAE_RIGHT_TRANSFER, NULL, NULL, NULL);
	if (st == RAE_OK)
		handle_table_remove(&self->handles, (rae_handle_t)h, obj, rights, badge);
	spin_unlock_irqrestore(&self->handles_lock, irq);
	return st;
}

/* SPAWN_WITH and SPAWN_IMAGE take `h` out of the caller's table before
 * anything else, so it is gone whatever they return unless `h` itself was
 * refused: the caller never has to guess whether to close it. */
static int64_t sys_spawn_with(syscall_frame_t *f)
{
	kobject_t *obj;
	uint32_t rights;
	uint64_t badge;
	rae_status_t st = handle_take_for_child(f->rsi, &obj, &rights, &badge);
	if (st != RAE_OK)
		return st;
	if (!may_spawn_by_path()) {
		if (obj)
			kobject_unref(obj);
		return RAE_ERR_ACCESS_DENIED;
	}
	char path[SPAWN_PATH_MAX];
	long n = strncpy_from_user(path, (const char *)f->rdi, sizeof(path));
	job_t *job = NULL;
	st = n < 0 ? (rae_status_t)n : job_from(f->rdx, &job);
	if (st != RAE_OK) {
		if (obj)
			kobject_unref(obj);
		return st;
	}
	process_t *p = process_spawn_with(path, self_proc(), obj, rights, badge, job, &st);
	kobject_unref(&job->obj);
	return p ? handle_install(&p->obj, PROCESS_HANDLE_RIGHTS) : st;
}

/* A process from an executable in a memory object: the kernel copies the
 * image, so the object needs READ only and may change afterwards. */
static int64_t sys_spawn_image(syscall_frame_t *f)
{
	kobject_t *give;
	uint32_t rights;
	uint64_t badge;
	rae_status_t st = handle_take_for_child(f->r8, &give, &rights, &badge);
	if (st != RAE_OK)
		return st;
	uint64_t offset = f->rsi, size = f->rdx;
	char name[PROCESS_NAME_MAX];
	long n = strncpy_from_user(name, (const char *)f->r10, sizeof(name));
	kobject_t *obj = NULL;
	if (n < 0)
		st = (rae_status_t)n;
	else if (n == 0)
		st = RAE_ERR_INVALID;
	else
		st =
		    handle_lookup((rae_handle_t)f->rdi, RAE_OBJ_MEMORY, RAE_RIGHT_READ, &obj, NULL);
	memory_object_t *m = (memory_object_t *)obj;
	if (st == RAE_OK && (m->phys || size == 0))
		st = RAE_ERR_INVALID;
	else if (st == RAE_OK &&
		 (offset > m->pages * PAGE_SIZE || size > m->pages * PAGE_SIZE - offset))
		st = RAE_ERR_RANGE;
	job_t *job = NULL;
	if (st == RAE_OK)
		st = job_from(f->r9, &job);
	process_t *p = NULL;
	if (st == RAE_OK) {
		exec_image_t src = {.mem = m, .offset = offset, .size = size};
		p = process_spawn_image(&src, name, self_proc(), give, rights, badge, job, &st);
		give = NULL; /* process_spawn_image took it */
		kobject_unref(&job->obj);
	}
	if (give)
		kobject_unref(give);
	if (obj)
		kobject_unref(obj);
	return p ? handle_install(&p->obj, PROCESS_HANDLE_RIGHTS) : st;
}

static int64_t sys_job_create(syscall_frame_t *f)
{
	job_t *parent;
	rae_status_t st = job_from(f->rdi, &parent);
	if (st != RAE_OK)
		return st;
	uint64_t handles = f->r8 > UINT32_MAX ? UINT32_MAX : f->r8;
	job_t *j = job_create(parent, f->rsi, f->rdx, f->r10, (uint32_t)handles, &st);
	kobject_unref(&parent->obj);
	return j ? handle_install(&j->obj, RAE_RIGHTS_ALL) : st;
}

static int64_t sys_mem_create(syscall_frame_t *f)
{
	if (f->rsi & ~(uint64_t)RAE_MEM_CONTIGUOUS)
		return RAE_ERR_INVALID;
	if (f->rdi == 0 || f->rdi > MEMORY_OBJECT_MAX_PAGES * PAGE_SIZE)
		return RAE_ERR_RANGE;
	rae_status_t st;
	memory_object_t *m = memory_object_create(
	    PAGE_ALIGN_UP(f->rdi) / PAGE_SIZE, f->rsi & RAE_MEM_CONTIGUOUS, self_proc()->job, &st);
	if (!m)
		return st;
	return handle_install(&m->obj, RAE_RIGHT_READ | RAE_RIGHT_WRITE | RAE_RIGHT_MAP |
					   RAE_RIGHT_DUPLICATE | RAE_RIGHT_TRANSFER);
}

/* The object's size in bytes (a whole number of pages): what a process
 * handed an object needs to bound its reads of it (the initrd). */
static int64_t sys_mem_size(syscall_frame_t *f)
{
	kobject_t *obj;
	rae_status_t st =
	    handle_lookup((rae_handle_t)f->rdi, RAE_OBJ_MEMORY, RAE_RIGHT_READ, &obj, NULL);
	if (st != RAE_OK)
		return st;
	int64_t bytes = (int64_t)(((memory_object_t *)obj)->pages * PAGE_SIZE); /* never changes */
	kobject_unref(obj);
	return bytes;
}

static int64_t sys_mem_map(syscall_frame_t *f)
{
	uint64_t prot = f->rsi;
	if (prot & ~(uint64_t)(RAE_PROT_READ | RAE_PROT_WRITE | RAE_PROT_EXEC) ||
	    ((prot & RAE_PROT_WRITE) && (prot & RAE_PROT_EXEC)))
		return RAE_ERR_INVALID; /* W^X */
	uint32_t need = RAE_RIGHT_MAP | RAE_RIGHT_READ;
	unsigned flags = VM_READ;
	if (prot & RAE_PROT_WRITE) {
		need |= RAE_RIGHT_WRITE;
		flags |= VM_WRITE;
	}
	if (prot & RAE_PROT_EXEC) {
		need |= RAE_RIGHT_EXECUTE;
		flags |= VM_EXEC;
	}
	kobject_t *obj;
	rae_status_t st = handle_lookup((rae_handle_t)f->rdi, RAE_OBJ_MEMORY, need, &obj, NULL);
	if (st != RAE_OK)
		return st;
	process_t *p = self_proc();
	memory_object_t *m = (memory_object_t *)obj;
	uintptr_t va = process_mmap_reserve(p, m->pages);
	if (!va) {
		kobject_unref(obj);
		return RAE_ERR_NO_MEMORY; /* no address space left for it */
	}
	if (m->phys)
		st = as_map_phys(p->as, va, m->phys_base, m->pages, flags | m->vm_cache);
	else
		st = as_map_frames(p->as, va, m->frames, m->pages, flags);
	/* The lookup's reference stays with the mapping, recorded only once
	 * it is complete so that MEM_UNMAP never sees half of one. */
	if (st == RAE_OK)
		st = process_note_mapping(p, obj, va, m->pages);
	if (st != RAE_OK) {
		as_unmap_shared(p->as, va, m->pages);
		process_mmap_unreserve(p, va, m->pages);
		kobject_unref(obj);
		return st;
	}
	return (int64_t)va;
}

static int64_t sys_mem_unmap(syscall_frame_t *f)
{
	uintptr_t va = f->rdi;
	if ((va & (PAGE_SIZE - 1)) || va < PAGE_SIZE || !user_range_ok(va, PAGE_SIZE))
		return RAE_ERR_INVALID;
	process_t *p = self_proc();
	kobject_t *obj;
	uint64_t pages;
	rae_status_t st = process_take_mapping(p, va, &obj, &pages);
	if (st != RAE_OK)
		return st;
	as_unmap_shared(p->as, va, pages); /* every CPU has forgotten the pages... */
	kobject_unref(obj);                /* ...before the object may free them */
	return RAE_OK;
}

/* --- hardware objects --------------------------------------------------- */

/* A referenced resource from a handle with MANAGE. */
static rae_status_t resource_lookup(uint64_t h, resource_t **out)
{
	kobject_t *obj;
	rae_status_t st =
	    handle_lookup((rae_handle_t)h, RAE_OBJ_RESOURCE, RAE_RIGHT_MANAGE, &obj, NULL);
	if (st == RAE_OK)
		*out = (resource_t *)obj;
	return st;
}

static int64_t sys_resource_create(syscall_frame_t *f)
{
	resource_t *parent;
	rae_status_t st = resource_lookup(f->rdi, &parent);
	if (st != RAE_OK)
		return st;
	resource_t *r = resource_create(parent, f->rsi > UINT32_MAX ? UINT32_MAX : (uint32_t)f->rsi,
					f->rdx, f->r10, &st);
	kobject_unref(&parent->obj);
	return r ? handle_install(&r->obj, RESOURCE_RIGHTS) : st;
}

static int64_t sys_mem_create_phys(syscall_frame_t *f)
{
	resource_t *r;
	rae_status_t st = resource_lookup(f->rdi, &r);
	if (st != RAE_OK)
		return st;
	uint64_t base = f->rsi, size = f->rdx, flags = f->r10;
	if (flags & ~(uint64_t)RAE_MEM_PHYS_WRITE_COMBINE)
		st = RAE_ERR_INVALID;
	else if ((base | size) & (PAGE_SIZE - 1))
		st = RAE_ERR_INVALID;
	else
		st = resource_range_check(RAE_RESOURCE_MMIO, base, size);
	if (st == RAE_OK && !resource_covers(r, RAE_RESOURCE_MMIO, base, size))
		st = RAE_ERR_RANGE;
	kobject_unref(&r->obj);
	if (st != RAE_OK)
		return st;
	if (size / PAGE_SIZE > MEMORY_PHYS_MAX_PAGES)
		return RAE_ERR_RANGE;
	memory_object_t *m = memory_object_create_phys(
	    base, size / PAGE_SIZE,
	    (flags & RAE_MEM_PHYS_WRITE_COMBINE) ? VM_WRITE_COMBINE : VM_UNCACHED, &st);
	if (!m)
		return st;
	return handle_install(&m->obj, RAE_RIGHT_READ | RAE_RIGHT_WRITE | RAE_RIGHT_MAP |
					   RAE_RIGHT_DUPLICATE | RAE_RIGHT_TRANSFER);
}

static int64_t sys_interrupt_create(syscall_frame_t *f)
{
	resource_t *r;
	rae_status_t st = resource_lookup(f->rdi, &r);
	if (st != RAE_OK)
		return st;
	kobject_t *n;
	st = handle_lookup((rae_handle_t)f->rdx, RAE_OBJ_NOTIFICATION, RAE_RIGHT_SIGNAL, &n, NULL);
	if (st != RAE_OK) {
		kobject_unref(&r->obj);
		return st;
	}
	uint64_t line = f->rsi, bits = f->r10, flags = f->r8;
	uint32_t gsi = 0;
	unsigned hw_flags = 0;
	if (bits == 0 || (flags & ~(uint64_t)(RAE_IRQ_ISA | RAE_IRQ_LEVEL | RAE_IRQ_ACTIVE_LOW)) ||
	    ((flags & RAE_IRQ_ISA) && (flags & (RAE_IRQ_LEVEL | RAE_IRQ_ACTIVE_LOW)))) {
		st = RAE_ERR_INVALID;
	} else if (flags & RAE_IRQ_ISA) {
		st =
		    line > 15 ? RAE_ERR_RANGE : hal_irq_isa_to_gsi((uint32_t)line, &gsi, &hw_flags);
	} else if (line >= RAE_RESOURCE_IRQ_END) {
		st = RAE_ERR_RANGE;
	} else {
		gsi = (uint32_t)line;
		hw_flags = ((flags & RAE_IRQ_LEVEL) ? HAL_IRQ_LEVEL : 0) |
			   ((flags & RAE_IRQ_ACTIVE_LOW) ? HAL_IRQ_ACTIVE_LOW : 0);
	}
	if (st == RAE_OK && !resource_covers(r, RAE_RESOURCE_IRQ, gsi, 1))
		st = RAE_ERR_RANGE;
	interrupt_object_t *io = NULL;
	if (st == RAE_OK)
		io = interrupt_object_create(gsi, hw_flags, (notification_t *)n, bits, &st);
	kobject_unref(n);
	kobject_unref(&r->obj);
	return io ? handle_install(&io->obj, INTERRUPT_RIGHTS) : st;
}

static int64_t sys_interrupt_ack(syscall_frame_t *f)
{
	kobject_t *obj;
	rae_status_t st =
	    handle_lookup((rae_handle_t)f->rdi, RAE_OBJ_INTERRUPT, RAE_RIGHT_WRITE, &obj, NULL);
	if (st != RAE_OK)
		return st;
	interrupt_object_ack((interrupt_object_t *)obj);
	kobject_unref(obj);
	return RAE_OK;
}

static int64_t sys_ioport_create(syscall_frame_t *f)
{
	resource_t *r;
	rae_status_t st = resource_lookup(f->rdi, &r);
	if (st != RAE_OK)
		return st;
	uint64_t base = f->rsi, count = f->rdx;
	st = resource_range_check(RAE_RESOURCE_IOPORT, base, count);
	if (st == RAE_OK && !resource_covers(r, RAE_RESOURCE_IOPORT, base, count))
		st = RAE_ERR_RANGE;
	kobject_unref(&r->obj);
	if (st != RAE_OK)
		return st;
	ioport_object_t *io = ioport_object_create((uint32_t)base, (uint32_t)count);
	return io ? handle_install(&io->obj, IOPORT_RIGHTS) : RAE_ERR_NO_MEMORY;
}

static int64_t sys_ioport_enable(syscall_frame_t *f)
{
	kobject_t *obj;
	rae_status_t st = handle_lookup((rae_handle_t)f->rdi, RAE_OBJ_IOPORT,
					RAE_RIGHT_READ | RAE_RIGHT_WRITE, &obj, NULL);
	if (st != RAE_OK)
		return st;
	st = ioport_enable(self_proc(), (ioport_object_t *)obj);
	kobject_unref(obj);
	return st;
}

/* --- what a C library needs (lib/posix) ---------------------------------- */

static int64_t sys_futex_wait(syscall_frame_t *f)
{
	return futex_wait(self_proc()->as, f->rdi, (uint32_t)f->rsi, deadline_from(f->rdx));
}

static int64_t sys_futex_wake(syscall_frame_t *f)
{
	return futex_wake(self_proc()->as, f->rdi, f->rsi);
}

static int64_t sys_set_tls_base(syscall_frame_t *f)
{
	return hal_user_set_tls_base(f->rdi);
}

uint64_t aslr_random(void);

static int64_t sys_random(syscall_frame_t *f)
{
	uint64_t words[RAE_RANDOM_MAX / 8];
	uint64_t len = f->rsi;
	if (len > RAE_RANDOM_MAX)
		return RAE_ERR_RANGE;
	for (unsigned i = 0; i < (len + 7) / 8; i++)
		words[i] = aslr_random();
	if (copy_to_user((void *)f->rdi, words, len) != RAE_OK)
		return RAE_ERR_FAULT;
	return (int64_t)len;
}

/* VM_* protections as page flags; RAE_ERR_INVALID for unknown bits or W+X. */
static rae_status_t vm_flags_from_prot(uint64_t prot, unsigned *flags)
{
	if (prot & ~(uint64_t)(RAE_PROT_READ | RAE_PROT_WRITE | RAE_PROT_EXEC) ||
	    ((prot & RAE_PROT_WRITE) && (prot & RAE_PROT_EXEC)))
		return RAE_ERR_INVALID;
	*flags = VM_READ | ((prot & RAE_PROT_WRITE) ? VM_WRITE : 0) |
		 ((prot & RAE_PROT_EXEC) ? VM_EXEC : 0);
	return RAE_OK;
}

static int64_t sys_vm_allocate(syscall_frame_t *f)
{
	unsigned flags;
	rae_status_t st = vm_flags_from_prot(f->rsi, &flags);
	if (st != RAE_OK)
		return st;
	if (f->rdi == 0 || f->rdi > RAE_VM_BYTES_MAX)
		return RAE_ERR_RANGE;
	process_t *p = self_proc();
	uint64_t pages = PAGE_ALIGN_UP(f->rdi) / PAGE_SIZE;
	uintptr_t va = process_mmap_reserve(p, pages);
	if (!va)
		return RAE_ERR_NO_MEMORY; /* no address space left for it */
	if (f->rsi == 0)
		return (int64_t)va; /* reserved: VM_PROTECT maps pages there */
	st = as_map_anon(p->as, va, pages, flags);
	if (st != RAE_OK) {
		as_free_anon(p->as, va, pages);
		process_mmap_unreserve(p, va, pages);
		return st;
	}
	return (int64_t)va;
}

/* The range [addr, addr + bytes) in pages, if it lies in the caller's mmap
 * area (never its image or main stack). */
static rae_status_t vm_range(syscall_frame_t *f, uint64_t *pages)
{
	uintptr_t va = f->rdi;
	uint64_t bytes = f->rsi;
	process_t *p = self_proc();
	if ((va & (PAGE_SIZE - 1)) || bytes == 0 || bytes > RAE_VM_BYTES_MAX)
		return RAE_ERR_INVALID;
	*pages = PAGE_ALIGN_UP(bytes) / PAGE_SIZE;
	uintptr_t end = __atomic_load_n(&p->mmap_next, __ATOMIC_ACQUIRE);
	if (va < p->mmap_base || va >= end || *pages > (end - va) / PAGE_SIZE)
		return RAE_ERR_RANGE;
	return RAE_OK;
}

static int64_t sys_vm_protect(syscall_frame_t *f)
{
	unsigned flags;
	uint64_t pages;
	rae_status_t st = vm_flags_from_prot(f->rdx, &flags);
	if (st == RAE_OK)
		st = vm_range(f, &pages);
	if (st != RAE_OK)
		return st;
	if (f->rdx == 0)
		return as_free_anon(self_proc()->as, f->rdi, pages);
	/* Stacks are never executable and guards never mapped, wherever
	 * they lie. */
	st = process_check_protect(self_proc(), f->rdi, pages, flags);
	if (st != RAE_OK)
		return st;
	return as_protect_anon(self_proc()->as, f->rdi, pages, flags);
}

static int64_t sys_vm_free(syscall_frame_t *f)
{
	uint64_t pages;
	rae_status_t st = vm_range(f, &pages);
	return st == RAE_OK ? as_free_anon(self_proc()->as, f->rdi, pages) : st;
}

/* --- the console hand-over and the kernel log ---------------------------- */

static int64_t sys_console_handover(syscall_frame_t *f)
{
	resource_t *r;
	rae_status_t st = resource_lookup(f->rdi, &r);
	if (st != RAE_OK)
		return st;
	rae_console_hw_t hw = {0};
	hal_console_describe(&hw);
	bool covers = resource_covers(r, RAE_RESOURCE_IOPORT, hw.serial_port, hw.serial_ports);
	kobject_unref(&r->obj);
	if (!covers)
		return RAE_ERR_RANGE;
	kobject_t *n = NULL;
	uint64_t bits = f->rdx;
	if (f->rsi) {
		st = handle_lookup((rae_handle_t)f->rsi, RAE_OBJ_NOTIFICATION, RAE_RIGHT_SIGNAL, &n,
				   NULL);
		if (st != RAE_OK)
			return st;
		if (bits == 0) {
			kobject_unref(n);
			return RAE_ERR_INVALID;
		}
	}
	uint64_t offset = 0;
	console_object_t *c = console_object_create((notification_t *)n, bits, &offset, &st);
	if (n)
		kobject_unref(n);
	if (!c)
		return st;
	if (copy_to_user((void *)f->r10, &offset, sizeof(offset)) != RAE_OK) {
		kobject_unref(&c->obj); /* gives the console back */
		return RAE_ERR_FAULT;
	}
	return handle_install(&c->obj, CONSOLE_RIGHTS);
}

static int64_t sys_log_read(syscall_frame_t *f)
{
	kobject_t *obj;
	rae_status_t st =
	    handle_lookup((rae_handle_t)f->rdi, RAE_OBJ_CONSOLE, RAE_RIGHT_READ, &obj, NULL);
	if (st != RAE_OK)
		return st;
	kobject_unref(obj); /* the handle is the authority; nothing else is used */
	uint64_t offset;
	uint64_t len = f->r10 > RAE_LOG_READ_MAX ? RAE_LOG_READ_MAX : f->r10;
	if (copy_from_user(&offset, (const void *)f->rsi, sizeof(offset)) != RAE_OK)
		return RAE_ERR_FAULT;
	char chunk[256];
	uint64_t done = 0;
	while (done < len) {
		uint64_t want = len - done > sizeof(chunk) ? sizeof(chunk) : len - done;
		uint64_t at = offset;
		int64_t n = console_log_read(&at, chunk, want);
		if (n < 0)
			return n;
		if (n == 0)
			break;
		if (copy_to_user((void *)(f->rdx + done), chunk, (size_t)n) != RAE_OK)
			return RAE_ERR_FAULT;
		offset = at;
		done += (uint64_t)n;
	}
	if (copy_to_user((void *)f->rsi, &offset, sizeof(offset)) != RAE_OK)
		return RAE_ERR_FAULT;
	return (int64_t)done;
}

static int64_t sys_console_info(syscall_frame_t *f)
{
	rae_console_hw_t hw = {0};
	hal_console_describe(&hw);
	if (boot_info.has_framebuffer && boot_info.framebuffer.type == BOOT_FB_RGB) {
		hw.has_framebuffer = 1;
		hw.framebuffer = boot_info.framebuffer;
	}
	if (copy_to_user((void *)f->rdi, &hw, sizeof(hw)) != RAE_OK)
		return RAE_ERR_FAULT;
	return RAE_OK;
}

/* --- processes seen through a job, and the system ----------------------- */

static int64_t sys_process_watch(syscall_frame_t *f)
{
	if (f->rdx == 0)
		return RAE_ERR_INVALID; /* no bits: a watch that could never be seen */
	kobject_t *proc, *n;
	rae_status_t st =
	    handle_lookup((rae_handle_t)f->rdi, RAE_OBJ_PROCESS, RAE_RIGHT_WAIT, &proc, NULL);
	if (st != RAE_OK)
		return st;
	st = handle_lookup((rae_handle_t)f->rsi, RAE_OBJ_NOTIFICATION, RAE_RIGHT_SIGNAL, &n, NULL);
	if (st == RAE_OK) {
		st = process_watch((process_t *)proc, (notification_t *)n, f->rdx);
		kobject_unref(n);
	}
	kobject_unref(proc);
	return st;
}

/* Entries JOB_PROCESSES gathers per pass under the process lock. */
#define JOB_PROCESSES_CHUNK 16

/* One process's facts: a handle with READ, or 0 for the caller itself
 * (what any program may know of itself: its CPU time for clock()). */
static int64_t sys_process_info(syscall_frame_t *f)
{
	kobject_t *obj = NULL;
	process_t *p = self_proc();
	if (f->rdi) {
		rae_status_t st = handle_lookup((rae_handle_t)f->rdi, RAE_OBJ_PROCESS,
						RAE_RIGHT_READ, &obj, NULL);
		if (st != RAE_OK)
			return st;
		p = (process_t *)obj;
	}
	rae_process_info_t info;
	process_info(p, &info);
	if (obj)
		kobject_unref(obj);
	return copy_to_user((void *)f->rsi, &info, sizeof(info)) == RAE_OK ? RAE_OK : RAE_ERR_FAULT;
}

static int64_t sys_job_processes(syscall_frame_t *f)
{
	kobject_t *obj;
	rae_status_t st =
	    handle_lookup((rae_handle_t)f->rdi, RAE_OBJ_JOB, RAE_RIGHT_READ, &obj, NULL);
	if (st != RAE_OK)
		return st;
	uint64_t count = f->rdx, buf = f->rsi;
	if (count && (count > USER_SPACE_END / sizeof(rae_process_info_t) ||
		      !user_range_ok(buf, count * sizeof(rae_process_info_t)))) {
		kobject_unref(obj);
		return RAE_ERR_FAULT;
	}
	rae_process_info_t *chunk = kmalloc(JOB_PROCESSES_CHUNK * sizeof(*chunk));
	if (!chunk) {
		kobject_unref(obj);
		return RAE_ERR_NO_MEMORY;
	}
	/* In passes of a chunk, each resuming after the last id copied: the
	 * process lock is never held across a copy to user memory. */
	uint64_t total = 0, copied = 0, after = 0;
	bool first = true;
	do {
		uint64_t left = count - copied;
		unsigned want = left < JOB_PROCESSES_CHUNK ? (unsigned)left : JOB_PROCESSES_CHUNK;
		unsigned n;
		uint64_t t = process_list((job_t *)obj, after, chunk, want, &n);
		if (first)
			total = t;
		first = false;
		if (n && copy_to_user((void *)(buf + copied * sizeof(*chunk)), chunk,
				      n * sizeof(*chunk)) != RAE_OK) {
			st = RAE_ERR_FAULT;
			break;
		}
		copied += n;
		if (n < want || n == 0)
			break;
		after = chunk[n - 1].pid;
	} while (copied < count);
	kfree(chunk);
	kobject_unref(obj);
	return st == RAE_OK ? (int64_t)total : st;
}

static int64_t sys_job_process(syscall_frame_t *f)
{
	kobject_t *obj;
	rae_status_t st =
	    handle_lookup((rae_handle_t)f->rdi, RAE_OBJ_JOB, RAE_RIGHT_MANAGE, &obj, NULL);
	if (st != RAE_OK)
		return st;
	process_t *p = process_find_in_job((job_t *)obj, f->rsi);
	kobject_unref(obj);
	return p ? handle_install(&p->obj, PROCESS_HANDLE_RIGHTS) : RAE_ERR_NOT_FOUND;
}

static int64_t sys_system_info(syscall_frame_t *f)
{
	rae_system_info_t info = {0};
	pmm_system_info(&info);
	info.uptime_ns = clock_monotonic_ns();
	info.cpus = cpu_online_count;
	info.processes = process_count_alive();
	static const char version[] = "RaeCore " RAEENOS_VERSION;
	_Static_assert(sizeof(version) <= sizeof(info.version), "version string too long");
	memcpy(info.version, version, sizeof(version));
	const char *arch = hal_arch_name();
	size_t n = strlen(arch);
	memcpy(info.machine, arch, n < sizeof(info.machine) - 1 ? n : sizeof(info.machine) - 1);
	if (copy_to_user((void *)f->rdi, &info, sizeof(info)) != RAE_OK)
		return RAE_ERR_FAULT;
	return RAE_OK;
}

/* --- pipes -------------------------------------------------------------- */

#define PIPE_READ_RIGHTS                                                                           \
	(RAE_RIGHT_READ | RAE_RIGHT_WAIT | RAE_RIGHT_DUPLICATE | RAE_RIGHT_TRANSFER)
#define PIPE_WRITE_RIGHTS                                                                          \
	(RAE_RIGHT_WRITE | RAE_RIGHT_WAIT | RAE_RIGHT_DUPLICATE | RAE_RIGHT_TRANSFER)

static int64_t sys_pipe_create(syscall_frame_t *f)
{
	process_t *p = self_proc();
	pipe_end_t *r, *w;
	rae_status_t st = pipe_create(p->job, &r, &w);
	if (st != RAE_OK)
		return st;
	rae_handle_t ends[2] = {RAE_HANDLE_INVALID, RAE_HANDLE_INVALID};
	kobject_t *drop[2] = {NULL, NULL};
	bool irq = spin_lock_irqsave(&p->handles_lock);
	st = handle_table_add(&p->handles, &r->obj, PIPE_READ_RIGHTS, 0, &ends[0]);
	if (st == RAE_OK) {
		st = handle_table_add(&p->handles, &w->obj, PIPE_WRITE_RIGHTS, 0, &ends[1]);
		if (st != RAE_OK)
			handle_table_remove(&p->handles, ends[0], &drop[0], NULL, NULL);
	}
	spin_unlock_irqrestore(&p->handles_lock, irq);
	if (st == RAE_OK && copy_to_user((void *)f->rdi, ends, sizeof(ends)) != RAE_OK) {
		/* Nobody learnt the handles: take them back out. */
		irq = spin_lock_irqsave(&p->handles_lock);
		handle_table_remove(&p->handles, ends[0], &drop[0], NULL, NULL);
		handle_table_remove(&p->handles, ends[1], &drop[1], NULL, NULL);
		spin_unlock_irqrestore(&p->handles_lock, irq);
		st = RAE_ERR_FAULT;
	}
	/* The creator's references: the table holds its own. */
	kobject_unref(&r->obj);
	kobject_unref(&w->obj);
	for (int i = 0; i < 2; i++) {
		if (drop[i])
			kobject_unref(drop[i]);
	}
	return st;
}

/* PIPE_READ and PIPE_WRITE: (end, buf, len, timeout_ns). */
static int64_t pipe_transfer(syscall_frame_t *f, bool write)
{
	kobject_t *obj;
	rae_status_t st = handle_lookup((rae_handle_t)f->rdi, RAE_OBJ_PIPE,
					write ? RAE_RIGHT_WRITE : RAE_RIGHT_READ, &obj, NULL);
	if (st != RAE_OK)
		return st;
	uint64_t len = f->rdx, timeout = f->r10;
	int64_t r;
	if (len && !user_range_ok(f->rsi, len))
		r = RAE_ERR_FAULT;
	else if (write)
		r = pipe_write((pipe_end_t *)obj, f->rsi, len, timeout == 0,
			       deadline_from(timeout));
	else
		r = pipe_read((pipe_end_t *)obj, f->rsi, len, timeout == 0, deadline_from(timeout));
	kobject_unref(obj);
	return r;
}

static int64_t sys_pipe_read(syscall_frame_t *f)
{
	return pipe_transfer(f, false);
}

static int64_t sys_pipe_write(syscall_frame_t *f)
{
	return pipe_transfer(f, true);
}

/* handle_lookup for the register IPC calls, which run with interrupts off. */
static inline __attribute__((always_inline)) rae_status_t
handle_lookup_irqoff(rae_handle_t h, uint32_t type, uint32_t rights, kobject_t **obj,
		     uint64_t *badge)
{
	process_t *p = self_proc();
	spin_lock_irqoff(&p->handles_lock);
	rae_status_t st = handle_table_get(&p->handles, h, type, rights, obj, NULL, badge);
	spin_unlock_irqoff(&p->handles_lock);
	return st;
}

static int64_t sys_ipc_call_reg(syscall_frame_t *f)
{
	kobject_t *obj;
	uint64_t badge;
	rae_status_t st = handle_lookup_irqoff((rae_handle_t)f->rdi, RAE_OBJ_ENDPOINT,
					       RAE_RIGHT_WRITE, &obj, &badge);
	if (st != RAE_OK)
		return st;
	/* The reply is written over the frame's words only on success. */
	if (f->msg[0] == RAE_IPC_TAG_CLOSED)
		st = RAE_ERR_INVALID; /* the kernel's own notice: nobody forges one */
	else
		st = ipc_call_reg(endpoint_target((endpoint_t *)obj), f->msg, badge);
	kobject_unref(obj);
	return st;
}

static int64_t ipc_recv_common(syscall_frame_t *f, bool reply)
{
	kobject_t *obj;
	/* REPLY_RECV_REG runs with interrupts off (syscall_dispatch). */
	rae_status_t st = reply ? handle_lookup_irqoff((rae_handle_t)f->rdi, RAE_OBJ_ENDPOINT,
						       RAE_RIGHT_READ, &obj, NULL)
				: handle_lookup((rae_handle_t)f->rdi, RAE_OBJ_ENDPOINT,
						RAE_RIGHT_READ, &obj, NULL);
	if (st != RAE_OK)
		return st;
	uint64_t badge = 0;
	st = ipc_reply_recv_reg(endpoint_target((endpoint_t *)obj), f->msg, &badge, reply);
	kobject_unref(obj);
	if (st == RAE_OK)
		f->rdi = badge;
	return st;
}

static int64_t sys_ipc_set_timeout(syscall_frame_t *f)
{
	thread_current()->ipc_reg_timeout = f->rdi;
	return RAE_OK;
}

static int64_t sys_ipc_recv_reg(syscall_frame_t *f)
{
	return ipc_recv_common(f, false);
}

static int64_t sys_ipc_reply_recv_reg(syscall_frame_t *f)
{
	return ipc_recv_common(f, true);
}

static const syscall_fn syscall_table[RAE_SYS_COUNT] = {
    [RAE_SYS_DEBUG_WRITE] = sys_debug_write,
    [RAE_SYS_PROCESS_EXIT] = sys_process_exit,
    [RAE_SYS_THREAD_CREATE] = sys_thread_create,
    [RAE_SYS_THREAD_EXIT] = sys_thread_exit,
    [RAE_SYS_THREAD_JOIN] = sys_thread_join,
    [RAE_SYS_SLEEP] = sys_sleep,
    [RAE_SYS_YIELD] = sys_yield,
    [RAE_SYS_CLOCK] = sys_clock,
    [RAE_SYS_SET_RT] = sys_set_rt,
    [RAE_SYS_SET_AFFINITY] = sys_set_affinity,
    [RAE_SYS_SPAWN] = sys_spawn,
    [RAE_SYS_WAIT] = sys_wait,
    [RAE_SYS_KILL] = sys_kill,
    [RAE_SYS_PROCESS_ID] = sys_process_id,
    [RAE_SYS_GETPID] = sys_getpid,
    [RAE_SYS_CPU] = sys_cpu,
    [RAE_SYS_HANDLE_CLOSE] = sys_handle_close,
    [RAE_SYS_HANDLE_DUP] = sys_handle_dup,
    [RAE_SYS_HANDLE_MINT] = sys_handle_mint,
    [RAE_SYS_HANDLE_MINT_WATCHED] = sys_handle_mint_watched,
    [RAE_SYS_ENDPOINT_CREATE] = sys_endpoint_create,
    [RAE_SYS_IPC_CALL] = sys_ipc_call,
    [RAE_SYS_IPC_RECEIVE] = sys_ipc_receive,
    [RAE_SYS_IPC_REPLY] = sys_ipc_reply,
    [RAE_SYS_NOTIFY_CREATE] = sys_notify_create,
    [RAE_SYS_NOTIFY_SIGNAL] = sys_notify_signal,
    [RAE_SYS_NOTIFY_WAIT] = sys_notify_wait,
    [RAE_SYS_SPAWN_WITH] = sys_spawn_with,
    [RAE_SYS_SPAWN_IMAGE] = sys_spawn_image,
    [RAE_SYS_JOB_CREATE] = sys_job_create,
    [RAE_SYS_MEM_CREATE] = sys_mem_create,
    [RAE_SYS_MEM_MAP] = sys_mem_map,
    [RAE_SYS_IPC_CALL_REG] = sys_ipc_call_reg,
    [RAE_SYS_IPC_RECV_REG] = sys_ipc_recv_reg,
    [RAE_SYS_IPC_REPLY_RECV_REG] = sys_ipc_reply_recv_reg,
    [RAE_SYS_IPC_SEND] = sys_ipc_send,
    [RAE_SYS_IPC_SET_TIMEOUT] = sys_ipc_set_timeout,
    [RAE_SYS_RESOURCE_CREATE] = sys_resource_create,
    [RAE_SYS_MEM_CREATE_PHYS] = sys_mem_create_phys,
    [RAE_SYS_MEM_UNMAP] = sys_mem_unmap,
    [RAE_SYS_INTERRUPT_CREATE] = sys_interrupt_create,
    [RAE_SYS_INTERRUPT_ACK] = sys_interrupt_ack,
    [RAE_SYS_IOPORT_CREATE] = sys_ioport_create,
    [RAE_SYS_IOPORT_ENABLE] = sys_ioport_enable,
    [RAE_SYS_FUTEX_WAIT] = sys_futex_wait,
    [RAE_SYS_FUTEX_WAKE] = sys_futex_wake,
    [RAE_SYS_SET_TLS_BASE] = sys_set_tls_base,
    [RAE_SYS_RANDOM] = sys_random,
    [RAE_SYS_VM_ALLOCATE] = sys_vm_allocate,
    [RAE_SYS_VM_PROTECT] = sys_vm_protect,
    [RAE_SYS_VM_FREE] = sys_vm_free,
    [RAE_SYS_CONSOLE_HANDOVER] = sys_console_handover,
    [RAE_SYS_LOG_READ] = sys_log_read,
    [RAE_SYS_CONSOLE_INFO] = sys_console_info,
    [RAE_SYS_PROCESS_WATCH] = sys_process_watch,
    [RAE_SYS_JOB_PROCESSES] = sys_job_processes,
    [RAE_SYS_JOB_PROCESS] = sys_job_process,
    [RAE_SYS_SYSTEM_INFO] = sys_system_info,
    [RAE_SYS_PIPE_CREATE] = sys_pipe_create,
    [RAE_SYS_PIPE_READ] = sys_pipe_read,
    [RAE_SYS_PIPE_WRITE] = sys_pipe_write,
    [RAE_SYS_MEM_SIZE] = sys_mem_size,
    [RAE_SYS_PROCESS_INFO] = sys_process_info,
};

int64_t syscall_dispatch(syscall_frame_t *f);

/* Called from syscall_entry with interrupts off, on the thread's kernel
 * stack. Returns the value for rax. */
int64_t syscall_dispatch(syscall_frame_t *f)
{
	const process_t *p = self_proc();
	/* The register IPC calls hand the CPU over with interrupts off
	 * anyway: they keep them off from here (see ipc_call_reg). */
	if (!(f->nr == RAE_SYS_IPC_CALL_REG || f->nr == RAE_SYS_IPC_REPLY_RECV_REG))
		hal_irq_enable();
	if (p->killed)
		process_check_killed();
	int64_t ret = RAE_ERR_UNSUPPORTED;
	if (f->nr < RAE_SYS_COUNT && syscall_table[f->nr])
		ret = syscall_table[f->nr](f);
	if (p->killed)
		process_check_killed();
	return ret;
}
