/* Processes: an address space, its threads, an exit status, a parent that
 * waits for it. Loaded from ELF executables in the initrd. */
#ifndef PROC_PROCESS_H
#define PROC_PROCESS_H

#include <stdbool.h>
#include <stdint.h>
#include <sched/waitq.h>
#include <compiler.h>
#include <object/handle_table.h>
#include <object/object.h>
#include <proc/address_space.h>
#include <rae/process.h>
#include <rae/status.h>

#define PROCESS_NAME_MAX      32
#define PROCESS_MAX_THREADS   64
#define PROCESS_MAX_MAPPINGS  64
#define PROCESS_MAX_ZERO_FILL 4 /* writable segments filled on demand */
/* Stacks grow on demand: a page of each is mapped when it is made, the rest
 * by the page-fault handler at the first touch (process_page_fault), so a
 * thread pays for the stack it uses, not the most it may use. */
#define USER_STACK_COMMIT_PAGES 1  /* mapped when a stack is made */
#define USER_THREAD_STACK_PAGES 16 /* 64 KiB per extra thread, at most */
/* The main stack: up to 8 MiB, and below it a gap no other mapping may
 * enter (the mmap area ends below both). */
#define USER_STACK_RESERVE (8ull << 20)
#define USER_STACK_GAP     (1ull << 20)

/* A stack the kernel made: [guard, base) is never mapped, [base, top) is
 * mapped page by page as the thread reaches it and never executable. */
typedef struct process_stack {
	uintptr_t guard, base, top; /* all 0: none */
} process_stack_t;

struct thread;
struct job;
struct notification;
struct process_watch;

/* Notifications one process may have waiting for its end at once
 * (PROCESS_WATCH; watches nobody else can see any more are dropped first). */
#define PROCESS_MAX_WATCHES 64

typedef enum { PROCESS_ALIVE, PROCESS_ZOMBIE } process_state_t;

typedef struct process {
	/* A kernel object (RAE_OBJ_PROCESS): whoever created it holds one
	 * reference, each handle another. Its resources go when it is reaped
	 * (process_join, or the reaper once nobody holds it), the struct with
	 * the last reference. */
	kobject_t obj;
	bool reaping, reaped; /* guarded by process_lock */
	bool orphaned;        /* no references left before it was reaped */
	struct process *reap_next;
	unsigned pid;
	char name[PROCESS_NAME_MAX];
	address_space_t *as;
	struct process *parent; /* NULL when the kernel started it; may be gone */
	unsigned parent_pid;    /* its id (0: the kernel), kept for reports */
	uint64_t start_ns;      /* monotonic time of creation */
	/* Timestamp ticks its threads ran, ended ones included, and servers
	 * ran its calls on their lent context; added at each accounted switch
	 * (sched.c); atomic. */
	uint64_t cpu_ticks;
	/* Started by the kernel itself (the first process; test programs in
	 * test mode): only such a process may spawn by initrd path, since it
	 * holds the initrd anyway; set at creation, never changes (parent
	 * may go away; this does not). */
	bool kernel_started;
	/* Guarded by process_lock: */
	process_state_t state;
	int exit_status;
	volatile bool killed; /* every thread leaves at its next kernel exit */
	unsigned live_threads;
	struct thread *threads[PROCESS_MAX_THREADS]; /* not yet joined */
	/* The thread object of each (NULL for the main thread): the process
	 * holds one reference until the thread is joined. */
	struct thread_object *thread_objs[PROCESS_MAX_THREADS];
	struct thread *waiter; /* the one thread that may wait in process_join */
	waitq_t exit_waiters;  /* where it waits; woken at the last thread's end */
	/* Notifications to signal when it ends (PROCESS_WATCH); each holds a
	 * reference to its notification, none to the process. */
	struct process_watch *watches;
	unsigned watch_count;
	struct process *next; /* all processes */
	struct job *job;      /* charged for this process, its threads, its pages;
				* referenced until the struct is freed */
	bool job_released;    /* its JOB_PROCESSES charge given back (reaped) */
	/* Capabilities: every object this process may use. Once the process
	 * runs, reached only through proc/handles.h, which takes the lock. */
	spinlock_t handles_lock;
	handle_table_t handles; /* guarded by handles_lock */
	/* Memory objects mapped here (each mapping holds a reference), and
	 * where: mapped_va[i] for mapped_pages[i] pages. */
	kobject_t *mapped[PROCESS_MAX_MAPPINGS];     /* guarded by process_lock */
	uintptr_t mapped_va[PROCESS_MAX_MAPPINGS];   /* guarded by process_lock */
	uint64_t mapped_pages[PROCESS_MAX_MAPPINGS]; /* guarded by process_lock */
	/* Layout, chosen at random at spawn (ASLR). The mmap area is
	 * [mmap_base, mmap_limit), handed out from mmap_next up (guarded by
	 * process_lock); it ends below the main stack's reserve and gap. */
	uintptr_t image_base, stack_top, mmap_base, mmap_next, mmap_limit;
	/* The stacks the kernel made: the main one, and each thread's it
	 * mapped (THREAD_CREATE with stack 0), by thread slot. VM_PROTECT
	 * checks them (process_check_protect), whatever the layout. Guarded
	 * by process_lock. */
	process_stack_t main_stack;
	process_stack_t thread_stacks[PROCESS_MAX_THREADS];
	/* The zero-filled tails of the image's writable segments (bss past
	 * the last page with file data): mapped page by page at first touch
	 * (process_page_fault). Set at spawn before any thread runs, then
	 * never changed, so read without a lock. */
	struct {
		uintptr_t base, end;
	} zero_fill[PROCESS_MAX_ZERO_FILL];
	unsigned zero_fill_count;
	/* Ranges of joined threads' stacks (their pages freed, page tables
	 * kept), reused first by the next threads, so a process that keeps
	 * making threads does not keep growing. Guarded by process_lock. */
	uintptr_t spare_stacks[PROCESS_MAX_THREADS];
	unsigned spare_stack_count;
	/* I/O ports this process may use (object/ioport.h): NULL until it
	 * enables an I/O port object; io_seq changes with every change. Both
	 * guarded by ioport.c's lock; read without it at thread switches. */
	uint8_t *io_bitmap;
	uint64_t io_seq;
} process_t;

/* Loads the ELF executable at `path` in the initrd into a new process and
 * starts its main thread. Returns the process, or NULL with *status set
 * (RAE_ERR_NOT_FOUND, RAE_ERR_INVALID/TRUNCATED/UNSUPPORTED for a bad ELF,
 * with a message printed, RAE_ERR_NO_MEMORY). */
process_t *process_spawn(const char *path, process_t *parent, rae_status_t *status);

/* As process_spawn; the object `give` (if not NULL, with `rights` and
 * `badge`) becomes the child's first handle, and its value is the main
 * thread's argument. Takes over the caller's reference on `give`. The
 * process goes in `job` (NULL: the parent's job, or the root job), which
 * is charged for it, its threads and its pages: RAE_ERR_LIMIT when over. */
process_t *process_spawn_with(const char *path, process_t *parent, kobject_t *give, uint32_t rights,
			      uint64_t badge, struct job *job, rae_status_t *status);

/* An executable to load: a file in the initrd (`flat`, `size` bytes), or
 * `size` bytes at `offset` in a memory object of RAM pages (`mem`, whose
 * reference the caller holds until process_spawn_image returns). */
struct memory_object;
typedef struct {
	const uint8_t *flat;
	struct memory_object *mem;
	uint64_t offset, size;
} exec_image_t;

/* As process_spawn_with, from `src`, naming the process `name` (cut to
 * PROCESS_NAME_MAX - 1 bytes). */
process_t *process_spawn_image(const exec_image_t *src, const char *name, process_t *parent,
			       kobject_t *give, uint32_t rights, uint64_t badge, struct job *job,
			       rae_status_t *status);

/* Waits for `p` to end, reaps it (threads, address space, handles: all
 * but the exit status) if nobody did yet, and stores its exit status.
 * Waiting again gives the same status. RAE_ERR_INVALID if another thread
 * is waiting for it. The caller holds a reference. */
rae_status_t process_join(process_t *p, int *status);

/* process_join, then drops the caller's reference (from process_spawn). */
rae_status_t process_wait(process_t *p, int *status);

/* Ends process `p` with `status`: its threads leave at their next kernel
 * exit (sleepers are woken). The first status set wins. */
void process_kill(process_t *p, int status);

/* Called by a user thread that ends (thread_exit). */
void process_thread_exited(struct thread *t);

/* A user thread as a kernel object (RAE_OBJ_THREAD), what a thread handle
 * names: the thread until it is joined, then its exit code. */
typedef struct thread_object {
	kobject_t obj;
	/* Guarded by process_lock: */
	struct thread *thread; /* NULL once taken for joining */
	process_t *proc;       /* the thread's process, while `thread` is set */
	unsigned slot;         /* its place in proc->threads */
	bool joining;          /* a THREAD_JOIN waits for it (the reaper leaves it) */
	bool done;
	int exit_code;
} thread_object_t;

/* Creates a user thread in `p` starting at `entry` with `arg` in rdi, on
 * `stack_top` (0: a fresh stack with a guard page in the mmap area). With
 * `obj` not NULL, the thread gets a thread object and *obj a reference to
 * it for the caller. */
struct thread *process_thread_create(process_t *p, uintptr_t entry, uintptr_t arg,
				     uintptr_t stack_top, kobject_t **obj, rae_status_t *status);

/* Waits for the thread of `o` to end and frees it (and the stack the
 * kernel mapped for it, when the joiner is of the same process; else that
 * goes with the process), then gives its exit code; again later, the same
 * code. RAE_ERR_PEER_CLOSED when the caller is killed while it waits. RAE_ERR_INVALID for the caller itself
 * or while another thread is joining it. */
rae_status_t process_thread_join(thread_object_t *o, int *code);

/* Reserves `pages` of the process's mmap area (a guard page below) and
 * returns the start, or 0 when the area has no room left (it never grows
 * into a stack or its gap). */
uintptr_t process_mmap_reserve(process_t *p, uint64_t pages);
/* Gives back a reservation that failed before anyone saw it, if nothing
 * was reserved after it (so a refused call leaves the area as it was). */
void process_mmap_unreserve(process_t *p, uintptr_t base, uint64_t pages);
/* Whether `flags` (VM_*) may be given to [va, va + pages pages) of p's
 * mmap area: RAE_ERR_ACCESS_DENIED for VM_EXEC on a stack the kernel made
 * or for mapping anything into a stack's guard; RAE_OK otherwise. */
rae_status_t process_check_protect(process_t *p, uintptr_t va, uint64_t pages, unsigned flags);
/* A fault on the absent page at `va` in p's address space: if `va` lies in
 * one of the stacks the kernel made for p or in the zero-filled part of
 * its image, maps a zeroed read-write page there and returns true (the
 * faulting access may be retried); false otherwise (anywhere else, or no
 * memory or job pages left). Takes process_lock and the space's locks:
 * call with no spinlock held. */
bool process_page_fault(process_t *p, uintptr_t va);
/* Records a mapping of `pages` pages at `va` holding a reference on `obj`
 * (dropped by process_take_mapping or when the process ends).
 * RAE_ERR_LIMIT when the process has PROCESS_MAX_MAPPINGS already. */
rae_status_t process_note_mapping(process_t *p, kobject_t *obj, uintptr_t va, uint64_t pages);
/* Removes the record of the mapping that starts at `va`, handing its
 * reference to *obj and its size to *pages. RAE_ERR_NOT_FOUND if no
 * mapping starts there. */
rae_status_t process_take_mapping(process_t *p, uintptr_t va, kobject_t **obj, uint64_t *pages);

/* True once every thread of `p` has ended (the caller holds a reference). */
bool process_has_ended(process_t *p);

/* Signals `bits` on `n` when `p` ends, at once if it has. The watch holds
 * a reference to n, none to p. RAE_ERR_LIMIT when p has
 * PROCESS_MAX_WATCHES watches whose notifications others still hold,
 * RAE_ERR_NO_MEMORY. */
rae_status_t process_watch(process_t *p, struct notification *n, uint64_t bits);

/* The facts of one process (a reference held). Takes process_lock. */
void process_info(const process_t *p, rae_process_info_t *out);

/* Copies the facts of up to `max` processes in `job`'s tree with ids above
 * `after`, smallest ids first, into out (rae_process_info_t, rae/process.h)
 * and returns how many there are in all in the tree with ids above `after`.
 * Takes process_lock. */
uint64_t process_list(struct job *job, uint64_t after, rae_process_info_t *out, unsigned max,
		      unsigned *filled);

/* A new reference to the process with id `pid` if it is in `job`'s tree
 * and someone still holds it; NULL otherwise. */
process_t *process_find_in_job(struct job *job, uint64_t pid);

/* Processes whose threads have not all ended. */
unsigned process_count_alive(void);

/* Starts the reaper, the kernel thread that cleans up after processes
 * nobody holds any more. Once, at boot, after the scheduler. */
void process_init(void);

/* If the calling thread's process was killed, ends the thread. */
void process_check_killed(void);

#endif
