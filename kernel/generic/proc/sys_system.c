/* System calls for facts of the system and the kernel console: the clock,
 * the CPU, memory and version, random bytes, the debug console, and the
 * console's hand-over to a user-space service (rae/syscalls.def). */
#include <console/handover.h>
#include <console/kprintf.h>
#include <hal/banner.h>
#include <hal/console.h>
#include <kernel.h>
#include <mm/kmalloc.h>
#include <mm/pmm.h>
#include <object/console.h>
#include <object/resource.h>
#include <proc/syscall.h>
#include <smp/cpu.h>
#include <string.h>

#define DEBUG_WRITE_MAX 4096

uint64_t aslr_random(void);

int64_t sys_clock_ns(void)
{
	return (int64_t)clock_monotonic_ns();
}

int64_t sys_cpu(void)
{
	return this_cpu()->id;
}

int64_t sys_random(void *buf, size_t len)
{
	uint64_t words[RAE_RANDOM_MAX / 8];
	if (len > RAE_RANDOM_MAX)
		return RAE_ERR_RANGE;
	for (unsigned i = 0; i < (len + 7) / 8; i++)
		words[i] = aslr_random();
	if (copy_to_user(buf, words, len) != RAE_OK)
		return RAE_ERR_FAULT;
	return (int64_t)len;
}

int64_t sys_system_info(rae_system_info_t *uinfo)
{
	rae_system_info_t info = {0};
	pmm_system_info(&info);
	info.uptime_ns = clock_monotonic_ns();
	info.cpus = cpu_online_count;
	info.processes = process_count_alive();
	static const char version[] = "RaeCore " RAEENOS_VERSION;
	_Static_assert(sizeof(version) <= sizeof(info.version), "version string too long");
	memcpy(info.version, version, sizeof(version));
	const char *arch = hal_arch_name();
	size_t n = strlen(arch);
	memcpy(info.machine, arch, n < sizeof(info.machine) - 1 ? n : sizeof(info.machine) - 1);
	if (copy_to_user(uinfo, &info, sizeof(info)) != RAE_OK)
		return RAE_ERR_FAULT;
	return RAE_OK;
}

int64_t sys_debug_write(const char *buf, size_t len)
{
	char chunk[256];
	uint64_t done = 0;
	if (len > DEBUG_WRITE_MAX)
		return RAE_ERR_RANGE;
	while (done < len) {
		uint64_t n = len - done > sizeof(chunk) ? sizeof(chunk) : len - done;
		if (copy_from_user(chunk, (const void *)((uintptr_t)buf + done), n) != RAE_OK)
			return RAE_ERR_FAULT;
		kputs_n(chunk, n);
		done += n;
	}
	return (int64_t)len;
}

int64_t sys_console_handover(rae_handle_t resource, rae_handle_t notification, uint64_t bits,
			     uint64_t *log_offset)
{
	resource_t *r;
	rae_status_t st = sys_resource_lookup(resource, &r);
	if (st != RAE_OK)
		return st;
	rae_console_hw_t hw = {0};
	hal_console_describe(&hw);
	bool covers = resource_covers(r, RAE_RESOURCE_IOPORT, hw.serial_port, hw.serial_ports);
	kobject_unref(&r->obj);
	if (!covers)
		return RAE_ERR_RANGE;
	kobject_t *n = NULL;
	if (notification) {
		st = sys_handle_lookup(notification, RAE_OBJ_NOTIFICATION, RAE_RIGHT_SIGNAL, &n);
		if (st != RAE_OK)
			return st;
		if (bits == 0) {
			kobject_unref(n);
			return RAE_ERR_INVALID;
		}
	}
	uint64_t offset = 0;
	console_object_t *c = console_object_create((notification_t *)n, bits, &offset, &st);
	if (n)
		kobject_unref(n);
	if (!c)
		return st;
	if (copy_to_user(log_offset, &offset, sizeof(offset)) != RAE_OK) {
		kobject_unref(&c->obj); /* gives the console back */
		return RAE_ERR_FAULT;
	}
	return sys_handle_install(&c->obj, CONSOLE_RIGHTS);
}

int64_t sys_log_read(rae_handle_t console, uint64_t *uoffset, void *buf, size_t len)
{
	kobject_t *obj;
	rae_status_t st = SYS_HANDLE_GET(log_read, console, &obj, NULL);
	if (st != RAE_OK)
		return st;
	kobject_unref(obj); /* the handle is the authority; nothing else is used */
	uint64_t offset;
	uint64_t want_total = len > RAE_LOG_READ_MAX ? RAE_LOG_READ_MAX : len;
	if (copy_from_user(&offset, uoffset, sizeof(offset)) != RAE_OK)
		return RAE_ERR_FAULT;
	char chunk[256];
	uint64_t done = 0;
	while (done < want_total) {
		uint64_t want =
		    want_total - done > sizeof(chunk) ? sizeof(chunk) : want_total - done;
		uint64_t at = offset;
		int64_t n = console_log_read(&at, chunk, want);
		if (n < 0)
			return n;
		if (n == 0)
			break;
		if (copy_to_user((void *)((uintptr_t)buf + done), chunk, (size_t)n) != RAE_OK)
			return RAE_ERR_FAULT;
		offset = at;
		done += (uint64_t)n;
	}
	if (copy_to_user(uoffset, &offset, sizeof(offset)) != RAE_OK)
		return RAE_ERR_FAULT;
	return (int64_t)done;
}

int64_t sys_console_info(rae_console_hw_t *info)
{
	rae_console_hw_t hw = {0};
	hal_console_describe(&hw);
	if (boot_info.has_framebuffer && boot_info.framebuffer.type == BOOT_FB_RGB) {
		hw.has_framebuffer = 1;
		hw.framebuffer = boot_info.framebuffer;
	}
	if (copy_to_user(info, &hw, sizeof(hw)) != RAE_OK)
		return RAE_ERR_FAULT;
	return RAE_OK;
}
