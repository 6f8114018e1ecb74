/* reboot: asks the ACPI service (abi/rae/acpi.h) to restart the machine:
 * it has the service manager stop every service, then resets it (the FADT
 * reset register, the 8042, a triple fault). It
 * needs the name-service handle at start (RAE_ROLE_SERVICES), which the
 * shell passes on. Prints only if the machine does not reset. */
#include <stdio.h>
#include <string.h>
#include <rae/acpi.h>
#include <rae_services.h>
#include <rae_startup.h>

#define LOOKUP_TIMEOUT_NS 5000000000ull

/* The POSIX runtime's start-up set (lib/posix/crt.c). */
rae_startup_t *rae_posix_startup(void);

int main(int argc, char **argv)
{
	(void)argv;
	if (argc > 1) {
		fprintf(stderr, "usage: reboot\n");
		return 2;
	}
	rae_handle_t svc = rae_startup_handle(rae_posix_startup(), RAE_ROLE_SERVICES);
	rae_handle_t acpi;
	rae_status_t st = svc == RAE_HANDLE_INVALID
			      ? RAE_ERR_BAD_HANDLE
			      : rae_service_lookup(svc, "acpi", &acpi, LOOKUP_TIMEOUT_NS);
	if (st != RAE_OK) {
		fprintf(stderr, "reboot: no ACPI service: %s\n", rae_status_name(st));
		return 1;
	}
	rae_msg_t m = {.tag = RAE_ACPI_REBOOT};
	int64_t r = rae_ipc_call(acpi, &m, RAE_TIMEOUT_NEVER);
	/* Only a failure comes back; the shell may be gone by then. */
	st = r != RAE_OK ? (rae_status_t)r : (rae_status_t)(int64_t)m.tag;
	fprintf(stderr, "reboot: the machine did not reset: %s\n", rae_status_name(st));
	return 1;
}
