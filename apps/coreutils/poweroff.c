/* poweroff: asks the ACPI service (abi/rae/acpi.h) to turn the machine
 * off: it has the service manager stop every service, then enters S5. It
 * needs the name-service handle at start (RAE_ROLE_SERVICES), which the
 * shell passes on. Prints only if the machine stays on. */
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
		fprintf(stderr, "usage: poweroff\n");
		return 2;
	}
	rae_handle_t svc = rae_startup_handle(rae_posix_startup(), RAE_ROLE_SERVICES);
	rae_handle_t acpi;
	rae_status_t st = svc == RAE_HANDLE_INVALID
			      ? RAE_ERR_BAD_HANDLE
			      : rae_service_lookup(svc, "acpi", &acpi, LOOKUP_TIMEOUT_NS);
	if (st != RAE_OK) {
		fprintf(stderr, "poweroff: no ACPI service: %s\n", rae_status_name(st));
		return 1;
	}
	rae_msg_t m = {.tag = RAE_ACPI_POWEROFF};
	int64_t r = rae_ipc_call(acpi, &m, RAE_TIMEOUT_NEVER);
	/* Only a failure comes back; the shell may be gone by then. */
	st = r != RAE_OK ? (rae_status_t)r : (rae_status_t)(int64_t)m.tag;
	fprintf(stderr, "poweroff: the machine stayed on: %s\n", rae_status_name(st));
	return 1;
}
