/* Starting the console service (rae_console.h): the resources it needs,
 * each narrowed from the root resource to exactly the device CONSOLE_INFO
 * names, handed over by the start-up convention. */
#include <rae_console.h>

#define PAGE_SIZE 4096ull

/* Adds a sub-resource of root to the start-up set; a failure leaves it out
 * (the service then runs without that device). */
static void consoled_add(rae_handle_t root, uint64_t kind, uint64_t base, uint64_t size,
			 uint16_t role, rae_handle_t *handles, uint16_t *roles, unsigned *n)
{
	if (rae_resource_create(root, kind, base, size, &handles[*n]) == RAE_OK)
		roles[(*n)++] = role;
}

int64_t rae_console_resources(rae_handle_t root, rae_handle_t *handles, uint16_t *roles)
{
	rae_console_hw_t hw;
	int64_t st = rae_console_info(&hw);
	if (st != RAE_OK)
		return st;
	unsigned n = 0;
	consoled_add(root, RAE_RESOURCE_IOPORT, hw.serial_port, hw.serial_ports,
		     RAE_CONSOLED_ROLE_SERIAL, handles, roles, &n);
	consoled_add(root, RAE_RESOURCE_IOPORT, hw.kbd_data_port, 1, RAE_CONSOLED_ROLE_KBD_DATA,
		     handles, roles, &n);
	consoled_add(root, RAE_RESOURCE_IOPORT, hw.kbd_status_port, 1, RAE_CONSOLED_ROLE_KBD_STATUS,
		     handles, roles, &n);
	if (hw.serial_gsi != RAE_CONSOLE_NO_GSI)
		consoled_add(root, RAE_RESOURCE_IRQ, hw.serial_gsi, 1, RAE_CONSOLED_ROLE_SERIAL_IRQ,
			     handles, roles, &n);
	if (hw.kbd_gsi != RAE_CONSOLE_NO_GSI)
		consoled_add(root, RAE_RESOURCE_IRQ, hw.kbd_gsi, 1, RAE_CONSOLED_ROLE_KBD_IRQ,
			     handles, roles, &n);
	if (hw.has_framebuffer) {
		uint64_t base = hw.framebuffer.phys_addr & ~(PAGE_SIZE - 1);
		uint64_t end = hw.framebuffer.phys_addr +
			       (uint64_t)hw.framebuffer.pitch * hw.framebuffer.height;
		end = (end + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
		consoled_add(root, RAE_RESOURCE_MMIO, base, end - base,
			     RAE_CONSOLED_ROLE_FRAMEBUFFER, handles, roles, &n);
	}
	return n;
}

rae_status_t rae_consoled_start(rae_handle_t root, rae_handle_t image, uint64_t offset,
				uint64_t size, const char *name, rae_handle_t *service,
				rae_handle_t *proc)
{
	rae_handle_t ep, service_end;
	rae_status_t st = rae_endpoint_create(&ep);
	if (st != RAE_OK)
		return st;
	st = rae_handle_dup(ep, RAE_RIGHTS_ALL, &service_end);
	if (st != RAE_OK) {
		rae_handle_close(ep);
		return st;
	}
	rae_handle_t handles[1 + RAE_CONSOLE_RESOURCES_MAX];
	uint16_t roles[1 + RAE_CONSOLE_RESOURCES_MAX];
	handles[0] = service_end;
	roles[0] = RAE_CONSOLED_ROLE_ENDPOINT;
	int64_t got = rae_console_resources(root, handles + 1, roles + 1);
	if (got < 0) {
		rae_handle_close(service_end);
		rae_handle_close(ep);
		return (rae_status_t)got;
	}
	unsigned n = 1 + (unsigned)got;
	const char *argv[] = {"consoled", NULL};
	st = rae_spawn_start(image, offset, size, name, 0, argv, NULL, handles, roles, n, proc);
	if (st != RAE_OK) {
		rae_handle_close(ep);
		return st;
	}
	*service = ep;
	return RAE_OK;
}
