/* The first user process: the kernel gives it the root resource and the
 * initrd, through one IPC call on an endpoint that is its only start-up
 * handle. Everything any other process holds comes from there. */
#include <console/kprintf.h>
#include <kernel.h>
#include <mm/kmalloc.h>
#include <mm/phys.h>
#include <object/endpoint.h>
#include <object/job.h>
#include <object/memory.h>
#include <object/resource.h>
#include <proc/bootstrap.h>
#include <rae/bootstrap.h>
#include <rae/syscall.h>
#include <string.h>
#include <time/clock.h>

/* The initrd as a memory object over the module's own pages (reserved at
 * boot, page-aligned by the multiboot2 header's request): no copy, so any
 * size the loader could place in memory works, up to the frame array's
 * MEMORY_LOADED_MAX_PAGES. The object is handed out without WRITE, so the
 * pages stay as loaded for the kernel's own reads (process_spawn). Each
 * limit it meets is said on the console with what to do. */
static memory_object_t *initrd_object(uint64_t *bytes, rae_status_t *status)
{
	const boot_module_t *mod = kernel_initrd_module();
	if (!mod) {
		kprintf("kernel: no initrd: the loader passed no module (grub.cfg needs "
			"\"module2 /boot/initrd.tar initrd\")\n");
		*status = RAE_ERR_NOT_FOUND;
		return NULL;
	}
	uint64_t size = mod->end - mod->start;
	if (!phys_to_virt(mod->start, size)) {
		kprintf("kernel: the initrd at 0x%lx (%lu bytes) lies outside the direct map\n",
			mod->start, size);
		*status = RAE_ERR_RANGE;
		return NULL;
	}
	if (mod->start & (PAGE_SIZE - 1)) {
		kprintf("kernel: the initrd at 0x%lx is not page-aligned: the loader ignored the "
			"multiboot2 module-alignment request; use GRUB 2 (tools/build/mkiso)\n",
			mod->start);
		*status = RAE_ERR_INVALID;
		return NULL;
	}
	uint64_t pages = PAGE_ALIGN_UP(size) / PAGE_SIZE;
	if (pages > MEMORY_LOADED_MAX_PAGES) {
		kprintf("kernel: the initrd is %lu MiB, more than the %lu MiB the kernel can hand "
			"out as one memory object (MEMORY_LOADED_MAX_PAGES); make it smaller\n",
			size >> 20, (uint64_t)(MEMORY_LOADED_MAX_PAGES * PAGE_SIZE) >> 20);
		*status = RAE_ERR_RANGE;
		return NULL;
	}
	memory_object_t *m = memory_object_create_loaded(mod->start, pages, status);
	if (!m)
		return NULL;
	*bytes = size;
	return m;
}

process_t *bootstrap_start(const char *path, uint64_t timeout_ns, rae_status_t *status)
{
	uint64_t initrd_bytes = 0;
	memory_object_t *initrd = initrd_object(&initrd_bytes, status);
	if (!initrd)
		return NULL;
	kobject_t *root = resource_root_create();
	endpoint_t *ep = endpoint_create();
	ipc_msg_t *m = kzalloc(sizeof(*m));
	size_t cmdline_len = strnlen(boot_info.cmdline, sizeof(boot_info.cmdline));
	uint8_t *cmdline = cmdline_len ? kmalloc(cmdline_len) : NULL;
	if (!root || !ep || !m || (cmdline_len && !cmdline)) {
		if (root)
			kobject_unref(root);
		if (ep)
			kobject_unref(&ep->obj);
		kfree(m);
		kfree(cmdline);
		kobject_unref(&initrd->obj);
		*status = RAE_ERR_NO_MEMORY;
		return NULL;
	}
	kobject_ref(&ep->obj); /* one for the process's handle, one for the call */
	process_t *p = process_spawn_with(path, NULL, &ep->obj, RAE_RIGHT_READ, 0, NULL, status);
	if (!p) {
		kobject_unref(&ep->obj);
		kobject_unref(root);
		kobject_unref(&initrd->obj);
		kfree(m);
		kfree(cmdline);
		return NULL;
	}
	m->tag = RAE_BOOTSTRAP_TAG;
	m->words[RAE_BOOTSTRAP_WORD_INITRD_BYTES] = initrd_bytes;
	m->objs[RAE_BOOTSTRAP_ROOT_RESOURCE] = root; /* the message owns both now */
	m->rights[RAE_BOOTSTRAP_ROOT_RESOURCE] = RAE_RIGHTS_ALL;
	m->objs[RAE_BOOTSTRAP_INITRD] = &initrd->obj;
	m->rights[RAE_BOOTSTRAP_INITRD] =
	    RAE_RIGHT_READ | RAE_RIGHT_MAP | RAE_RIGHT_DUPLICATE | RAE_RIGHT_TRANSFER;
	m->handle_count = RAE_BOOTSTRAP_HANDLES;
	if (cmdline_len) {
		/* The command line, for the first process's own options. */
		memcpy(cmdline, boot_info.cmdline, cmdline_len);
		m->buf = cmdline; /* the message owns it too */
		m->buf_len = (uint32_t)cmdline_len;
	}
	ipc_msg_t *reply = NULL;
	rae_status_t st = ipc_call(ep, m, 0, clock_monotonic_ns() + timeout_ns, &reply);
	ipc_msg_free(reply);
	kobject_unref(&ep->obj);
	if (st != RAE_OK) {
		process_kill(p, RAE_EXIT_KILLED);
		process_wait(p, NULL);
		*status = st;
		return NULL;
	}
	*status = RAE_OK;
	return p;
}
