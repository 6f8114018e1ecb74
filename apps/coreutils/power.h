/* poweroff and reboot: one request to the ACPI service (abi/rae/acpi.h),
 * which has the service manager stop every service first. The program
 * needs the name-service handle at start (RAE_ROLE_SERVICES), which the
 * shell passes on, and prints only if the machine stays up. */
#ifndef COREUTILS_POWER_H
#define COREUTILS_POWER_H

#include <stdio.h>
#include <rae/acpi.h>
#include <rae_services.h>
#include <rae_startup.h>

#define LOOKUP_TIMEOUT_NS 5000000000ull

/* The POSIX runtime's start-up set (lib/posix/crt.c). */
rae_startup_t *rae_posix_startup(void);

/* Sends request `tag` as program `name`; `stayed` says what went wrong
 * when it comes back ("the machine stayed on"). Returns the exit status. */
static int power_request(int argc, const char *name, uint64_t tag, const char *stayed)
{
	if (argc > 1) {
		fprintf(stderr, "usage: %s\n", name);
		return 2;
	}
	rae_handle_t svc = rae_startup_handle(rae_posix_startup(), RAE_ROLE_SERVICES);
	rae_handle_t acpi;
	rae_status_t st = svc == RAE_HANDLE_INVALID
			      ? RAE_ERR_BAD_HANDLE
			      : rae_service_lookup(svc, "acpi", &acpi, LOOKUP_TIMEOUT_NS);
	if (st != RAE_OK) {
		fprintf(stderr, "%s: no ACPI service: %s\n", name, rae_status_name(st));
		return 1;
	}
	rae_msg_t m = {.tag = tag};
	int64_t r = rae_ipc_call(acpi, &m, RAE_TIMEOUT_NEVER);
	/* Only a failure comes back; the shell may be gone by then. */
	st = r != RAE_OK ? (rae_status_t)r : (rae_status_t)(int64_t)m.tag;
	fprintf(stderr, "%s: %s: %s\n", name, stayed, rae_status_name(st));
	return 1;
}

#endif
