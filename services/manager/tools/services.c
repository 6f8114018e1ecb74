/* bin/services: prints the service manager's table (name, state, pid,
 * restarts, uptime, last exit status) through the name service's LIST. It
 * needs the name-service handle at start (role RAE_ROLE_SERVICES).
 * "services kill NAME" kills a service's instance, for its operators. */
#include <lib/format.h>
#include <rae_services.h>

#define TIMEOUT_NS 5000000000ull

static void print_row(const rae_svc_info_t *r)
{
	char pid[24] = "-", up[32] = "-", last[16] = "-";
	if (r->pid)
		ksnprintf(pid, sizeof(pid), "%llu", (unsigned long long)r->pid);
	if (r->uptime_ns)
		ksnprintf(up, sizeof(up), "%llu.%03llu s",
			  (unsigned long long)(r->uptime_ns / 1000000000ull),
			  (unsigned long long)(r->uptime_ns / 1000000ull % 1000));
	if (r->last_exit != -1)
		ksnprintf(last, sizeof(last), "%#x", (unsigned)r->last_exit);
	rae_printf("%-20s %-8s %6s %8u %12s %9s\n", r->name, rae_svc_state_name(r->state), pid,
		   r->restarts, up, last);
}

int main(uint64_t arg)
{
	static rae_startup_t s;
	static rae_svc_info_t rows[RAE_SVC_LIST_MAX];
	rae_handle_t svc = RAE_HANDLE_INVALID;
	if (arg && rae_startup_receive((rae_handle_t)arg, &s, TIMEOUT_NS) == RAE_OK)
		svc = rae_startup_take(&s, RAE_ROLE_SERVICES);
	if (svc == RAE_HANDLE_INVALID) {
		rae_printf("services: no handle to the service manager\n");
		return 1;
	}
	if (s.argc == 3 && strcmp(s.argv[1], "kill") == 0) {
		rae_status_t st = rae_service_kill(svc, s.argv[2], TIMEOUT_NS);
		if (st != RAE_OK) {
			rae_printf("services: kill %s: %s\n", s.argv[2], rae_status_name(st));
			return 1;
		}
		return 0;
	}
	if (s.argc > 1) {
		rae_printf("usage: services [kill NAME]\n");
		return 2;
	}
	rae_printf("%-20s %-8s %6s %8s %12s %9s\n", "NAME", "STATE", "PID", "RESTARTS", "UPTIME",
		   "LAST-EXIT");
	unsigned first = 0, total = 0;
	do {
		int64_t got =
		    rae_service_list(svc, first, rows, RAE_SVC_LIST_MAX, &total, TIMEOUT_NS);
		if (got < 0) {
			rae_printf("services: the service manager did not answer: %s\n",
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
