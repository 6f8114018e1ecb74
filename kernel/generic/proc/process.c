/* Processes: spawning from the initrd (ELF loading with ASLR), threads,
 * exit, kill and wait. One lock, process_lock, guards every process's
 * state, thread table and the process list. */
#include <console/kprintf.h>
#include <hal/cpu.h>
#include <kernel.h>
#include <lib/ustar.h>
#include <mm/kmalloc.h>
#include <mm/phys.h>
#include <mm/usercopy.h>
#include <mm/vm.h>
#include <panic.h>
#include <object/endpoint.h>
#include <object/ioport.h>
#include <object/job.h>
#include <object/memory.h>
#include <proc/elf.h>
#include <proc/handles.h>
#include <proc/process.h>
#include <rae/syscall.h>
#include <sched/sched.h>
#include <sched/thread.h>
#include <sched/waitq.h>
#include <smp/cpu.h>
#include <smp/smp.h>
#include <string.h>
#include <sync/lock_levels.h>
#include <sync/spinlock.h>
#include <time/clock.h>

static spinlock_t process_lock = SPINLOCK_INIT("processes", LOCK_LEVEL_PROCESS);
static process_t *all_processes; /* guarded by process_lock */
static unsigned next_pid = 1;

/* A notification waiting for a process's end (PROCESS_WATCH). */
typedef struct process_watch {
	notification_t *n; /* a reference */
	uint64_t bits;
	struct process_watch *next;
} process_watch_t;

/* Signals and frees a list of watches taken off a process. No lock held. */
static void watches_fire(process_watch_t *w, bool signal)
{
	while (w) {
		process_watch_t *next = w->next;
		if (signal)
			notification_signal(w->n, w->bits);
		kobject_unref(&w->n->obj);
		kfree(w);
		w = next;
	}
}

void user_thread_main(void *arg);
uint64_t aslr_random(void);

/* A random, `align`-aligned address in [lo, hi - span). */
static uintptr_t aslr_pick(uintptr_t lo, uintptr_t hi, uint64_t span, uint64_t align)
{
	uint64_t slots = (hi - lo - span) / align;
	return lo + (aslr_random() % slots) * align;
}

static const void *initrd_find(const char *path, uint64_t *size)
{
	const boot_module_t *m = kernel_initrd_module();
	if (!m)
		return NULL;
	const void *data = phys_to_virt(m->start, m->end - m->start);
	if (!data)
		return NULL;
	while (*path == '/')
		path++;
	ustar_reader_t r;
	ustar_entry_t e;
	ustar_reader_init(&r, data, m->end - m->start);
	while (ustar_next(&r, &e) == RAE_OK) {
		const char *name = e.name;
		if (name[0] == '.' && name[1] == '/')
			name += 2;
		if (strcmp(name, path) == 0 && (e.type == '0' || e.type == '\0')) {
			*size = e.size;
			return e.data;
		}
	}
	return NULL;
}

/* Copies len bytes at offset `off` of the image into the new process. */
static rae_status_t image_write(process_t *p, const exec_image_t *src, uint64_t off, uintptr_t va,
				uint64_t len)
{
	if (src->flat)
		return as_write(p->as, va, src->flat + off, len);
	off += src->offset;
	while (len > 0) {
		uint64_t in = off % PAGE_SIZE;
		uint64_t chunk = PAGE_SIZE - in < len ? PAGE_SIZE - in : len;
		const uint8_t *from = phys_to_virt(src->mem->frames[off / PAGE_SIZE], PAGE_SIZE);
		rae_status_t st = as_write(p->as, va, from + in, chunk);
		if (st != RAE_OK)
			return st;
		off += chunk;
		va += chunk;
		len -= chunk;
	}
	return RAE_OK;
}

static rae_status_t load_segments(process_t *p, const exec_image_t *src, const elf_image_t *img)
{
	for (unsigned i = 0; i < img->segment_count; i++) {
		const elf_segment_t *s = &img->segments[i];
		uintptr_t start = PAGE_ALIGN_DOWN(p->image_base + s->vaddr);
		uintptr_t end = PAGE_ALIGN_UP(p->image_base + s->vaddr + s->memsz);
		unsigned flags = VM_READ | (s->write ? VM_WRITE : 0) | (s->exec ? VM_EXEC : 0);
		/* A writable segment's pages past its file data come at first
		 * touch: a program's bss is mostly buffers sized for the worst. */
		uintptr_t file_end = PAGE_ALIGN_UP(p->image_base + s->vaddr + s->filesz);
		if (s->write && !s->exec && file_end < end &&
		    p->zero_fill_count < PROCESS_MAX_ZERO_FILL) {
			unsigned z = p->zero_fill_count++;
			p->zero_fill[z].base = file_end > start ? file_end : start;
			p->zero_fill[z].end = end;
			end = p->zero_fill[z].base;
		}
		rae_status_t st = end > start
				      ? as_map_private(p->as, start, (end - start) / PAGE_SIZE,
						       flags, RAE_MEM_USER_IMAGE)
				      : RAE_OK;
		if (st != RAE_OK)
			return st;
		st = image_write(p, src, s->offset, p->image_base + s->vaddr, s->filesz);
		if (st != RAE_OK)
			return st;
	}
	return RAE_OK;
}

/* Closes every handle `p` holds, once its last thread has ended: the
 * objects at the other end (a pipe's reader, a server's client) learn of
 * the end now, not when someone gets round to reaping the process. */
static void process_close_handles(process_t *p)
{
	handle_table_t old;
	process_handle_detach_all(p, &old);
	handle_table_destroy(&old);
}

/* Everything a process holds but its struct, exit status, place in the
 * process list and job reference (those go with the struct: reports list
 * an ended process while anyone holds it). */
static void process_release(process_t *p)
{
	bool irq = spin_lock_irqsave(&process_lock);
	/* Watches fired when the threads ended; any left go unsignalled. */
	process_watch_t *watches = p->watches;
	p->watches = NULL;
	p->watch_count = 0;
	/* Taken off under the lock: the process stays listed, and reports
	 * read its address space's page count under that lock. */
	address_space_t *as = p->as;
	p->as = NULL;
	spin_unlock_irqrestore(&process_lock, irq);
	watches_fire(watches, false);
	handle_table_destroy(&p->handles);
	if (as)
		as_destroy(as); /* leaves memory objects' pages alone */
	for (unsigned i = 0; i < PROCESS_MAX_MAPPINGS; i++) {
		if (p->mapped[i])
			kobject_unref(p->mapped[i]);
		p->mapped[i] = NULL;
	}
	ioport_process_release(p);
	/* Its place in the job is free; the reference stays with the struct. */
	if (p->job && !p->job_released)
		job_uncharge(p->job, JOB_PROCESSES, 1);
	p->job_released = true;
}

/* The end of the struct: out of the list, the job let go, freed. */
static void process_free_struct(process_t *p)
{
	bool irq = spin_lock_irqsave(&process_lock);
	for (process_t **link = &all_processes; *link; link = &(*link)->next) {
		if (*link == p) {
			*link = p->next;
			break;
		}
	}
	spin_unlock_irqrestore(&process_lock, irq);
	/* A CPU may still be charging the time of a call its threads made
	 * (donation does not account) to it. */
	sched_forget_process(p);
	if (p->job)
		kobject_unref(&p->job->obj);
	kfree(p);
}

/* A process that failed to start: nobody else ever saw it. */
static void process_free(process_t *p)
{
	process_release(p);
	process_free_struct(p);
}

/* Orphans (their last reference went before they were reaped) are reaped
 * by a kernel thread: the last reference may be dropped anywhere, even by
 * a thread of the process itself, which cannot wait for its own end. */
static spinlock_t reap_lock = SPINLOCK_INIT("reaper", LOCK_LEVEL_REAPER);
static process_t *reap_list; /* guarded by reap_lock */
static thread_t *reaper;     /* set once */

static void reaper_main(void *arg)
{
	(void)arg;
	for (;;) {
		bool irq = spin_lock_irqsave(&reap_lock);
		process_t *p = reap_list;
		if (p)
			reap_list = p->reap_next;
		else
			thread_block_prepare(); /* a kernel thread: never killed */
		spin_unlock_irqrestore(&reap_lock, irq);
		if (!p) {
			thread_block_until(UINT64_MAX);
			continue;
		}
		process_join(p, NULL);
		process_free_struct(p);
	}
}

static void reaper_enqueue(process_t *p)
{
	bool irq = spin_lock_irqsave(&reap_lock);
	p->reap_next = reap_list;
	reap_list = p;
	thread_t *r = reaper;
	spin_unlock_irqrestore(&reap_lock, irq);
	if (r)
		thread_wake(r);
}

void process_kill(process_t *p, int status);

static void process_destroy(kobject_t *o)
{
	process_t *p = (process_t *)o;
	bool irq = spin_lock_irqsave(&process_lock);
	bool reaped = p->reaped, zombie = p->state == PROCESS_ZOMBIE;
	p->orphaned = !reaped;
	spin_unlock_irqrestore(&process_lock, irq);
	if (reaped) {
		process_free_struct(p);
		return;
	}
	/* Nobody holds it: it ends, and the reaper cleans up. */
	process_kill(p, RAE_EXIT_KILLED);
	if (zombie)
		reaper_enqueue(p);
}

void process_init(void)
{
	reaper = thread_create("reaper", reaper_main, NULL, 0);
	if (!reaper)
		panic("process: no memory for the reaper thread");
	thread_wake(reaper); /* it may have missed an enqueue */
}

static void *handles_grow(void *ctx, void *old, size_t old_bytes, size_t new_bytes)
{
	(void)ctx;
	void *n = kmalloc(new_bytes);
	if (n && old) {
		memcpy(n, old, old_bytes);
		kfree(old);
	}
	return n;
}

static void handles_release(void *ctx, void *p)
{
	(void)ctx;
	kfree(p);
}

static process_t *process_load(const exec_image_t *src, const char *name, process_t *parent,
			       kobject_t *give, uint32_t rights, uint64_t badge, job_t *job,
			       rae_status_t *status);

process_t *process_spawn(const char *path, process_t *parent, rae_status_t *status)
{
	return process_spawn_with(path, parent, NULL, 0, 0, NULL, status);
}

process_t *process_spawn_with(const char *path, process_t *parent, kobject_t *give, uint32_t rights,
			      uint64_t badge, job_t *job, rae_status_t *status)
{
	exec_image_t src = {0};
	src.flat = initrd_find(path, &src.size);
	if (!src.flat) {
		if (give)
			kobject_unref(give);
		*status = RAE_ERR_NOT_FOUND;
		return NULL;
	}
	const char *base = path + strlen(path);
	while (base > path && base[-1] != '/')
		base--;
	return process_spawn_image(&src, base, parent, give, rights, badge, job, status);
}

process_t *process_spawn_image(const exec_image_t *src, const char *name, process_t *parent,
			       kobject_t *give, uint32_t rights, uint64_t badge, job_t *job,
			       rae_status_t *status)
{
	if (!job)
		job = parent ? parent->job : &job_root;
	if (job_charge(job, JOB_PROCESSES, 1) != RAE_OK) {
		if (give)
			kobject_unref(give);
		*status = RAE_ERR_LIMIT;
		return NULL;
	}
	kobject_ref(&job->obj);
	process_t *p = process_load(src, name, parent, give, rights, badge, job, status);
	if (!p) {
		job_uncharge(job, JOB_PROCESSES, 1);
		kobject_unref(&job->obj);
	}
	return p;
}

/* The rest of spawning, once the job took the process: `job`'s reference
 * and charge pass to the process (or back to the caller on failure). */
static process_t *process_load(const exec_image_t *src, const char *name, process_t *parent,
			       kobject_t *give, uint32_t rights, uint64_t badge, job_t *job,
			       rae_status_t *status)
{
	elf_image_t img;
	char err[160];
	rae_status_t st;
	if (src->flat) {
		st = elf_parse(src->flat, src->size, &img, err, sizeof(err));
	} else {
		/* The headers are parsed from a copy, so a process writing the
		 * object meanwhile cannot change them under the checks. */
		uint8_t *head = kmalloc(PAGE_SIZE);
		if (!head) {
			if (give)
				kobject_unref(give);
			*status = RAE_ERR_NO_MEMORY;
			return NULL;
		}
		uint64_t head_len = src->size < PAGE_SIZE ? src->size : PAGE_SIZE;
		memory_object_read(src->mem, src->offset, head, head_len);
		st = elf_parse_head(head, head_len, src->size, &img, err, sizeof(err));
		kfree(head);
	}
	if (st != RAE_OK) {
		kprintf("exec: %s: not a program RaeenOS can run: %s\n", name, err);
		if (give)
			kobject_unref(give);
		*status = st;
		return NULL;
	}
	process_t *p = kzalloc(sizeof(*p));
	if (!p || !(p->as = as_create())) {
		if (p && p->as)
			as_destroy(p->as);
		kfree(p);
		if (give)
			kobject_unref(give);
		*status = RAE_ERR_NO_MEMORY;
		return NULL;
	}
	kobject_init(&p->obj, RAE_OBJ_PROCESS, process_destroy); /* the caller's reference */
	spinlock_init(&p->handles_lock, "handles", LOCK_LEVEL_HANDLES);
	handle_table_init(&p->handles, job->max_handles, handles_grow, handles_release, NULL);
	p->as->job = job;
	/* Set before any thread runs: its first system call may ask for it. */
	p->job = job;
	rae_handle_t first = RAE_HANDLE_INVALID;
	if (give) {
		st = handle_table_add(&p->handles, give, rights, badge, &first);
		kobject_unref(give); /* the table holds its own reference now */
		if (st != RAE_OK) {
			p->job = NULL; /* the caller takes the charge back */
			process_free(p);
			*status = st;
			return NULL;
		}
	}
	size_t n = strnlen(name, PROCESS_NAME_MAX - 1);
	memcpy(p->name, name, n);
	p->parent = parent;
	p->kernel_started = parent == NULL;
	p->parent_pid = parent ? parent->pid : 0;
	p->start_ns = clock_monotonic_ns();

	/* ASLR: executable (PIE), stack and mmap area each at random. */
	p->image_base = img.pie ? aslr_pick(0x0000000010000000ull, 0x0000100000000000ull,
					    img.image_span, 2ull << 20)
				: 0;
	p->stack_top = aslr_pick(0x00007e0000000000ull, 0x00007ff000000000ull, 0, PAGE_SIZE);
	p->mmap_base = aslr_pick(0x0000200000000000ull, 0x0000600000000000ull, 0, 2ull << 20);
	p->mmap_next = p->mmap_base;
	p->main_stack = (process_stack_t){
	    .guard = p->stack_top - USER_STACK_RESERVE - USER_STACK_GAP,
	    .base = p->stack_top - USER_STACK_RESERVE,
	    .top = p->stack_top,
	};
	p->mmap_limit = p->main_stack.guard;

	st = load_segments(p, src, &img);
	/* The stack's top page; the rest comes as it is reached. */
	if (st == RAE_OK)
		st = as_map_private(p->as, p->stack_top - USER_STACK_COMMIT_PAGES * PAGE_SIZE,
				    USER_STACK_COMMIT_PAGES, VM_READ | VM_WRITE,
				    RAE_MEM_USER_STACKS);
	if (st != RAE_OK) {
		p->job = NULL; /* the caller takes the charge back */
		process_free(p);
		*status = st;
		return NULL;
	}
	bool irq = spin_lock_irqsave(&process_lock);
	p->pid = next_pid++;
	p->next = all_processes;
	all_processes = p;
	spin_unlock_irqrestore(&process_lock, irq);

	struct thread *t =
	    process_thread_create(p, p->image_base + img.entry, first, p->stack_top, NULL, &st);
	if (!t) {
		p->job = NULL; /* the caller takes the charge back */
		process_free(p);
		*status = st;
		return NULL;
	}
	*status = RAE_OK;
	return p;
}

static void thread_object_destroy(kobject_t *o)
{
	kfree(o);
}

/* The end of a thread object's thread, joined with `code`: drops the
 * process's reference. */
static void thread_object_finish(thread_object_t *o, int code)
{
	bool irq = spin_lock_irqsave(&process_lock);
	o->thread = NULL;
	o->proc = NULL;
	o->exit_code = code;
	o->done = true;
	spin_unlock_irqrestore(&process_lock, irq);
	kobject_unref(&o->obj);
}

/* A kernel-made thread stack at `base`, its pages freed, goes back: its
 * range is kept for the next thread (or handed back to the mmap area). */
static void process_stack_release(process_t *p, uintptr_t base)
{
	bool irq = spin_lock_irqsave(&process_lock);
	if (p->spare_stack_count < PROCESS_MAX_THREADS)
		p->spare_stacks[p->spare_stack_count++] = base;
	spin_unlock_irqrestore(&process_lock, irq);
}

struct thread *process_thread_create(process_t *p, uintptr_t entry, uintptr_t arg,
				     uintptr_t stack_top, kobject_t **obj, rae_status_t *status)
{
	if (!user_range_ok(entry, 1) || (stack_top && !user_range_ok(stack_top - 8, 8))) {
		*status = RAE_ERR_FAULT;
		return NULL;
	}
	/* Every step below is undone on failure, in reverse: a refused
	 * creation leaves the process as it was (its reserved address range
	 * aside, which is only a number). */
	process_stack_t stack = {0};
	/* Refused at once when no slot is free: no stack is made for it. */
	bool irq = spin_lock_irqsave(&process_lock);
	bool full = p->live_threads >= PROCESS_MAX_THREADS || p->killed;
	spin_unlock_irqrestore(&process_lock, irq);
	if (full) {
		*status = RAE_ERR_LIMIT;
		return NULL;
	}
	if (!stack_top) {
		irq = spin_lock_irqsave(&process_lock);
		uintptr_t base = p->spare_stack_count ? p->spare_stacks[--p->spare_stack_count] : 0;
		spin_unlock_irqrestore(&process_lock, irq);
		if (!base)
			base = process_mmap_reserve(p, USER_THREAD_STACK_PAGES);
		if (!base) {
			*status = RAE_ERR_NO_MEMORY;
			return NULL;
		}
		stack = (process_stack_t){.guard = base - PAGE_SIZE,
					  .base = base,
					  .top = base + USER_THREAD_STACK_PAGES * PAGE_SIZE};
		*status = as_map_private(p->as, stack.top - USER_STACK_COMMIT_PAGES * PAGE_SIZE,
					 USER_STACK_COMMIT_PAGES, VM_READ | VM_WRITE,
					 RAE_MEM_USER_STACKS);
		if (*status != RAE_OK) {
			as_free_anon(p->as, base, USER_THREAD_STACK_PAGES);
			process_stack_release(p, base);
			return NULL;
		}
		stack_top = stack.top;
	}
	job_t *job = p->job ? p->job : p->as->job;
	if (job && job_charge(job, JOB_THREADS, 1) != RAE_OK) {
		*status = RAE_ERR_LIMIT;
		goto free_stack;
	}
	/* A thread made by one of the process's own threads starts with its
	 * creator's CPU affinity (as POSIX threads do); others may run anywhere. */
	thread_t *self = thread_current();
	uint64_t affinity = self && self->proc == p ? self->affinity : 0;
	thread_t *t = thread_create_stopped(p->name, user_thread_main, NULL, affinity);
	if (!t) {
		*status = RAE_ERR_NO_MEMORY;
		goto uncharge;
	}
	t->proc = p;
	t->user_rip = entry;
	/* As if the entry had been called (System V ABI): rsp + 8 is 16-byte
	 * aligned at its first instruction, the return address slot below. */
	t->user_rsp = (stack_top & ~15ull) - 8;
	t->user_arg = arg;
	thread_object_t *o = obj ? kzalloc(sizeof(*o)) : NULL;
	if (o) {
		kobject_init(&o->obj, RAE_OBJ_THREAD, thread_object_destroy); /* the process's */
		o->thread = t;
		o->proc = p;
	}
	irq = spin_lock_irqsave(&process_lock);
	unsigned slot = PROCESS_MAX_THREADS;
	for (unsigned i = 0; i < PROCESS_MAX_THREADS && slot == PROCESS_MAX_THREADS; i++) {
		if (!p->threads[i])
			slot = i;
	}
	if (slot == PROCESS_MAX_THREADS || p->killed || (obj && !o)) {
		spin_unlock_irqrestore(&process_lock, irq);
		thread_discard(t); /* never ran: nothing else knows it */
		kfree(o);
		*status = obj && !o ? RAE_ERR_NO_MEMORY : RAE_ERR_LIMIT;
		goto uncharge;
	}
	p->threads[slot] = t;
	p->thread_objs[slot] = o;
	p->thread_stacks[slot] = stack;
	p->live_threads++;
	if (o) {
		o->slot = slot;
		kobject_ref(&o->obj); /* the caller's */
		*obj = &o->obj;
	}
	spin_unlock_irqrestore(&process_lock, irq);
	thread_start(t);
	*status = RAE_OK;
	return t;

uncharge:
	if (job)
		job_uncharge(job, JOB_THREADS, 1);
free_stack:
	if (stack.base) {
		as_free_anon(p->as, stack.base, USER_THREAD_STACK_PAGES);
		process_stack_release(p, stack.base);
	}
	return NULL;
}

void process_kill(process_t *p, int status)
{
	bool irq = spin_lock_irqsave(&process_lock);
	if (!p->killed) {
		p->killed = true;
		p->exit_status = status;
	}
	/* Each thread's run-queue lock orders this against the thread going
	 * to sleep (thread_block_prepare): either it sees `killed`, or it is
	 * blocked by now and woken here. A thread running elsewhere is
	 * interrupted, so it ends at its kernel exit. Under the process lock,
	 * so none of the threads is freed meanwhile. */
	for (unsigned i = 0; i < PROCESS_MAX_THREADS; i++) {
		thread_t *t = p->threads[i];
		if (t)
			thread_kill_wake(t);
	}
	spin_unlock_irqrestore(&process_lock, irq);
}

void process_thread_exited(struct thread *t)
{
	process_t *p = t->proc;
	job_t *job = p->job ? p->job : p->as->job;
	if (job)
		job_uncharge(job, JOB_THREADS, 1);
	process_watch_t *watches = NULL;
	bool irq = spin_lock_irqsave(&process_lock);
	bool orphan = false, last = false;
	if (--p->live_threads == 0) {
		last = true;
		p->state = PROCESS_ZOMBIE;
		if (!p->killed) {
			p->killed = true;
			p->exit_status = t->exit_code;
		}
		waitq_wake_all(&p->exit_waiters);
		orphan = p->orphaned;
		watches = p->watches;
		p->watches = NULL;
		p->watch_count = 0;
	}
	spin_unlock_irqrestore(&process_lock, irq);
	if (last) {
		/* thread_exit runs with interrupts off; what the handles' objects
		 * do when they go (freeing, waking) wants them on. This thread is
		 * still an ordinary runnable one here. Anyone reaping p waits
		 * for it to be dead first (thread_join), so p stays. */
		hal_irq_enable();
		process_close_handles(p);
		hal_irq_save();
	}
	watches_fire(watches, true);
	if (orphan)
		reaper_enqueue(p);
}

void process_check_killed(void)
{
	thread_t *self = thread_current();
	if (self->proc && self->proc->killed)
		thread_exit(self->proc->exit_status);
}

rae_status_t process_join(process_t *p, int *status)
{
	thread_t *self = thread_current();
	for (;;) {
		bool irq = spin_lock_irqsave(&process_lock);
		if (p->state == PROCESS_ZOMBIE) {
			spin_unlock_irqrestore(&process_lock, irq);
			break;
		}
		if ((p->waiter && p->waiter != self) || (self->proc && self->proc->killed)) {
			if (p->waiter == self)
				p->waiter = NULL;
			spin_unlock_irqrestore(&process_lock, irq);
			return p->waiter ? RAE_ERR_INVALID : RAE_ERR_PEER_CLOSED;
		}
		p->waiter = self;
		wait_node_t w;
		waitq_block(&p->exit_waiters, &w, &process_lock, &irq, UINT64_MAX);
		spin_unlock_irqrestore(&process_lock, irq);
	}
	/* Every thread has ended: the first to get here reaps them, then the
	 * address space, handles and mappings. The exit status stays. */
	bool irq = spin_lock_irqsave(&process_lock);
	bool reap = !p->reaping;
	p->reaping = true;
	spin_unlock_irqrestore(&process_lock, irq);
	if (reap) {
		for (unsigned i = 0; i < PROCESS_MAX_THREADS; i++) {
			/* Taken out under the lock, as a thread handle's join does,
			 * so each thread is joined once. */
			irq = spin_lock_irqsave(&process_lock);
			thread_t *t = p->threads[i];
			thread_object_t *o = p->thread_objs[i];
			if (o && o->joining) {
				/* A join in progress frees it (process_thread_join). */
				spin_unlock_irqrestore(&process_lock, irq);
				continue;
			}
			p->threads[i] = NULL;
			p->thread_objs[i] = NULL;
			if (o)
				o->thread = NULL;
			spin_unlock_irqrestore(&process_lock, irq);
			int code = 0;
			if (t)
				thread_join(t, &code);
			if (o)
				thread_object_finish(o, code);
		}
		process_release(p);
		irq = spin_lock_irqsave(&process_lock);
		p->reaped = true;
		spin_unlock_irqrestore(&process_lock, irq);
	}
	if (status)
		*status = p->exit_status;
	return RAE_OK;
}

rae_status_t process_wait(process_t *p, int *status)
{
	rae_status_t st = process_join(p, status);
	if (st == RAE_OK)
		kobject_unref(&p->obj);
	return st;
}

rae_status_t process_thread_join(thread_object_t *o, int *code)
{
	bool irq = spin_lock_irqsave(&process_lock);
	if (o->done) {
		*code = o->exit_code;
		spin_unlock_irqrestore(&process_lock, irq);
		return RAE_OK;
	}
	thread_t *t = o->thread;
	process_t *p = o->proc;
	if (!t || t == thread_current() || o->joining) {
		spin_unlock_irqrestore(&process_lock, irq);
		return RAE_ERR_INVALID; /* itself, or another thread joins it */
	}
	/* The thread stays in its process's table while we wait, so a kill of
	 * its process still wakes it; `joining` keeps the reaper off it. A
	 * joiner in another process keeps the process's struct alive. */
	if (!kobject_tryref(&p->obj)) {
		spin_unlock_irqrestore(&process_lock, irq);
		return RAE_ERR_PEER_CLOSED; /* its process is being torn down */
	}
	o->joining = true;
	spin_unlock_irqrestore(&process_lock, irq);

	rae_status_t st = thread_wait_dead(t, true);
	irq = spin_lock_irqsave(&process_lock);
	o->joining = false;
	/* Given up (the caller was killed): the reaper joins t, unless it has
	 * already passed this slot, in which case t is dead and ours to free. */
	/* Only a joiner of its own process frees the stack now: that process
	 * cannot be reaped meanwhile (its address space goes then anyway). */
	bool reaping = p->reaping || thread_current()->proc != p;
	bool take = st == RAE_OK || reaping;
	process_stack_t stack = {0};
	if (take) {
		p->threads[o->slot] = NULL;
		p->thread_objs[o->slot] = NULL;
		stack = p->thread_stacks[o->slot];
		p->thread_stacks[o->slot] = (process_stack_t){0};
		o->thread = NULL;
	}
	spin_unlock_irqrestore(&process_lock, irq);
	/* A stack the kernel made for it goes with it (all of the process's
	 * memory goes when it is reaped anyway). */
	if (take && stack.base && !reaping) {
		as_free_anon(p->as, stack.base, (stack.top - stack.base) / PAGE_SIZE);
		process_stack_release(p, stack.base);
	}
	if (take) {
		int c = 0;
		if (st == RAE_OK)
			thread_reap(t, &c);
		else
			thread_join(t, &c);
		thread_object_finish(o, c);
		if (st == RAE_OK)
			*code = c;
	}
	kobject_unref(&p->obj);
	return st;
}

uintptr_t process_mmap_reserve(process_t *p, uint64_t pages)
{
	bool irq = spin_lock_irqsave(&process_lock);
	uintptr_t base = p->mmap_next + PAGE_SIZE; /* guard page below */
	if (base >= p->mmap_limit || pages > (p->mmap_limit - base) / PAGE_SIZE) {
		spin_unlock_irqrestore(&process_lock, irq);
		return 0;
	}
	p->mmap_next = base + pages * PAGE_SIZE;
	spin_unlock_irqrestore(&process_lock, irq);
	return base;
}

void process_mmap_unreserve(process_t *p, uintptr_t base, uint64_t pages)
{
	bool irq = spin_lock_irqsave(&process_lock);
	if (p->mmap_next == base + pages * PAGE_SIZE)
		p->mmap_next = base - PAGE_SIZE;
	spin_unlock_irqrestore(&process_lock, irq);
}

/* Whether [va, end) and the stack's [from, to) share a page. */
static bool overlaps(uintptr_t va, uintptr_t end, uintptr_t from, uintptr_t to)
{
	return from < to && va < to && from < end;
}

static rae_status_t stack_check(const process_stack_t *s, uintptr_t va, uintptr_t end,
				unsigned flags)
{
	if (overlaps(va, end, s->guard, s->base))
		return RAE_ERR_ACCESS_DENIED; /* nothing is ever mapped in a guard */
	if ((flags & VM_EXEC) && overlaps(va, end, s->base, s->top))
		return RAE_ERR_ACCESS_DENIED; /* a stack is never executable */
	return RAE_OK;
}

rae_status_t process_check_protect(process_t *p, uintptr_t va, uint64_t pages, unsigned flags)
{
	uintptr_t end = va + pages * PAGE_SIZE;
	bool irq = spin_lock_irqsave(&process_lock);
	rae_status_t st = stack_check(&p->main_stack, va, end, flags);
	for (unsigned i = 0; i < PROCESS_MAX_THREADS && st == RAE_OK; i++)
		st = stack_check(&p->thread_stacks[i], va, end, flags);
	spin_unlock_irqrestore(&process_lock, irq);
	return st;
}

bool process_page_fault(process_t *p, uintptr_t va)
{
	for (unsigned i = 0; i < p->zero_fill_count; i++) {
		if (va >= p->zero_fill[i].base && va < p->zero_fill[i].end)
			return as_fault_in(p->as, va, VM_READ | VM_WRITE, RAE_MEM_USER_IMAGE) ==
			       RAE_OK;
	}
	bool irq = spin_lock_irqsave(&process_lock);
	bool stack = va >= p->main_stack.base && va < p->main_stack.top;
	for (unsigned i = 0; i < PROCESS_MAX_THREADS && !stack; i++) {
		const process_stack_t *s = &p->thread_stacks[i];
		stack = va >= s->base && va < s->top;
	}
	spin_unlock_irqrestore(&process_lock, irq);
	return stack && as_fault_in(p->as, va, VM_READ | VM_WRITE, RAE_MEM_USER_STACKS) == RAE_OK;
}

rae_status_t process_note_mapping(process_t *p, kobject_t *obj, uintptr_t va, uint64_t pages)
{
	bool irq = spin_lock_irqsave(&process_lock);
	for (unsigned i = 0; i < PROCESS_MAX_MAPPINGS; i++) {
		if (!p->mapped[i]) {
			p->mapped[i] = obj;
			p->mapped_va[i] = va;
			p->mapped_pages[i] = pages;
			spin_unlock_irqrestore(&process_lock, irq);
			return RAE_OK;
		}
	}
	spin_unlock_irqrestore(&process_lock, irq);
	return RAE_ERR_LIMIT;
}

rae_status_t process_take_mapping(process_t *p, uintptr_t va, kobject_t **obj, uint64_t *pages)
{
	bool irq = spin_lock_irqsave(&process_lock);
	for (unsigned i = 0; i < PROCESS_MAX_MAPPINGS; i++) {
		if (p->mapped[i] && p->mapped_va[i] == va) {
			*obj = p->mapped[i];
			*pages = p->mapped_pages[i];
			p->mapped[i] = NULL;
			spin_unlock_irqrestore(&process_lock, irq);
			return RAE_OK;
		}
	}
	spin_unlock_irqrestore(&process_lock, irq);
	return RAE_ERR_NOT_FOUND;
}

bool process_has_ended(process_t *p)
{
	bool irq = spin_lock_irqsave(&process_lock);
	bool ended = p->state == PROCESS_ZOMBIE;
	spin_unlock_irqrestore(&process_lock, irq);
	return ended;
}

rae_status_t process_watch(process_t *p, notification_t *n, uint64_t bits)
{
	process_watch_t *w = kmalloc(sizeof(*w));
	if (!w)
		return RAE_ERR_NO_MEMORY;
	process_watch_t *dropped = NULL;
	rae_status_t st = RAE_OK;
	bool irq = spin_lock_irqsave(&process_lock);
	if (p->state == PROCESS_ZOMBIE) {
		spin_unlock_irqrestore(&process_lock, irq);
		kfree(w);
		notification_signal(n, bits);
		return RAE_OK;
	}
	/* A watch whose notification only it still holds can never be seen:
	 * drop it, so watching a long-lived process with short-lived
	 * notifications does not pile them up. Nobody can take a new
	 * reference to an object without one, so a count of 1 stays 1. */
	for (process_watch_t **link = &p->watches; *link;) {
		process_watch_t *x = *link;
		if (__atomic_load_n(&x->n->obj.refcount, __ATOMIC_ACQUIRE) == 1) {
			*link = x->next;
			x->next = dropped;
			dropped = x;
			p->watch_count--;
		} else {
			link = &x->next;
		}
	}
	if (p->watch_count >= PROCESS_MAX_WATCHES) {
		st = RAE_ERR_LIMIT;
	} else {
		kobject_ref(&n->obj);
		w->n = n;
		w->bits = bits;
		w->next = p->watches;
		p->watches = w;
		p->watch_count++;
		w = NULL;
	}
	spin_unlock_irqrestore(&process_lock, irq);
	kfree(w);
	watches_fire(dropped, false);
	return st;
}

/* True when `j` is `root` or below it. Job parents never change. */
static bool job_in_tree(const job_t *j, const job_t *root)
{
	for (; j; j = j->parent) {
		if (j == root)
			return true;
	}
	return false;
}

/* The facts of `p` for a report. process_lock held (so p is listed and its
 * address space and job are there). */
static void process_info_fill(const process_t *p, rae_process_info_t *out)
{
	ASSERT(spin_held(&process_lock));
	memset(out, 0, sizeof(*out));
	out->pid = p->pid;
	out->parent_pid = p->parent_pid;
	out->job_id = p->job ? p->job->id : 0;
	out->pages = p->as ? __atomic_load_n(&p->as->mapped_pages, __ATOMIC_RELAXED) : 0;
	uint64_t ticks = __atomic_load_n(&p->cpu_ticks, __ATOMIC_RELAXED);
	out->cpu_ns = clock_ticks_to_ns(ticks + sched_running_ticks(p));
	out->start_ns = p->start_ns;
	out->threads = p->live_threads;
	out->state = p->state == PROCESS_ZOMBIE ? RAE_PROCESS_EXITED : RAE_PROCESS_RUNNING;
	out->exit_status = p->state == PROCESS_ZOMBIE ? p->exit_status : 0;
	memcpy(out->name, p->name,
	       sizeof(out->name) < sizeof(p->name) ? sizeof(out->name) : sizeof(p->name));
	out->name[sizeof(out->name) - 1] = '\0';
}

void process_info(const process_t *p, rae_process_info_t *out)
{
	bool irq = spin_lock_irqsave(&process_lock);
	process_info_fill(p, out);
	spin_unlock_irqrestore(&process_lock, irq);
}

uint64_t process_list(job_t *job, uint64_t after, rae_process_info_t *out, unsigned max,
		      unsigned *filled)
{
	/* all_processes runs from the newest, highest id down: the last `max`
	 * matches seen are the smallest ids. They are kept in a ring. */
	uint64_t total = 0;
	bool irq = spin_lock_irqsave(&process_lock);
	for (process_t *p = all_processes; p; p = p->next) {
		if (p->pid <= after || !job_in_tree(p->job, job))
			continue;
		if (max)
			process_info_fill(p, &out[total % max]);
		total++;
	}
	spin_unlock_irqrestore(&process_lock, irq);
	unsigned n = total < max ? (unsigned)total : max;
	/* The ring holds them newest first from (total - 1) % max backwards:
	 * rotate it so the smallest id comes first, then reverse. */
	if (n == max && max && total % max) {
		unsigned start = total % max; /* the oldest entry written */
		for (unsigned i = 0; i < start; i++) {
			rae_process_info_t first = out[0];
			memmove(&out[0], &out[1], (max - 1) * sizeof(*out));
			out[max - 1] = first;
		}
	}
	for (unsigned i = 0; i < n / 2; i++) {
		rae_process_info_t x = out[i];
		out[i] = out[n - 1 - i];
		out[n - 1 - i] = x;
	}
	*filled = n;
	return total;
}

process_t *process_find_in_job(job_t *job, uint64_t pid)
{
	process_t *found = NULL;
	bool irq = spin_lock_irqsave(&process_lock);
	for (process_t *p = all_processes; p; p = p->next) {
		if (p->pid != pid)
			continue;
		/* Listed means not yet freed; a count of 0 means it is on its
		 * way out (orphaned): no handle to that. */
		if (job_in_tree(p->job, job) && kobject_tryref(&p->obj))
			found = p;
		break;
	}
	spin_unlock_irqrestore(&process_lock, irq);
	return found;
}

unsigned process_count_alive(void)
{
	unsigned n = 0;
	bool irq = spin_lock_irqsave(&process_lock);
	for (const process_t *p = all_processes; p; p = p->next)
		n += p->state == PROCESS_ALIVE;
	spin_unlock_irqrestore(&process_lock, irq);
	return n;
}
