/* What a job's holder can learn about the processes in its job tree, and
 * what any process can learn about the system (RAE_SYS_JOB_PROCESSES,
 * _JOB_PROCESS, _SYSTEM_INFO, _PROCESS_WATCH). Stable ABI. */
#ifndef RAE_PROCESS_H
#define RAE_PROCESS_H

#include <stdint.h>

#define RAE_PROCESS_NAME_MAX 32 /* bytes of a name, with its NUL */

/* Process states. */
#define RAE_PROCESS_RUNNING 0
#define RAE_PROCESS_EXITED  1 /* ended; kept while handles to it remain */

/*
 * RAE_SYS_JOB_PROCESSES (job h with READ, buf, count): fills buf with up to
 * count entries, one per process in the job and in every job below it,
 * in process-id order, and returns how many processes there are (which may
 * be more than count: ask again with a bigger buffer).
 */
typedef struct {
	uint64_t pid;
	uint64_t parent_pid; /* 0: started by the kernel */
	uint64_t job_id;
	uint64_t pages;    /* user pages charged to it */
	uint64_t cpu_ns;   /* CPU time of all its threads, ended ones included, and of the
			    * calls they made to servers that ran on their context */
	uint64_t start_ns; /* monotonic time of its creation */
	uint32_t threads;  /* threads alive */
	uint32_t state;    /* RAE_PROCESS_* */
	int32_t exit_status;
	uint32_t reserved;
	char name[RAE_PROCESS_NAME_MAX];
} rae_process_info_t;

/*
 * RAE_SYS_JOB_PROCESS (job h with MANAGE, pid): a handle (READ, WAIT,
 * MANAGE, DUPLICATE, TRANSFER) to the process with that id if it is in the
 * job's tree; RAE_ERR_NOT_FOUND otherwise. Authority over a job is
 * authority over every process in it, and over nothing else.
 *
 * RAE_SYS_PROCESS_WATCH (process h with WAIT, notification h with SIGNAL,
 * bits): the kernel signals bits on the notification when the process ends
 * (at once if it has). One watch per call; it holds the notification, not
 * the process.
 */

/*
 * Memory by use, as rae_system_info_t.mem_pages counts it: every page of
 * usable RAM is in exactly one of these at any moment, so they add up to
 * total_pages. New uses take the next free index; mem_uses says how many
 * this kernel fills, and a program reads no further than
 * min(mem_uses, the RAE_MEM_USES it was built with).
 */
#define RAE_MEM_RESERVED      0  /* usable RAM the kernel never manages: the first MiB */
#define RAE_MEM_FREE          1  /* free in the page allocator */
#define RAE_MEM_KERNEL_IMAGE  2  /* the kernel's code, data and bss */
#define RAE_MEM_PAGE_DB       3  /* the page frame database: one entry per page of RAM */
#define RAE_MEM_KERNEL_HEAP   4  /* slab caches and kmalloc */
#define RAE_MEM_KERNEL_STACKS 5  /* kernel stacks of threads and CPUs */
#define RAE_MEM_PAGE_TABLES   6  /* the kernel's and every process's page tables */
#define RAE_MEM_KERNEL_OTHER  7  /* other kernel pages (CPU start-up code, tests) */
#define RAE_MEM_USER_IMAGE    8  /* programs' loaded segments */
#define RAE_MEM_USER_STACKS   9  /* user threads' stacks */
#define RAE_MEM_USER_ANON     10 /* other private user pages: heaps, VM_ALLOCATE */
#define RAE_MEM_OBJECTS       11 /* memory objects' pages: shared memory, files */
#define RAE_MEM_INITRD        12 /* the boot modules: the initrd */
#define RAE_MEM_FRAMEBUFFER   13 /* a framebuffer the loader put in RAM */
#define RAE_MEM_USES          14
#define RAE_MEM_USE_SLOTS     32 /* room in mem_pages for uses yet to come */

/* Short names, index by index, as `free` prints them. */
#define RAE_MEM_USE_NAMES                                                                          \
	{                                                                                          \
		"Reserved", "MemFree", "KernelImage", "PageDB", "KernelHeap", "KernelStack",       \
		    "PageTables", "KernelOther", "UserImage", "UserStack", "UserAnon",             \
		    "MemObjects", "Initrd", "Framebuffer"                                          \
	}

/* RAE_SYS_SYSTEM_INFO (info): facts any process may know. */
typedef struct {
	uint64_t page_size;
	uint64_t total_pages;  /* usable RAM */
	uint64_t free_pages;   /* free in the page allocator now */
	uint64_t kernel_pages; /* the kernel's: KERNEL_*, PAGE_DB and PAGE_TABLES uses */
	uint64_t uptime_ns;    /* monotonic time since boot */
	uint32_t cpus;         /* CPUs online */
	uint32_t processes;    /* processes alive */
	char version[32];      /* "RaeCore 0.x" */
	char machine[16];      /* "x86_64" */
	uint32_t mem_uses;     /* entries of mem_pages filled: RAE_MEM_USES of the kernel */
	uint32_t reserved;
	uint64_t mem_pages[RAE_MEM_USE_SLOTS]; /* pages by use, RAE_MEM_* */
} rae_system_info_t;

#endif
