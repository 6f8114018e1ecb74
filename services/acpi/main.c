/* rae-acpid, the ACPI service: runs ACPICA on a copy of the firmware's
 * tables (ACPI_TABLES_COPY), switches the machine to ACPI mode, takes the power
 * button, and answers POWEROFF, REBOOT and PCI_ROUTES (abi/rae/acpi.h) on
 * the endpoint the service manager gave it. Needs `grants = root-resource
 * shutdown` (docs/services/acpi.md). */
#include <acpi.h>
#include <rae_heap.h>
#include <rae_services.h>

#include "acpid.h"

rae_handle_t acpid_services;

/* Maps the kernel's copy (read-only) and keeps a private, writable one:
 * ACPICA writes the FACS (the global lock, the waking vector). */
static rae_status_t acpid_load_tables(void)
{
	rae_handle_t mem;
	rae_status_t st = rae_acpi_tables_copy(acpid_root, &mem);
	if (st != RAE_OK)
		return st;
	int64_t size = rae_mem_size(mem);
	int64_t at = size > 0 ? rae_mem_map(mem, RAE_PROT_READ) : size;
	rae_handle_close(mem);
	if (at <= 0)
		return at < 0 ? (rae_status_t)at : RAE_ERR_INVALID;
	acpi_copy_t kernel_copy;
	st = acpi_copy_open(&kernel_copy, (const void *)(uintptr_t)at, (size_t)size);
	void *mine = st == RAE_OK ? acpi_os_allocate(kernel_copy.size) : NULL;
	if (mine) {
		memcpy(mine, kernel_copy.base, kernel_copy.size);
		st = acpi_copy_open(&acpid_tables, mine, kernel_copy.size);
	} else if (st == RAE_OK) {
		st = RAE_ERR_NO_MEMORY;
	}
	rae_mem_unmap((uint64_t)at);
	return st;
}

/* ACPICA from the tables to an enabled namespace, as Linux does it. */
static acpi_status acpid_start_acpica(void)
{
	acpi_status st = acpi_initialize_subsystem();
	if (ACPI_SUCCESS(st))
		st = acpi_initialize_tables(NULL, 16, FALSE);
	if (ACPI_SUCCESS(st))
		st = acpi_load_tables();
	if (ACPI_SUCCESS(st))
		st = acpi_enable_subsystem(ACPI_FULL_INITIALIZATION);
	if (ACPI_SUCCESS(st))
		st = acpi_initialize_objects(ACPI_FULL_INITIALIZATION);
	if (ACPI_FAILURE(st))
		return st;
	/* Tell the firmware interrupts go through the IOAPIC (\_PIC(1)): on
	 * q35 the _PRT then names GSIs 16-23 instead of the PIC's links. */
	union acpi_object arg = {.integer = {.type = ACPI_TYPE_INTEGER, .value = 1}};
	struct acpi_object_list args = {1, &arg};
	acpi_status pic = acpi_evaluate_object(NULL, "\\_PIC", &args, NULL);
	if (ACPI_FAILURE(pic) && pic != AE_NOT_FOUND)
		rae_printf("acpid: \\_PIC(1) failed: %s\n", acpi_format_exception(pic));
	return AE_OK;
}

static rae_status_t acpid_routes(const rae_msg_t *call, rae_msg_t *reply)
{
	static rae_acpi_route_t out[RAE_ACPI_ROUTES_MAX];
	unsigned total = 0;
	int64_t n = routes_read(call->words[0] > RAE_ACPI_ROUTES_MAX ? RAE_ACPI_ROUTES_MAX
								     : (unsigned)call->words[0],
				out, RAE_ACPI_ROUTES_MAX, &total);
	if (n < 0)
		return (rae_status_t)n;
	reply->buf = (uint64_t)(uintptr_t)out;
	reply->buf_len = (uint32_t)(n * (int64_t)sizeof(out[0]));
	reply->words[0] = (uint64_t)n;
	reply->words[1] = total;
	return RAE_OK;
}

/* A table for a client, in a memory object of its own that it can only
 * read: the service's copy stays its own. */
static rae_status_t acpid_table(const rae_msg_t *call, const char *buf, rae_msg_t *reply)
{
	char signature[ACPI_NAMESEG_SIZE + 1] = {0};
	if (call->buf_len != ACPI_NAMESEG_SIZE || call->words[0] > UINT32_MAX)
		return RAE_ERR_INVALID;
	memcpy(signature, buf, ACPI_NAMESEG_SIZE);
	struct acpi_table_header *table;
	if (ACPI_FAILURE(acpi_get_table(signature, (u32)call->words[0] + 1, &table)))
		return RAE_ERR_NOT_FOUND;
	uint32_t length = table->length;
	rae_handle_t mem = 0;
	rae_status_t st = rae_mem_create(length, 0, &mem);
	int64_t at = st == RAE_OK ? rae_mem_map(mem, RAE_PROT_READ | RAE_PROT_WRITE) : st;
	if (at > 0) {
		memcpy((void *)(uintptr_t)at, table, length);
		rae_mem_unmap((uint64_t)at);
		st = rae_handle_dup(mem, RAE_RIGHT_READ | RAE_RIGHT_MAP | RAE_RIGHT_TRANSFER,
				    &reply->handles[0]);
	} else {
		st = at < 0 ? (rae_status_t)at : RAE_ERR_NO_MEMORY;
	}
	acpi_put_table(table);
	if (mem)
		rae_handle_close(mem);
	if (st != RAE_OK)
		return st;
	reply->handle_count = 1;
	reply->words[0] = length;
	return RAE_OK;
}

static void acpid_serve(rae_handle_t ep)
{
	static char buf[64];
	for (;;) {
		rae_msg_t call = {.buf = (uint64_t)(uintptr_t)buf, .buf_cap = sizeof(buf)};
		if (rae_ipc_receive(ep, &call, RAE_TIMEOUT_NEVER) != RAE_OK)
			continue;
		for (uint32_t i = 0; i < call.handle_count; i++)
			rae_handle_close(call.handles[i]);
		if (call.flags & RAE_MSG_ONEWAY)
			continue;
		rae_msg_t reply = {0};
		rae_status_t st;
		switch (call.tag) {
		case RAE_SVC_PING:
			st = RAE_OK;
			reply.words[0] = call.words[0];
			break;
		case RAE_ACPI_POWEROFF: st = power_off(); break;
		case RAE_ACPI_REBOOT: st = power_reset(); break;
		case RAE_ACPI_PCI_ROUTES: st = acpid_routes(&call, &reply); break;
		case RAE_ACPI_TABLE: st = acpid_table(&call, buf, &reply); break;
		default: st = RAE_ERR_UNSUPPORTED; break;
		}
		reply.tag = (uint64_t)(int64_t)st;
		rae_ipc_reply(&reply);
	}
}

int main(uint64_t arg)
{
	rae_startup_t startup;
	osl_thread_init();
	if (rae_startup_receive((rae_handle_t)arg, &startup, 5000000000ull) != RAE_OK) {
		rae_puts("acpid: no start-up messages; exiting\n");
		return 1;
	}
	rae_handle_t ep = rae_startup_take(&startup, RAE_ROLE_SERVE);
	acpid_root = rae_startup_take(&startup, RAE_ROLE_ROOT_RESOURCE);
	acpid_services = rae_startup_take(&startup, RAE_ROLE_SERVICES);
	if (!ep || !acpid_root || !acpid_services) {
		rae_puts("acpid: needs its endpoint, the root resource and the name service; "
			 "exiting\n");
		return 1;
	}
	rae_status_t st = acpid_load_tables();
	if (st != RAE_OK) {
		/* No ACPI (acpi=off, or none at all): nothing to serve, and
		 * restarting cannot change that. */
		rae_printf("acpid: no ACPI tables: %s; exiting\n", rae_status_name(st));
		return 0;
	}
	acpi_status ast = acpid_start_acpica();
	if (ACPI_FAILURE(ast)) {
		rae_printf("acpid: ACPICA did not start: %s; exiting\n",
			   acpi_format_exception(ast));
		return 1;
	}
	power_button_init();
	rae_printf("acpid: ACPI mode on, %u tables, SCI on IRQ %u; serving\n",
		   (unsigned)acpid_tables.count, (unsigned)acpi_gbl_FADT.sci_interrupt);
	acpid_serve(ep);
	return 1;
}
