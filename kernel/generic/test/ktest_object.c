/* Kernel tests of object lifetimes: a chain of objects a program could
 * build, each holding the next, is destroyed without the kernel stack
 * growing with its length; jobs nest only so deep. */
#include <console/kprintf.h>
#include <mm/kmalloc.h>
#include <mm/pmm.h>
#include <object/job.h>
#include <object/object.h>
#include <rae/syscall.h>
#include <test/ktest.h>

/* An object that holds a reference to the next, as a job holds its parent
 * or a message the objects it carries. */
typedef struct chain_link {
	kobject_t obj;
	kobject_t *next;
} chain_link_t;

static unsigned chain_destroyed;

static void chain_link_destroy(kobject_t *o)
{
	chain_link_t *l = (chain_link_t *)o;
	chain_destroyed++;
	if (l->next)
		kobject_unref(l->next);
	kfree(l);
}

/* 100,000 links: recursing once per link would need megabytes of stack,
 * where a kernel stack has a few pages with a guard page below. */
KTEST(object_chain_release_is_iterative)
{
	enum { LINKS = 100000 };
	pmm_stats_t before, after;
	pmm_stats(&before);
	kobject_t *head = NULL;
	unsigned made = 0;
	for (; made < LINKS; made++) {
		chain_link_t *l = kzalloc(sizeof(*l));
		if (!l)
			break;
		kobject_init(&l->obj, RAE_OBJ_RESOURCE, chain_link_destroy);
		l->next = head; /* takes over the reference to the older links */
		head = &l->obj;
	}
	KTEST_EXPECT_EQ(t, made, LINKS);
	chain_destroyed = 0;
	if (head)
		kobject_unref(head);
	KTEST_EXPECT_EQ(t, chain_destroyed, made);
	pmm_stats(&after);
	kprintf("# %u links; free pages before %lu, after %lu\n", made, before.free_pages,
		after.free_pages);
	KTEST_EXPECT(t, after.free_pages + 8 >= before.free_pages);
}

/* Jobs nest RAE_JOB_MAX_DEPTH deep below the root and no deeper; asking
 * 100,000 times more changes nothing; the whole tree goes with its last
 * handle. */
KTEST(object_job_depth_is_limited)
{
	enum { TRIES = 100000 };
	pmm_stats_t before, after;
	pmm_stats(&before);
	job_t *j = &job_root, *deepest = NULL;
	kobject_ref(&job_root.obj);
	unsigned depth = 0, refused = 0;
	for (unsigned i = 0; i < TRIES; i++) {
		rae_status_t st;
		job_t *child = job_create(j, JOB_UNLIMITED, JOB_UNLIMITED, JOB_UNLIMITED, 64, &st);
		if (!child) {
			refused += st == RAE_ERR_LIMIT;
			continue;
		}
		depth++;
		/* Keep only the newest: each job holds its parent. */
		kobject_unref(&j->obj);
		j = deepest = child;
	}
	KTEST_EXPECT_EQ(t, depth, RAE_JOB_MAX_DEPTH);
	KTEST_EXPECT_EQ(t, refused, TRIES - RAE_JOB_MAX_DEPTH);
	KTEST_EXPECT(t, deepest && deepest->depth == RAE_JOB_MAX_DEPTH);
	kobject_unref(&j->obj);
	pmm_stats(&after);
	KTEST_EXPECT(t, after.free_pages + 8 >= before.free_pages);
}
