/* System calls on processes and jobs: exit, spawn, wait, kill, watch,
 * and what a job's holder may see of the processes in it
 * (rae/syscalls.def). */
#include <mm/kmalloc.h>
#include <mm/vm.h>
#include <object/endpoint.h>
#include <object/job.h>
#include <object/memory.h>
#include <proc/syscall.h>

#define SPAWN_PATH_MAX 128
/* Entries JOB_PROCESSES gathers per pass under the process lock. */
#define JOB_PROCESSES_CHUNK 16

int64_t sys_exit(int code)
{
	process_kill(self_proc(), code);
	thread_exit(code);
}

/* Spawning by initrd path is for processes the kernel started, which were
 * given the initrd (docs/syscalls.md): for anyone else a path is ambient
 * authority, so they start programs from a memory object they were handed
 * (SPAWN_IMAGE). */
static bool may_spawn_by_path(void)
{
	return self_proc()->kernel_started;
}

int64_t sys_spawn(const char *path)
{
	if (!may_spawn_by_path())
		return RAE_ERR_ACCESS_DENIED;
	char kpath[SPAWN_PATH_MAX];
	long n = strncpy_from_user(kpath, path, sizeof(kpath));
	if (n < 0)
		return n;
	rae_status_t st;
	process_t *p = process_spawn(kpath, self_proc(), &st);
	return p ? sys_handle_install(&p->obj, PROCESS_HANDLE_RIGHTS) : st;
}

int64_t sys_wait_flags(rae_handle_t h, int *status, uint64_t flags)
{
	if (flags & ~(uint64_t)RAE_WAIT_NOHANG)
		return RAE_ERR_INVALID;
	kobject_t *obj;
	rae_status_t st = SYS_HANDLE_GET(wait_flags, h, &obj, NULL);
	if (st != RAE_OK)
		return st;
	if ((flags & RAE_WAIT_NOHANG) && !process_has_ended((process_t *)obj)) {
		kobject_unref(obj);
		return RAE_ERR_TIMED_OUT;
	}
	int result = 0;
	st = process_join((process_t *)obj, &result);
	kobject_unref(obj);
	if (st == RAE_OK && status && copy_to_user(status, &result, sizeof(result)) != RAE_OK)
		return RAE_ERR_FAULT;
	return st;
}

int64_t sys_process_id(rae_handle_t h)
{
	kobject_t *obj;
	rae_status_t st = SYS_HANDLE_GET(process_id, h, &obj, NULL);
	if (st != RAE_OK)
		return st;
	int64_t pid = ((process_t *)obj)->pid; /* set at creation, never changes */
	kobject_unref(obj);
	return pid;
}

int64_t sys_kill(rae_handle_t h)
{
	kobject_t *obj;
	rae_status_t st = SYS_HANDLE_GET(kill, h, &obj, NULL);
	if (st != RAE_OK)
		return st;
	process_kill((process_t *)obj, RAE_EXIT_KILLED);
	kobject_unref(obj);
	return RAE_OK;
}

int64_t sys_getpid(void)
{
	return self_proc()->pid;
}

rae_status_t sys_job_from(rae_handle_t h, job_t **out)
{
	if (h == 0) {
		*out = self_proc()->job;
		kobject_ref(&(*out)->obj);
		return RAE_OK;
	}
	kobject_t *obj;
	rae_status_t st = sys_handle_lookup(h, RAE_OBJ_JOB, RAE_RIGHT_MANAGE, &obj);
	if (st == RAE_OK)
		*out = (job_t *)obj;
	return st;
}

/* Takes handle h (needs TRANSFER; 0 = none) out of the caller's table for a
 * child: its object, rights and badge. */
static rae_status_t handle_take_for_child(rae_handle_t h, kobject_t **obj, uint32_t *rights,
					  uint64_t *badge)
{
	*obj = NULL;
	*rights = 0;
	*badge = 0;
	if (!h)
		return RAE_OK;
	return process_handle_take_n(self_proc(), &h, 1, RAE_RIGHT_TRANSFER, obj, rights, badge);
}

/* SPAWN_WITH and SPAWN_IMAGE take `h` out of the caller's table before
 * anything else, so it is gone whatever they return unless `h` itself was
 * refused: the caller never has to guess whether to close it. */
int64_t sys_spawn_with(const char *path, rae_handle_t h, rae_handle_t job_h)
{
	kobject_t *obj;
	uint32_t rights;
	uint64_t badge;
	rae_status_t st = handle_take_for_child(h, &obj, &rights, &badge);
	if (st != RAE_OK)
		return st;
	if (!may_spawn_by_path()) {
		if (obj)
			kobject_unref(obj);
		return RAE_ERR_ACCESS_DENIED;
	}
	char kpath[SPAWN_PATH_MAX];
	long n = strncpy_from_user(kpath, path, sizeof(kpath));
	job_t *job = NULL;
	st = n < 0 ? (rae_status_t)n : sys_job_from(job_h, &job);
	if (st != RAE_OK) {
		if (obj)
			kobject_unref(obj);
		return st;
	}
	process_t *p = process_spawn_with(kpath, self_proc(), obj, rights, badge, job, &st);
	kobject_unref(&job->obj);
	return p ? sys_handle_install(&p->obj, PROCESS_HANDLE_RIGHTS) : st;
}

/* A process from an executable in a memory object: the kernel copies the
 * image, so the object needs READ only and may change afterwards. */
int64_t sys_spawn_image(rae_handle_t image, uint64_t offset, uint64_t size, const char *name,
			rae_handle_t h, rae_handle_t job_h)
{
	kobject_t *give;
	uint32_t rights;
	uint64_t badge;
	rae_status_t st = handle_take_for_child(h, &give, &rights, &badge);
	if (st != RAE_OK)
		return st;
	char kname[PROCESS_NAME_MAX];
	long n = strncpy_from_user(kname, name, sizeof(kname));
	kobject_t *obj = NULL;
	if (n < 0)
		st = (rae_status_t)n;
	else if (n == 0)
		st = RAE_ERR_INVALID;
	else
		st = SYS_HANDLE_GET(spawn_image, image, &obj, NULL);
	memory_object_t *m = (memory_object_t *)obj;
	if (st == RAE_OK && (m->phys || size == 0))
		st = RAE_ERR_INVALID;
	else if (st == RAE_OK &&
		 (offset > m->pages * PAGE_SIZE || size > m->pages * PAGE_SIZE - offset))
		st = RAE_ERR_RANGE;
	job_t *job = NULL;
	if (st == RAE_OK)
		st = sys_job_from(job_h, &job);
	process_t *p = NULL;
	if (st == RAE_OK) {
		exec_image_t src = {.mem = m, .offset = offset, .size = size};
		p = process_spawn_image(&src, kname, self_proc(), give, rights, badge, job, &st);
		give = NULL; /* process_spawn_image took it */
		kobject_unref(&job->obj);
	}
	if (give)
		kobject_unref(give);
	if (obj)
		kobject_unref(obj);
	return p ? sys_handle_install(&p->obj, PROCESS_HANDLE_RIGHTS) : st;
}

int64_t sys_job_create(rae_handle_t parent_h, uint64_t max_processes, uint64_t max_threads,
		       uint64_t max_pages, uint64_t max_handles)
{
	job_t *parent;
	rae_status_t st = sys_job_from(parent_h, &parent);
	if (st != RAE_OK)
		return st;
	uint64_t handles = max_handles > UINT32_MAX ? UINT32_MAX : max_handles;
	job_t *j =
	    job_create(parent, max_processes, max_threads, max_pages, (uint32_t)handles, &st);
	kobject_unref(&parent->obj);
	return j ? sys_handle_install(&j->obj, RAE_RIGHTS_ALL) : st;
}

int64_t sys_process_watch(rae_handle_t h, rae_handle_t notification, uint64_t bits)
{
	if (bits == 0)
		return RAE_ERR_INVALID; /* no bits: a watch that could never be seen */
	kobject_t *proc, *n;
	rae_status_t st = SYS_HANDLE_GET(process_watch, h, &proc, NULL);
	if (st != RAE_OK)
		return st;
	st = sys_handle_lookup(notification, RAE_OBJ_NOTIFICATION, RAE_RIGHT_SIGNAL, &n);
	if (st == RAE_OK) {
		st = process_watch((process_t *)proc, (notification_t *)n, bits);
		kobject_unref(n);
	}
	kobject_unref(proc);
	return st;
}

/* One process's facts: a handle with READ, or 0 for the caller itself
 * (what any program may know of itself: its CPU time for clock()). */
int64_t sys_process_info(rae_handle_t h, rae_process_info_t *info)
{
	kobject_t *obj = NULL;
	process_t *p = self_proc();
	if (h) {
		rae_status_t st = SYS_HANDLE_GET(process_info, h, &obj, NULL);
		if (st != RAE_OK)
			return st;
		p = (process_t *)obj;
	}
	rae_process_info_t kinfo;
	process_info(p, &kinfo);
	if (obj)
		kobject_unref(obj);
	return copy_to_user(info, &kinfo, sizeof(kinfo)) == RAE_OK ? RAE_OK : RAE_ERR_FAULT;
}

int64_t sys_job_processes(rae_handle_t job, rae_process_info_t *buf, uint64_t count)
{
	kobject_t *obj;
	rae_status_t st = SYS_HANDLE_GET(job_processes, job, &obj, NULL);
	if (st != RAE_OK)
		return st;
	uintptr_t ubuf = (uintptr_t)buf;
	if (count && (count > USER_SPACE_END / sizeof(rae_process_info_t) ||
		      !user_range_ok(ubuf, count * sizeof(rae_process_info_t)))) {
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
		if (n && copy_to_user((void *)(ubuf + copied * sizeof(*chunk)), chunk,
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

int64_t sys_job_process(rae_handle_t job, uint64_t pid)
{
	kobject_t *obj;
	rae_status_t st = SYS_HANDLE_GET(job_process, job, &obj, NULL);
	if (st != RAE_OK)
		return st;
	process_t *p = process_find_in_job((job_t *)obj, pid);
	kobject_unref(obj);
	return p ? sys_handle_install(&p->obj, PROCESS_HANDLE_RIGHTS) : RAE_ERR_NOT_FOUND;
}
