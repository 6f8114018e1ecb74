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
	int64_t r = rae_resource_create(root, kind, base, size);
	if (r < 0)
		return;
	handles[*n] = (rae_handle_t)r;
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

int64_t rae_consoled_start(rae_handle_t root, rae_handle_t image, uint64_t offset, uint64_t size,
			   const char *name, rae_handle_t *service)
{
	int64_t ep = rae_endpoint_create();
	if (ep < 0)
		return ep;
	int64_t service_end = rae_handle_dup((rae_handle_t)ep, RAE_RIGHTS_ALL);
	if (service_end < 0) {
		rae_handle_close((rae_handle_t)ep);
		return service_end;
	}
	rae_handle_t handles[1 + RAE_CONSOLE_RESOURCES_MAX];
	uint16_t roles[1 + RAE_CONSOLE_RESOURCES_MAX];
	handles[0] = (rae_handle_t)service_end;
	roles[0] = RAE_CONSOLED_ROLE_ENDPOINT;
	int64_t got = rae_console_resources(root, handles + 1, roles + 1);
	if (got < 0) {
		rae_handle_close((rae_handle_t)service_end);
		rae_handle_close((rae_handle_t)ep);
		return got;
	}
	unsigned n = 1 + (unsigned)got;
	const char *argv[] = {"consoled", NULL};
	int64_t p = rae_spawn_start(image, offset, size, name, 0, argv, NULL, handles, roles, n);
	if (p < 0) {
		rae_handle_close((rae_handle_t)ep);
		return p;
	}
	*service = (rae_handle_t)ep;
	return p;
}
