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

/* RAE_SYS_SYSTEM_INFO (info): facts any process may know. */
typedef struct {
	uint64_t page_size;
	uint64_t total_pages;  /* usable RAM */
	uint64_t free_pages;   /* free in the page allocator now */
	uint64_t kernel_pages; /* held by the kernel's heap and tables */
	uint64_t uptime_ns;    /* monotonic time since boot */
	uint32_t cpus;         /* CPUs online */
	uint32_t processes;    /* processes alive */
	char version[32];      /* "RaeCore 0.x" */
	char machine[16];      /* "x86_64" */
} rae_system_info_t;

#endif
