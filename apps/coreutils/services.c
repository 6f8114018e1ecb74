/* services: prints the service manager's table (name, state, pid,
 * restarts, hangs: instances killed by the health check, uptime, last exit
 * status) through the name service's LIST;
 * "services kill NAME" kills a service's instance, for its operators
 * (abi/rae/services.h). It needs the name-service handle at start (role
 * RAE_ROLE_SERVICES), which the manager gives every service and the shell
 * passes on to its commands. Output goes to standard output, so it comes
 * in order with the shell's own. */
#include <stdio.h>
#include <string.h>
#include <rae_services.h>
#include <rae_startup.h>

#define TIMEOUT_NS 5000000000ull

/* The POSIX runtime's start-up set (lib/posix/crt.c). */
rae_startup_t *rae_posix_startup(void);

static void print_row(const rae_svc_info_t *r)
{
	char pid[24] = "-", up[32] = "-", last[16] = "-";
	if (r->pid)
		snprintf(pid, sizeof(pid), "%llu", (unsigned long long)r->pid);
	if (r->uptime_ns)
		snprintf(up, sizeof(up), "%llu.%03llu s",
			 (unsigned long long)(r->uptime_ns / 1000000000ull),
			 (unsigned long long)(r->uptime_ns / 1000000ull % 1000));
	if (r->last_exit != -1)
		snprintf(last, sizeof(last), "%#x", (unsigned)r->last_exit);
	printf("%-20s %-8s %6s %8u %5u %12s %9s\n", r->name, rae_svc_state_name(r->state), pid,
	       r->restarts, r->hangs, up, last);
}

int main(int argc, char **argv)
{
	static rae_svc_info_t rows[RAE_SVC_LIST_MAX];
	rae_handle_t svc = rae_startup_handle(rae_posix_startup(), RAE_ROLE_SERVICES);
	if (svc == RAE_HANDLE_INVALID) {
		fprintf(stderr, "services: no handle to the service manager (RAE_ROLE_SERVICES)\n");
		return 1;
	}
	if (argc == 3 && strcmp(argv[1], "kill") == 0) {
		rae_status_t st = rae_service_kill(svc, argv[2], TIMEOUT_NS);
		if (st != RAE_OK) {
			fprintf(stderr, "services: kill %s: %s\n", argv[2], rae_status_name(st));
			return 1;
		}
		return 0;
	}
	if (argc > 1) {
		fprintf(stderr, "usage: services [kill NAME]\n");
		return 2;
	}
	printf("%-20s %-8s %6s %8s %5s %12s %9s\n", "NAME", "STATE", "PID", "RESTARTS", "HANGS",
	       "UPTIME", "LAST-EXIT");
	unsigned first = 0, total = 0;
	do {
		int64_t got =
		    rae_service_list(svc, first, rows, RAE_SVC_LIST_MAX, &total, TIMEOUT_NS);
		if (got < 0) {
			fprintf(stderr, "services: the service manager did not answer: %s\n",
				rae_status_name((rae_status_t)got));
			return 1;
		}
		if (got == 0)
			break;
		for (int64_t i = 0; i < got; i++)
			print_row(&rows[i]);
		first += (unsigned)got;
	} while (first < total);
	return 0;
}
