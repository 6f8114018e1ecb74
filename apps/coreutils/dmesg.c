/* dmesg: prints the kernel log, the whole ring (RAE_KLOG_SIZE bytes of
 * the newest output). Only the console service holds the kernel's log
 * handle; it reads for any client (RAE_CONSOLE_LOG_READ), through the
 * start-up set's RAE_ROLE_CONSOLE handle. */
#include <stdio.h>
#include <rae_console.h>
#include <rae_startup.h>

/* The POSIX runtime's start-up set (lib/posix/crt.c). */
rae_startup_t *rae_posix_startup(void);

/* The ring, read whole before any of it is printed: printed as it came,
 * output that itself lands in the log (standard output on the kernel's
 * debug console) would be read again, without end. */
static char ring[RAE_KLOG_SIZE];

int main(int argc, char **argv)
{
	(void)argv;
	if (argc > 1) {
		fprintf(stderr, "usage: dmesg\n");
		return 2;
	}
	rae_handle_t console = rae_startup_handle(rae_posix_startup(), RAE_ROLE_CONSOLE);
	if (console == RAE_HANDLE_INVALID) {
		fprintf(stderr, "dmesg: no console service handle (RAE_ROLE_CONSOLE): the "
				"kernel log is read through rae-consoled\n");
		return 1;
	}
	uint64_t offset = 0;
	size_t got = 0;
	while (got < sizeof(ring)) {
		size_t want =
		    sizeof(ring) - got < RAE_IPC_BUF_MAX ? sizeof(ring) - got : RAE_IPC_BUF_MAX;
		int64_t n = rae_console_log_read(console, &offset, ring + got, want, NULL);
		if (n < 0) {
			fprintf(stderr, "dmesg: reading the kernel log: %s\n",
				rae_status_name((rae_status_t)n));
			return 1;
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	if (fwrite(ring, 1, got, stdout) != got || fflush(stdout) != 0) {
		perror("dmesg: write");
		return 1;
	}
	return 0;
}
