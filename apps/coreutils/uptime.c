/* uptime: how long the system has run (RAE_SYS_SYSTEM_INFO's monotonic
 * clock), how many processes are alive and how many CPUs are online. */
#include <stdio.h>
#include <rae.h>
#include <rae/process.h>

int main(int argc, char **argv)
{
	(void)argv;
	if (argc > 1) {
		fprintf(stderr, "usage: uptime\n");
		return 2;
	}
	rae_system_info_t info;
	int64_t st = rae_system_info(&info);
	if (st != RAE_OK) {
		fprintf(stderr, "uptime: system information: %s\n",
			rae_status_name((rae_status_t)st));
		return 1;
	}
	uint64_t s = info.uptime_ns / 1000000000ull;
	uint64_t days = s / 86400;
	printf("up ");
	if (days)
		printf("%llu day%s, ", (unsigned long long)days, days == 1 ? "" : "s");
	printf("%llu:%02llu:%02llu, %u process%s, %u CPU%s\n",
	       (unsigned long long)(s % 86400 / 3600), (unsigned long long)(s % 3600 / 60),
	       (unsigned long long)(s % 60), info.processes, info.processes == 1 ? "" : "es",
	       info.cpus, info.cpus == 1 ? "" : "s");
	return 0;
}
