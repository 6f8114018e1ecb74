/* Jobs: a tree of process groups with resource limits. Every process is in
 * a job; creating a process or thread and mapping user pages is charged to
 * the process's job and every ancestor, and fails with RAE_ERR_LIMIT when
 * any of them would go over its limit. */
#ifndef OBJECT_JOB_H
#define OBJECT_JOB_H

#include <object/object.h>
#include <rae/status.h>
#include <sync/spinlock.h>

typedef enum { JOB_PROCESSES, JOB_THREADS, JOB_PAGES, JOB_RESOURCE_COUNT } job_resource_t;

#define JOB_UNLIMITED UINT64_MAX

typedef struct job {
	kobject_t obj;
	uint64_t id;        /* 1 for the root job, then counting up; never reused */
	struct job *parent; /* holds a reference; NULL for the root job */
	uint64_t limit[JOB_RESOURCE_COUNT];
	uint64_t used[JOB_RESOURCE_COUNT]; /* guarded by job_lock (one for all jobs) */
	uint32_t max_handles;              /* per process in this job */
	uint32_t depth;                    /* 0 for the root job, its parent's + 1 */
} job_t;

/* The job every kernel-started process belongs to: no limits. */
extern job_t job_root;

/* A child job of `parent` with the given limits (JOB_UNLIMITED for none);
 * NULL with *status RAE_ERR_LIMIT when parent is RAE_JOB_MAX_DEPTH deep
 * already, RAE_ERR_NO_MEMORY when out of memory. */
job_t *job_create(job_t *parent, uint64_t max_processes, uint64_t max_threads, uint64_t max_pages,
		  uint32_t max_handles, rae_status_t *status);

/* Charges `n` of `r` to `j` and its ancestors: RAE_OK, or RAE_ERR_LIMIT
 * (nothing charged) when one would go over. */
rae_status_t job_charge(job_t *j, job_resource_t r, uint64_t n);
void job_uncharge(job_t *j, job_resource_t r, uint64_t n);

#endif
