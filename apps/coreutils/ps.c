/* ps: the processes in the job tree this program was given (its start-up
 * set's RAE_ROLE_JOB handle, which needs READ): RAE_SYS_JOB_PROCESSES
 * lists each with its parent, threads, memory charged to it and CPU time.
 * A program sees its own job and what it started, never more: authority
 * over processes comes only with a job handle. */
#include <stdio.h>
#include <stdlib.h>
#include <rae.h>
#include <rae/process.h>
#include <rae_startup.h>

/* The POSIX runtime's start-up set (lib/posix/crt.c). */
rae_startup_t *rae_posix_startup(void);

#define PAGE_BYTES 4096u

int main(int argc, char **argv)
{
	(void)argv;
	if (argc > 1) {
		fprintf(stderr, "usage: ps\n");
		return 2;
	}
	rae_handle_t job = rae_startup_handle(rae_posix_startup(), RAE_ROLE_JOB);
	if (job == RAE_HANDLE_INVALID) {
		fprintf(stderr, "ps: no job handle: this program was started without one "
				"(RAE_ROLE_JOB), so it may see no processes\n");
		return 1;
	}
	/* Ask, and ask again with room for all when processes came meanwhile. */
	rae_process_info_t *v = NULL;
	uint64_t cap = 32;
	int64_t n;
	for (;;) {
		rae_process_info_t *bigger = realloc(v, cap * sizeof(*v));
		if (!bigger) {
			perror("ps");
			free(v);
			return 1;
		}
		v = bigger;
		n = rae_job_processes(job, v, cap);
		if (n < 0) {
			fprintf(stderr, "ps: job processes: %s\n",
				rae_status_name((rae_status_t)n));
			free(v);
			return 1;
		}
		if ((uint64_t)n <= cap)
			break;
		cap = (uint64_t)n + 8;
	}
	printf("%6s %6s %7s %9s %10s %s\n", "PID", "PPID", "THREADS", "MEM", "CPU-TIME", "NAME");
	for (int64_t i = 0; i < n; i++) {
		const rae_process_info_t *p = &v[i];
		char name[RAE_PROCESS_NAME_MAX];
		snprintf(name, sizeof(name), "%s", p->name);
		uint64_t cs = p->cpu_ns / 10000000ull; /* hundredths of a second */
		char cpu[24];
		snprintf(cpu, sizeof(cpu), "%llu:%02llu.%02llu", (unsigned long long)(cs / 6000),
			 (unsigned long long)(cs / 100 % 60), (unsigned long long)(cs % 100));
		char mem[24];
		snprintf(mem, sizeof(mem), "%lluK",
			 (unsigned long long)(p->pages * PAGE_BYTES / 1024));
		printf("%6llu %6llu %7u %9s %10s %s%s\n", (unsigned long long)p->pid,
		       (unsigned long long)p->parent_pid, p->threads, mem, cpu, name,
		       p->state == RAE_PROCESS_EXITED ? " (exited)" : "");
	}
	free(v);
	return 0;
}
