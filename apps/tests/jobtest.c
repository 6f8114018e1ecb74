/* Job limits from user mode: processes, threads and pages are charged to a
 * job and all its ancestors; going over any limit is RAE_ERR_LIMIT. Exits
 * with the number of failed checks. */
#include <rae.h>

#define NONE UINT64_MAX

static int failures;

static void check(int ok, const char *what)
{
	if (!ok) {
		failures++;
		rae_puts("jobtest: FAILED: ");
		rae_puts(what);
		rae_puts("\n");
	}
}

int main(uint64_t arg)
{
	(void)arg;
	int status;

	/* Two processes at most. */
	rae_handle_t two = RAE_HANDLE_INVALID;
	rae_job_create(0, 2, NONE, NONE, 64, &two);
	check(two > 0, "create a job");
	rae_handle_t a = RAE_HANDLE_INVALID;
	rae_spawn_with("bin/sleeper", 0, two, &a);
	rae_handle_t b = RAE_HANDLE_INVALID;
	rae_spawn_with("bin/sleeper", 0, two, &b);
	check(a > 0 && b > 0, "two processes fit");
	check(rae_sys_spawn_with("bin/sleeper", 0, two) == RAE_ERR_LIMIT,
	      "the third process is over the job's limit");
	rae_kill(a);
	rae_wait(a, &status);
	rae_handle_t c = RAE_HANDLE_INVALID;
	rae_spawn_with("bin/hello", 0, two, &c);
	check(c > 0 && rae_wait(c, &status) == RAE_OK && status == 42,
	      "an ended process frees its place");
	rae_kill(b);
	rae_wait(b, &status);

	/* Three threads: the main one and two more. */
	rae_handle_t three = RAE_HANDLE_INVALID;
	rae_job_create(0, NONE, 3, NONE, 64, &three);
	rae_handle_t t = RAE_HANDLE_INVALID;
	rae_spawn_with("bin/jobthreads", 0, three, &t);
	check(t > 0 && rae_wait(t, &status) == RAE_OK && status == 2,
	      "a job of three threads lets its process create two");

	/* Pages: too few for a program's image and the first page of its
	 * stack (the rest of a stack, and of its bss, comes at first touch). */
	rae_handle_t small = RAE_HANDLE_INVALID;
	rae_job_create(0, NONE, NONE, 2, 64, &small);
	check(rae_sys_spawn_with("bin/hello", 0, small) == RAE_ERR_LIMIT,
	      "a program that needs more pages than the job allows is refused");
	/* A child job cannot escape its parent's limits. */
	rae_handle_t inner = RAE_HANDLE_INVALID;
	rae_job_create(small, NONE, NONE, NONE, 64, &inner);
	check(inner > 0 && rae_sys_spawn_with("bin/hello", 0, inner) == RAE_ERR_LIMIT,
	      "an unlimited child job is still bound by its parent");

	/* Managing a job needs MANAGE. */
	rae_handle_t weak;
	rae_handle_dup(two, RAE_RIGHT_READ, &weak);
	check(rae_sys_spawn_with("bin/hello", 0, weak) == RAE_ERR_ACCESS_DENIED,
	      "spawning needs MANAGE");
	check(rae_sys_job_create((two & ~RAE_HANDLE_INDEX_MASK) | RAE_HANDLE_INDEX_MASK, 1, 1, 1,
				 1) == RAE_ERR_BAD_HANDLE,
	      "a made-up job handle");

	/* Nesting: a job in a job, 100,000 times over. The tree stops at
	 * RAE_JOB_MAX_DEPTH with RAE_ERR_LIMIT; every further try is refused
	 * the same way; closing the handles frees it all (each job holds its
	 * parent, so the last close tears down the whole chain). */
	rae_system_info_t info;
	rae_system_info(&info);
	uint64_t free_before = info.free_pages;
	int64_t outer = rae_sys_job_create(0, NONE, NONE, NONE, 64), cur = outer;
	unsigned made = 1, refused = 0, other = 0;
	for (unsigned i = 0; i < 100000; i++) {
		int64_t next = rae_sys_job_create((rae_handle_t)cur, NONE, NONE, NONE, 64);
		if (next > 0) {
			made++;
			/* Keep only the innermost handle. */
			if (cur != outer)
				rae_handle_close((rae_handle_t)cur);
			cur = next;
		} else if (next == RAE_ERR_LIMIT) {
			refused++;
		} else {
			other++;
		}
	}
	rae_printf("jobtest: %u nested jobs made, %u refused with RAE_ERR_LIMIT\n", made, refused);
	check(made >= 2 && made < RAE_JOB_MAX_DEPTH + 1, "nesting stops at RAE_JOB_MAX_DEPTH");
	check(refused + made == 100001 && other == 0, "every deeper job is RAE_ERR_LIMIT");
	rae_handle_close((rae_handle_t)outer);
	rae_handle_close((rae_handle_t)cur);
	rae_system_info(&info);
	check(info.free_pages + 8 >= free_before, "the nested jobs' memory comes back");

	rae_puts(failures ? "jobtest: some checks failed\n" : "jobtest: all checks passed\n");
	return failures;
}
