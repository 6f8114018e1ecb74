/* acpiroutes: prints the PCI interrupt routes the ACPI service read from
 * the root bridge's _PRT (RAE_ACPI_PCI_ROUTES, abi/rae/acpi.h), one line
 * each, for the power runs of the system tests (tools/test/power.py):
 *   acpi-route BUS:DEV INTx gsi=N link=NAME level|edge high|low [isa]
 * It looks the service up through the name-service handle the shell
 * passes on (RAE_ROLE_SERVICES). */
#include <stdio.h>
#include <rae/acpi.h>
#include <rae_services.h>
#include <rae_startup.h>

#define TIMEOUT_NS 5000000000ull

rae_startup_t *rae_posix_startup(void);

int main(void)
{
	static rae_acpi_route_t routes[RAE_ACPI_ROUTES_MAX];
	rae_handle_t svc = rae_startup_handle(rae_posix_startup(), RAE_ROLE_SERVICES), acpi;
	rae_status_t st = svc == RAE_HANDLE_INVALID
			      ? RAE_ERR_BAD_HANDLE
			      : rae_service_lookup(svc, "acpi", &acpi, TIMEOUT_NS);
	if (st != RAE_OK) {
		fprintf(stderr, "acpiroutes: no ACPI service: %s\n", rae_status_name(st));
		return 1;
	}
	unsigned first = 0, total = 0;
	do {
		rae_msg_t m = {.tag = RAE_ACPI_PCI_ROUTES,
			       .words = {first},
			       .buf = (uint64_t)(uintptr_t)routes,
			       .buf_cap = sizeof(routes)};
		int64_t r = rae_ipc_call(acpi, &m, TIMEOUT_NS);
		st = r != RAE_OK ? (rae_status_t)r : (rae_status_t)(int64_t)m.tag;
		if (st != RAE_OK) {
			fprintf(stderr, "acpiroutes: %s\n", rae_status_name(st));
			return 1;
		}
		uint64_t n = m.words[0];
		total = (unsigned)m.words[1];
		if (n * sizeof(routes[0]) > m.buf_len || n == 0)
			break;
		for (uint64_t i = 0; i < n; i++) {
			const rae_acpi_route_t *t = &routes[i];
			printf("acpi-route %02x:%02x INT%c gsi=%u link=%s %s %s%s%s\n", t->bus,
			       t->device, 'A' + t->pin, t->gsi, t->link[0] ? t->link : "-",
			       (t->flags & RAE_ACPI_ROUTE_LEVEL) ? "level" : "edge",
			       (t->flags & RAE_ACPI_ROUTE_ACTIVE_LOW) ? "low" : "high",
			       (t->flags & RAE_ACPI_ROUTE_ISA_IRQ) ? " isa" : "",
			       (t->flags & RAE_ACPI_ROUTE_NONE) ? " none" : "");
		}
		first += (unsigned)n;
	} while (first < total);
	printf("acpi-routes: %u\n", total);
	return 0;
}
