/* Jobs and their resource accounting (object/job.h). One lock guards the
 * usage counters of every job: charges walk a short ancestor chain. */
#include <mm/kmalloc.h>
#include <object/job.h>
#include <rae/handle.h>
#include <rae/syscall.h>
#include <sync/lock_levels.h>

static spinlock_t job_lock = SPINLOCK_INIT("jobs", LOCK_LEVEL_JOB);
static uint64_t next_job_id = 2; /* atomic; the root job is 1 */

static void job_root_destroy(kobject_t *o)
{
	(void)o; /* the root job lives as long as the kernel */
}

job_t job_root = {
    .obj = {.type = RAE_OBJ_JOB, .refcount = 1, .destroy = job_root_destroy},
    .id = 1,
    .limit = {JOB_UNLIMITED, JOB_UNLIMITED, JOB_UNLIMITED},
    .max_handles = 1024,
};

static void job_destroy(kobject_t *o)
{
	job_t *j = (job_t *)o;
	if (j->parent)
		kobject_unref(&j->parent->obj);
	kfree(j);
}

job_t *job_create(job_t *parent, uint64_t max_processes, uint64_t max_threads, uint64_t max_pages,
		  uint32_t max_handles, rae_status_t *status)
{
	if (parent->depth >= RAE_JOB_MAX_DEPTH) {
		*status = RAE_ERR_LIMIT;
		return NULL;
	}
	job_t *j = kzalloc(sizeof(*j));
	if (!j) {
		*status = RAE_ERR_NO_MEMORY;
		return NULL;
	}
	kobject_init(&j->obj, RAE_OBJ_JOB, job_destroy);
	j->id = __atomic_fetch_add(&next_job_id, 1, __ATOMIC_RELAXED);
	kobject_ref(&parent->obj);
	j->parent = parent;
	j->depth = parent->depth + 1;
	j->limit[JOB_PROCESSES] = max_processes;
	j->limit[JOB_THREADS] = max_threads;
	j->limit[JOB_PAGES] = max_pages;
	/* A child job never allows more handles per process than its parent. */
	j->max_handles = max_handles < parent->max_handles ? max_handles : parent->max_handles;
	*status = RAE_OK;
	return j;
}

rae_status_t job_charge(job_t *j, job_resource_t r, uint64_t n)
{
	bool irq = spin_lock_irqsave(&job_lock);
	for (job_t *a = j; a; a = a->parent) {
		if (a->limit[r] != JOB_UNLIMITED &&
		    (n > a->limit[r] || a->used[r] > a->limit[r] - n)) {
			spin_unlock_irqrestore(&job_lock, irq);
			return RAE_ERR_LIMIT;
		}
	}
	for (job_t *a = j; a; a = a->parent)
		a->used[r] += n;
	spin_unlock_irqrestore(&job_lock, irq);
	return RAE_OK;
}

void job_uncharge(job_t *j, job_resource_t r, uint64_t n)
{
	bool irq = spin_lock_irqsave(&job_lock);
	for (job_t *a = j; a; a = a->parent)
		a->used[r] -= n <= a->used[r] ? n : a->used[r];
	spin_unlock_irqrestore(&job_lock, irq);
}
