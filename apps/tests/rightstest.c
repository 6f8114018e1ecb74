/* Table-driven capability check: every system call that takes a handle is
 * tried with a handle lacking, in turn, each right the call needs, and
 * must fail with RAE_ERR_ACCESS_DENIED; with all rights it must pass that
 * check. The hardware rows run when the program is started with an
 * endpoint that brings it the root resource (ktest_hw.c). Exits with the
 * number of failed checks. */
#include <rae.h>
#include <rae_console.h>

enum {
	OBJ_ENDPOINT,
	OBJ_NOTIFICATION,
	OBJ_MEMORY,
	OBJ_JOB,
	OBJ_PROCESS,
	OBJ_THREAD,
	OBJ_PIPE_READ,
	OBJ_PIPE_WRITE,
	OBJ_RESOURCE,
	OBJ_INTERRUPT,
	OBJ_IOPORT,
	OBJ_DEVICE, /* the host bridge, 00:00.0, which every machine has */
	OBJ_DMA     /* DMA memory of it */
};

#define HOST_BRIDGE RAE_PCI_ADDRESS(0, 0, 0, 0)

static rae_handle_t root;       /* the root resource, when one came */
static uint64_t platform_flags; /* with it: bit 0, interrupt lines exist */

typedef struct {
	const char *name;
	int object;
	uint32_t needs; /* every right the call checks */
	int64_t (*call)(rae_handle_t h);
} case_t;

static int64_t do_ipc_call(rae_handle_t h)
{
	rae_msg_t m = {0};
	return rae_ipc_call(h, &m, 0);
}

static int64_t do_process_wait(rae_handle_t h)
{
	int status;
	return rae_wait(h, &status);
}

static int64_t do_thread_join(rae_handle_t h)
{
	int code;
	return rae_thread_join(h, &code);
}

static void quick_thread(uint64_t arg)
{
	rae_thread_exit((int)arg);
}

static int64_t do_process_kill(rae_handle_t h)
{
	return rae_kill(h);
}

static int64_t do_process_id(rae_handle_t h)
{
	return rae_process_id(h);
}

static int64_t do_process_info(rae_handle_t h)
{
	static rae_process_info_t info;
	return rae_process_info(h, &info);
}

static int64_t do_mem_size(rae_handle_t h)
{
	return rae_mem_size(h);
}

static int64_t do_ipc_send(rae_handle_t h)
{
	rae_msg_t m = {0};
	return rae_ipc_send(h, &m, 0);
}

static int64_t do_ipc_receive(rae_handle_t h)
{
	rae_msg_t m = {0};
	return rae_ipc_receive(h, &m, 0);
}

static int64_t do_signal(rae_handle_t h)
{
	return rae_notify_signal(h, 1);
}

static int64_t do_wait(rae_handle_t h)
{
	return rae_notify_wait(h, 0);
}

static int64_t do_dup(rae_handle_t h)
{
	int64_t r = rae_sys_handle_dup(h, RAE_RIGHT_READ & 0);
	if (r > 0)
		rae_handle_close((rae_handle_t)r);
	return r;
}

static int64_t do_mint(rae_handle_t h)
{
	int64_t r = rae_sys_handle_mint(h, 0, 5);
	if (r > 0)
		rae_handle_close((rae_handle_t)r);
	return r;
}

static int64_t do_map_read(rae_handle_t h)
{
	return rae_mem_map(h, RAE_PROT_READ);
}

static int64_t do_map_write(rae_handle_t h)
{
	return rae_mem_map(h, RAE_PROT_READ | RAE_PROT_WRITE);
}

static int64_t do_job_create(rae_handle_t h)
{
	int64_t r = rae_sys_job_create(h, 1, 1, 1, 1);
	if (r > 0)
		rae_handle_close((rae_handle_t)r);
	return r;
}

static int64_t do_spawn_in(rae_handle_t h)
{
	int64_t pid = rae_sys_spawn_with("bin/hello", 0, h);
	if (pid > 0)
		rae_wait(pid, 0);
	return pid;
}

static int64_t do_spawn_image(rae_handle_t h)
{
	/* A zeroed object is no program: RAE_ERR_INVALID once READ is there. */
	int64_t p = rae_sys_spawn_image(h, 0, 4096, "zeros", 0, 0);
	if (p > 0)
		rae_wait(p, 0);
	return p;
}

static int64_t do_give(rae_handle_t h)
{
	/* Moving a handle to a child needs TRANSFER. */
	int64_t pid = rae_sys_spawn_with("bin/hello", h, 0);
	if (pid > 0)
		rae_wait(pid, 0);
	return pid;
}

static int64_t close_if_made(int64_t r)
{
	if (r > 0)
		rae_handle_close((rae_handle_t)r);
	return r;
}

static int64_t do_resource_create(rae_handle_t h)
{
	return close_if_made(rae_sys_resource_create(h, RAE_RESOURCE_IOPORT, 0x80, 1));
}

static int64_t do_mem_create_phys(rae_handle_t h)
{
	return close_if_made(rae_sys_mem_create_phys(h, 0xb8000, 0x1000, 0));
}

static int64_t do_ioport_create(rae_handle_t h)
{
	return close_if_made(rae_sys_ioport_create(h, 0x80, 1));
}

static int64_t do_interrupt_resource(rae_handle_t h)
{
	int64_t n = rae_sys_notify_create();
	int64_t r = close_if_made(rae_sys_interrupt_create(h, 8, (rae_handle_t)n, 1, RAE_IRQ_ISA));
	rae_handle_close((rae_handle_t)n);
	return r;
}

static int64_t do_interrupt_notification(rae_handle_t h)
{
	return close_if_made(rae_sys_interrupt_create(root, 8, h, 1, RAE_IRQ_ISA));
}

static int64_t do_interrupt_ack(rae_handle_t h)
{
	return rae_interrupt_ack(h);
}

static int64_t do_ioport_enable(rae_handle_t h)
{
	return rae_ioport_enable(h); /* port 0x80: the POST code, harmless */
}

static int64_t do_console_handover(rae_handle_t h)
{
	uint64_t off;
	return close_if_made(rae_sys_console_handover(h, 0, 0, &off)); /* closing gives it back */
}

static int64_t do_console_notification(rae_handle_t h)
{
	uint64_t off;
	return close_if_made(rae_sys_console_handover(root, h, 1, &off));
}

static int64_t do_wait_nohang(rae_handle_t h)
{
	int status;
	return rae_wait_nohang(h, &status);
}

static int64_t do_pipe_read(rae_handle_t h)
{
	char c;
	return rae_pipe_read(h, &c, 1, 0); /* its write end is closed: 0 */
}

static int64_t do_pipe_write(rae_handle_t h)
{
	return rae_pipe_write(h, "x", 1, 0); /* its read end is closed: PEER_CLOSED */
}

static int64_t do_watch_process(rae_handle_t h)
{
	int64_t n = rae_sys_notify_create();
	int64_t r = rae_process_watch(h, (rae_handle_t)n, 1);
	rae_handle_close((rae_handle_t)n);
	return r;
}

static int64_t do_watch_notification(rae_handle_t h)
{
	int64_t p = rae_sys_spawn("bin/hello");
	int64_t r = rae_process_watch((rae_handle_t)p, h, 1);
	rae_wait(p, 0);
	rae_handle_close((rae_handle_t)p);
	return r;
}

static int64_t do_job_processes(rae_handle_t h)
{
	rae_process_info_t info[2];
	return rae_job_processes(h, info, 2);
}

static int64_t do_job_process(rae_handle_t h)
{
	/* This process is not in the fresh job: NOT_FOUND once MANAGE is there. */
	return close_if_made(rae_sys_job_process(h, (uint64_t)rae_getpid()));
}

static int64_t do_device_create(rae_handle_t h)
{
	return close_if_made(rae_sys_device_create(h, HOST_BRIDGE));
}

/* A slot no machine of ours fills: rights are checked before anything is
 * read or probed. */
#define EMPTY_SLOT RAE_PCI_ADDRESS(0, 0, 0x1e, 7)

static int64_t do_pci_config_read(rae_handle_t h)
{
	return rae_sys_pci_config_read(h, HOST_BRIDGE, 0, 2);
}

static int64_t do_pci_bars_probe(rae_handle_t h)
{
	rae_pci_bar_probe_t probes[RAE_PCI_BAR_PROBES];
	return rae_sys_pci_bars_probe(h, EMPTY_SLOT, probes);
}

static int64_t do_device_info(rae_handle_t h)
{
	rae_device_info_t info;
	return rae_sys_device_info(h, &info);
}

static int64_t do_config_read(rae_handle_t h)
{
	return rae_sys_device_config_read(h, 0, 2);
}

static int64_t do_config_write(rae_handle_t h)
{
	/* The interrupt line register: a byte firmware leaves for software,
	 * which nothing here reads. */
	return rae_sys_device_config_write(h, 0x3c, 1, 0);
}

static int64_t do_bus_master(rae_handle_t h)
{
	return rae_sys_device_bus_master(h, 0);
}

static int64_t do_device_reset(rae_handle_t h)
{
	return rae_sys_device_reset(h); /* the host bridge offers no FLR: UNSUPPORTED */
}

static int64_t do_dma_create(rae_handle_t h)
{
	return close_if_made(rae_sys_dma_create(h, 4096, 0));
}

static int64_t do_dma_addresses(rae_handle_t h)
{
	uint64_t address;
	return rae_sys_dma_addresses(h, 0, &address, 1);
}

static int64_t do_msi_device(rae_handle_t h)
{
	int64_t n = rae_sys_notify_create();
	int64_t r = close_if_made(rae_sys_interrupt_create_msi(h, 0, (rae_handle_t)n, 1, 0));
	rae_handle_close((rae_handle_t)n);
	return r;
}

static int64_t do_msi_notification(rae_handle_t h)
{
	int64_t d = rae_sys_device_create(root, HOST_BRIDGE);
	int64_t r = close_if_made(rae_sys_interrupt_create_msi((rae_handle_t)d, 0, h, 1, 0));
	rae_handle_close((rae_handle_t)d);
	return r;
}

static int64_t do_interrupt_ack_tsc(rae_handle_t h)
{
	uint64_t tsc;
	return rae_sys_interrupt_ack_tsc(h, &tsc);
}

static const case_t cases[] = {
    {"IPC_CALL", OBJ_ENDPOINT, RAE_RIGHT_WRITE, do_ipc_call},
    {"IPC_SEND", OBJ_ENDPOINT, RAE_RIGHT_WRITE, do_ipc_send},
    {"WAIT", OBJ_PROCESS, RAE_RIGHT_WAIT, do_process_wait},
    {"WAIT nohang", OBJ_PROCESS, RAE_RIGHT_WAIT, do_wait_nohang},
    {"PROCESS_WATCH process", OBJ_PROCESS, RAE_RIGHT_WAIT, do_watch_process},
    {"PROCESS_WATCH notification", OBJ_NOTIFICATION, RAE_RIGHT_SIGNAL, do_watch_notification},
    {"JOB_PROCESSES", OBJ_JOB, RAE_RIGHT_READ, do_job_processes},
    {"JOB_PROCESS", OBJ_JOB, RAE_RIGHT_MANAGE, do_job_process},
    {"PIPE_READ", OBJ_PIPE_READ, RAE_RIGHT_READ, do_pipe_read},
    {"PIPE_WRITE", OBJ_PIPE_WRITE, RAE_RIGHT_WRITE, do_pipe_write},
    {"KILL", OBJ_PROCESS, RAE_RIGHT_MANAGE, do_process_kill},
    {"THREAD_JOIN", OBJ_THREAD, RAE_RIGHT_WAIT, do_thread_join},
    {"PROCESS_ID", OBJ_PROCESS, RAE_RIGHT_READ, do_process_id},
    {"PROCESS_INFO", OBJ_PROCESS, RAE_RIGHT_READ, do_process_info},
    {"IPC_RECEIVE", OBJ_ENDPOINT, RAE_RIGHT_READ, do_ipc_receive},
    {"NOTIFY_SIGNAL", OBJ_NOTIFICATION, RAE_RIGHT_SIGNAL, do_signal},
    {"NOTIFY_WAIT", OBJ_NOTIFICATION, RAE_RIGHT_WAIT, do_wait},
    {"HANDLE_DUP", OBJ_ENDPOINT, RAE_RIGHT_DUPLICATE, do_dup},
    {"HANDLE_MINT", OBJ_NOTIFICATION, RAE_RIGHT_DUPLICATE, do_mint},
    {"MEM_MAP read", OBJ_MEMORY, RAE_RIGHT_MAP | RAE_RIGHT_READ, do_map_read},
    {"MEM_MAP write", OBJ_MEMORY, RAE_RIGHT_MAP | RAE_RIGHT_READ | RAE_RIGHT_WRITE, do_map_write},
    {"JOB_CREATE", OBJ_JOB, RAE_RIGHT_MANAGE, do_job_create},
    {"SPAWN_WITH job", OBJ_JOB, RAE_RIGHT_MANAGE, do_spawn_in},
    {"SPAWN_WITH give", OBJ_NOTIFICATION, RAE_RIGHT_TRANSFER, do_give},
    {"SPAWN_IMAGE", OBJ_MEMORY, RAE_RIGHT_READ, do_spawn_image},
    {"MEM_SIZE", OBJ_MEMORY, RAE_RIGHT_READ, do_mem_size},
    {"RESOURCE_CREATE", OBJ_RESOURCE, RAE_RIGHT_MANAGE, do_resource_create},
    {"MEM_CREATE_PHYS", OBJ_RESOURCE, RAE_RIGHT_MANAGE, do_mem_create_phys},
    {"IOPORT_CREATE", OBJ_RESOURCE, RAE_RIGHT_MANAGE, do_ioport_create},
    {"INTERRUPT_CREATE resource", OBJ_RESOURCE, RAE_RIGHT_MANAGE, do_interrupt_resource},
    {"INTERRUPT_CREATE notification", OBJ_NOTIFICATION, RAE_RIGHT_SIGNAL,
     do_interrupt_notification},
    {"INTERRUPT_ACK", OBJ_INTERRUPT, RAE_RIGHT_WRITE, do_interrupt_ack},
    {"IOPORT_ENABLE", OBJ_IOPORT, RAE_RIGHT_READ | RAE_RIGHT_WRITE, do_ioport_enable},
    {"CONSOLE_HANDOVER resource", OBJ_RESOURCE, RAE_RIGHT_MANAGE, do_console_handover},
    {"CONSOLE_HANDOVER notification", OBJ_NOTIFICATION, RAE_RIGHT_SIGNAL, do_console_notification},
    {"DEVICE_CREATE", OBJ_RESOURCE, RAE_RIGHT_MANAGE, do_device_create},
    {"DEVICE_INFO", OBJ_DEVICE, RAE_RIGHT_READ, do_device_info},
    {"DEVICE_CONFIG_READ", OBJ_DEVICE, RAE_RIGHT_READ, do_config_read},
    {"DEVICE_CONFIG_WRITE", OBJ_DEVICE, RAE_RIGHT_WRITE, do_config_write},
    {"DEVICE_BUS_MASTER", OBJ_DEVICE, RAE_RIGHT_MANAGE, do_bus_master},
    {"DEVICE_RESET", OBJ_DEVICE, RAE_RIGHT_MANAGE, do_device_reset},
    {"DMA_CREATE", OBJ_DEVICE, RAE_RIGHT_MANAGE, do_dma_create},
    {"DMA_ADDRESSES", OBJ_DMA, RAE_RIGHT_READ, do_dma_addresses},
    {"INTERRUPT_CREATE_MSI device", OBJ_DEVICE, RAE_RIGHT_MANAGE, do_msi_device},
    {"INTERRUPT_CREATE_MSI notification", OBJ_NOTIFICATION, RAE_RIGHT_SIGNAL, do_msi_notification},
    {"INTERRUPT_ACK_TSC", OBJ_INTERRUPT, RAE_RIGHT_WRITE, do_interrupt_ack_tsc},
    {"PCI_CONFIG_READ", OBJ_RESOURCE, RAE_RIGHT_MANAGE, do_pci_config_read},
    {"PCI_BARS_PROBE", OBJ_RESOURCE, RAE_RIGHT_MANAGE, do_pci_bars_probe},
};

/* The rows that need a resource: skipped when none came. */
static int needs_root(const case_t *k)
{
	return k->object >= OBJ_RESOURCE || k->call == do_interrupt_notification ||
	       k->call == do_console_notification || k->call == do_msi_notification;
}

/* The rights objects of each kind are made with. */
static uint32_t made_rights(int object)
{
	switch (object) {
	case OBJ_RESOURCE: return RAE_RIGHT_MANAGE | RAE_RIGHT_DUPLICATE | RAE_RIGHT_TRANSFER;
	case OBJ_INTERRUPT: return RAE_RIGHT_WRITE | RAE_RIGHT_DUPLICATE | RAE_RIGHT_TRANSFER;
	case OBJ_IOPORT:
		return RAE_RIGHT_READ | RAE_RIGHT_WRITE | RAE_RIGHT_DUPLICATE | RAE_RIGHT_TRANSFER;
	case OBJ_DEVICE:
		return RAE_RIGHT_READ | RAE_RIGHT_WRITE | RAE_RIGHT_MANAGE | RAE_RIGHT_DUPLICATE |
		       RAE_RIGHT_TRANSFER;
	case OBJ_PIPE_READ:
		return RAE_RIGHT_READ | RAE_RIGHT_WAIT | RAE_RIGHT_DUPLICATE | RAE_RIGHT_TRANSFER;
	case OBJ_PIPE_WRITE:
		return RAE_RIGHT_WRITE | RAE_RIGHT_WAIT | RAE_RIGHT_DUPLICATE | RAE_RIGHT_TRANSFER;
	case OBJ_PROCESS:
	case OBJ_THREAD:
		return RAE_RIGHT_READ | RAE_RIGHT_WAIT | RAE_RIGHT_MANAGE | RAE_RIGHT_DUPLICATE |
		       RAE_RIGHT_TRANSFER;
	default:
		return RAE_RIGHT_READ | RAE_RIGHT_WRITE | RAE_RIGHT_MAP | RAE_RIGHT_TRANSFER |
		       RAE_RIGHT_DUPLICATE;
	}
}

static rae_handle_t fresh(int object)
{
	switch (object) {
	case OBJ_ENDPOINT: return (rae_handle_t)rae_sys_endpoint_create();
	case OBJ_NOTIFICATION: return (rae_handle_t)rae_sys_notify_create();
	case OBJ_MEMORY: return (rae_handle_t)rae_sys_mem_create(4096, 0);
	case OBJ_PROCESS: return (rae_handle_t)rae_sys_spawn("bin/hello"); /* ends at once */
	case OBJ_THREAD: return (rae_handle_t)rae_sys_thread_create(quick_thread, 7, 0);
	case OBJ_PIPE_READ:
	case OBJ_PIPE_WRITE: {
		/* One end, the other closed, so no call on it waits. */
		rae_handle_t e[2];
		if (rae_pipe_create(e) != RAE_OK)
			return 0;
		int keep = object == OBJ_PIPE_WRITE;
		rae_handle_close(e[!keep]);
		return e[keep];
	}
	case OBJ_RESOURCE: return (rae_handle_t)rae_sys_handle_dup(root, made_rights(OBJ_RESOURCE));
	case OBJ_IOPORT: return (rae_handle_t)rae_sys_ioport_create(root, 0x80, 1);
	case OBJ_DEVICE: return (rae_handle_t)rae_sys_device_create(root, HOST_BRIDGE);
	case OBJ_DMA: {
		/* The memory keeps the function; its device object may go. */
		int64_t d = rae_sys_device_create(root, HOST_BRIDGE);
		int64_t m = d > 0 ? rae_sys_dma_create((rae_handle_t)d, 4096, 0) : d;
		rae_handle_close((rae_handle_t)d);
		return m > 0 ? (rae_handle_t)m : 0;
	}
	case OBJ_INTERRUPT: {
		/* Bound to a notification this table then forgets: it goes with
		 * the process. RAE_ERR_UNSUPPORTED without an IOAPIC. */
		int64_t n = rae_sys_notify_create();
		int64_t h = rae_sys_interrupt_create(root, 8, (rae_handle_t)n, 1, RAE_IRQ_ISA);
		rae_handle_close((rae_handle_t)n);
		return h > 0 ? (rae_handle_t)h : 0;
	}
	default: return (rae_handle_t)rae_sys_job_create(0, 8, 8, 4096, 64);
	}
}

int main(uint64_t arg)
{
	if (arg) {
		rae_msg_t m = {0}, reply = {0};
		if (rae_ipc_receive((rae_handle_t)arg, &m, 10000000000ull) != RAE_OK ||
		    m.handle_count != 1)
			return 100;
		root = m.handles[0];
		platform_flags = m.words[0];
		rae_ipc_reply(&reply);
	}
	int failures = 0, tried = 0;
	for (unsigned c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		const case_t *k = &cases[c];
		if (needs_root(k) && !root)
			continue;
		for (uint32_t bit = 1; bit <= RAE_RIGHTS_ALL; bit <<= 1) {
			if (!(k->needs & bit))
				continue;
			rae_handle_t full = fresh(k->object);
			if (k->object == OBJ_INTERRUPT && !full) {
				/* Only a machine without interrupt lines (acpi=off)
				 * may fail to make one. */
				if (platform_flags & 1) {
					failures++;
					rae_puts("rightstest: FAILED: no interrupt object\n");
				}
				continue;
			}
			/* Everything the object type offers, minus this one right. */
			int64_t weak = rae_sys_handle_dup(full, RAE_RIGHTS_ALL & ~bit & ~0u);
			if (weak < 0) /* objects made with fewer rights: dup what they have */
				weak = rae_sys_handle_dup(full, made_rights(k->object) & ~bit);
			tried++;
			int64_t r = weak > 0 ? k->call((rae_handle_t)weak) : weak;
			if (r != RAE_ERR_ACCESS_DENIED) {
				failures++;
				rae_puts("rightstest: FAILED: ");
				rae_puts(k->name);
				rae_puts(" without right ");
				rae_put_hex(bit);
				rae_puts(" returned ");
				rae_put_dec(r);
				rae_puts("\n");
			}
			if (weak > 0)
				rae_handle_close((rae_handle_t)weak);
			/* With every right it has, the rights check passes. */
			if (k->call(full) == RAE_ERR_ACCESS_DENIED) {
				failures++;
				rae_puts("rightstest: FAILED: ");
				rae_puts(k->name);
				rae_puts(" denied with all rights\n");
			}
			rae_handle_close(full);
		}
	}
	rae_puts("rightstest: ");
	rae_put_dec(tried);
	rae_puts(failures ? " cases, some failed\n" : " cases, all denied as they should be\n");
	return failures;
}
