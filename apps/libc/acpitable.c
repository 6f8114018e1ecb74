/* acpitable SIG [N]: fetches the N-th (0 first) ACPI table with signature
 * SIG from the ACPI service (RAE_ACPI_TABLE, abi/rae/acpi.h), for the
 * power runs of the system tests (tools/test/power.py), and prints
 *   acpi-table SIG length=L revision=R checksum=ok|bad
 * after checking the copy it got: mapped read-only, its own signature and
 * length, its checksum; and that it cannot be mapped writable. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <rae/acpi.h>
#include <rae_services.h>
#include <rae_startup.h>

#define TIMEOUT_NS 5000000000ull

rae_startup_t *rae_posix_startup(void);

int main(int argc, char **argv)
{
	if (argc < 2 || argc > 3 || strlen(argv[1]) != 4) {
		fprintf(stderr, "usage: acpitable SIG [N]\n");
		return 2;
	}
	rae_handle_t svc = rae_startup_handle(rae_posix_startup(), RAE_ROLE_SERVICES), acpi;
	rae_status_t st = svc == RAE_HANDLE_INVALID
			      ? RAE_ERR_BAD_HANDLE
			      : rae_service_lookup(svc, "acpi", &acpi, TIMEOUT_NS);
	if (st != RAE_OK) {
		fprintf(stderr, "acpitable: no ACPI service: %s\n", rae_status_name(st));
		return 1;
	}
	rae_msg_t m = {.tag = RAE_ACPI_TABLE,
		       .words = {argc == 3 ? strtoull(argv[2], NULL, 10) : 0},
		       .buf = (uint64_t)(uintptr_t)argv[1],
		       .buf_len = 4};
	int64_t r = rae_ipc_call(acpi, &m, TIMEOUT_NS);
	st = r != RAE_OK ? (rae_status_t)r : (rae_status_t)(int64_t)m.tag;
	if (st != RAE_OK || m.handle_count != 1) {
		fprintf(stderr, "acpitable: %s: %s\n", argv[1],
			st != RAE_OK ? rae_status_name(st) : "no memory object");
		return 1;
	}
	rae_handle_t mem = m.handles[0];
	uint64_t length = m.words[0];
	if (rae_mem_map(mem, RAE_PROT_READ | RAE_PROT_WRITE) != RAE_ERR_ACCESS_DENIED) {
		fprintf(stderr, "acpitable: the copy can be mapped writable\n");
		return 1;
	}
	int64_t size = rae_mem_size(mem);
	int64_t at = rae_mem_map(mem, RAE_PROT_READ);
	if (size <= 0 || at <= 0 || length < 36 || length > (uint64_t)size) {
		fprintf(stderr, "acpitable: cannot map a copy of %llu bytes\n",
			(unsigned long long)length);
		return 1;
	}
	const uint8_t *t = (const uint8_t *)(uintptr_t)at;
	uint32_t declared;
	memcpy(&declared, t + 4, sizeof(declared));
	uint8_t sum = 0;
	for (uint64_t i = 0; i < length; i++)
		sum = (uint8_t)(sum + t[i]);
	if (memcmp(t, argv[1], 4) != 0 || declared != length) {
		fprintf(stderr, "acpitable: the copy is not %s of %llu bytes\n", argv[1],
			(unsigned long long)length);
		return 1;
	}
	printf("acpi-table %.4s length=%u revision=%u checksum=%s\n", argv[1], declared, t[8],
	       sum == 0 ? "ok" : "bad");
	return 0;
}
