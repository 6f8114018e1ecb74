/* The OS layer ACPICA calls (acpiosxf.h), on RaeCore: the heap, ACPI tables
 * from the kernel's copy and device memory through MEM_CREATE_PHYS, I/O
 * ports enabled as AML first touches them, PCI configuration space read
 * through the kernel (PCI_CONFIG_READ), locks and semaphores on futexes, a
 * worker thread for deferred work, and the SCI through an interrupt object. */
#include <acpi.h>
#include <rae.h>
#include <rae_heap.h>
#include <string.h>

#include "acpid.h"

rae_handle_t acpid_root;
acpi_copy_t acpid_tables;

/* --- threads ------------------------------------------------------------ */

/* Each thread that runs ACPICA code points its FS base at one of these, so
 * acpi_os_get_thread_id can tell threads apart (ACPICA's mutex owners). */
typedef struct osl_thread {
	struct osl_thread *self; /* %fs:0 */
	uint64_t id;
} osl_thread_t;

static uint64_t osl_next_thread_id;

void osl_thread_init(void)
{
	osl_thread_t *t = acpi_os_allocate(sizeof(*t));
	if (!t) {
		rae_puts("acpid: out of memory for a thread's identity; exiting\n");
		rae_exit(1);
	}
	t->self = t;
	t->id = __atomic_add_fetch(&osl_next_thread_id, 1, __ATOMIC_RELAXED);
	rae_set_tls_base((uint64_t)(uintptr_t)t);
}

acpi_thread_id acpi_os_get_thread_id(void)
{
	osl_thread_t *t;
	__asm__ volatile("mov %%fs:0, %0" : "=r"(t));
	return t->id;
}

/* --- locks and semaphores ---------------------------------------------- */

typedef struct {
	uint32_t held;
} osl_lock_t;

acpi_status acpi_os_create_lock(acpi_spinlock *out)
{
	osl_lock_t *l = acpi_os_allocate(sizeof(*l));
	if (!l)
		return AE_NO_MEMORY;
	l->held = 0;
	*out = l;
	return AE_OK;
}

void acpi_os_delete_lock(acpi_spinlock handle)
{
	acpi_os_free(handle);
}

/* A lock ACPICA holds for a few instructions; the SCI runs in a thread of
 * its own, so yielding while it waits can never deadlock with it. */
acpi_cpu_flags acpi_os_acquire_lock(acpi_spinlock handle)
{
	osl_lock_t *l = handle;
	while (__atomic_exchange_n(&l->held, 1, __ATOMIC_ACQUIRE))
		rae_yield();
	return 0;
}

void acpi_os_release_lock(acpi_spinlock handle, acpi_cpu_flags flags)
{
	(void)flags;
	__atomic_store_n(&((osl_lock_t *)handle)->held, 0, __ATOMIC_RELEASE);
}

typedef struct {
	uint32_t units; /* futex word */
	uint32_t max;
} osl_semaphore_t;

acpi_status acpi_os_create_semaphore(u32 max_units, u32 initial_units, acpi_semaphore *out)
{
	if (!out || initial_units > max_units)
		return AE_BAD_PARAMETER;
	osl_semaphore_t *s = acpi_os_allocate(sizeof(*s));
	if (!s)
		return AE_NO_MEMORY;
	s->units = initial_units;
	s->max = max_units;
	*out = s;
	return AE_OK;
}

acpi_status acpi_os_delete_semaphore(acpi_semaphore handle)
{
	if (!handle)
		return AE_BAD_PARAMETER;
	acpi_os_free(handle);
	return AE_OK;
}

/* timeout: milliseconds, 0 to try once, ACPI_WAIT_FOREVER to wait forever. */
acpi_status acpi_os_wait_semaphore(acpi_semaphore handle, u32 units, u16 timeout)
{
	osl_semaphore_t *s = handle;
	if (!s || units == 0)
		return AE_BAD_PARAMETER;
	uint64_t deadline = timeout == ACPI_WAIT_FOREVER
				? UINT64_MAX
				: rae_clock_ns() + (uint64_t)timeout * 1000000ull;
	for (;;) {
		uint32_t have = __atomic_load_n(&s->units, __ATOMIC_ACQUIRE);
		if (have >= units) {
			if (__atomic_compare_exchange_n(&s->units, &have, have - units, false,
							__ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
				return AE_OK;
			continue;
		}
		uint64_t now = rae_clock_ns();
		if (timeout == 0 || now >= deadline)
			return AE_TIME;
		rae_futex_wait(&s->units, have,
			       deadline == UINT64_MAX ? RAE_TIMEOUT_NEVER : deadline - now);
	}
}

acpi_status acpi_os_signal_semaphore(acpi_semaphore handle, u32 units)
{
	osl_semaphore_t *s = handle;
	if (!s || units == 0)
		return AE_BAD_PARAMETER;
	uint32_t have = __atomic_load_n(&s->units, __ATOMIC_RELAXED);
	do {
		if (units > s->max - have)
			return AE_LIMIT;
	} while (!__atomic_compare_exchange_n(&s->units, &have, have + units, false,
					      __ATOMIC_RELEASE, __ATOMIC_RELAXED));
	rae_futex_wake(&s->units, UINT32_MAX);
	return AE_OK;
}

/* --- memory ------------------------------------------------------------ */

/* librae's heap is not thread-safe: every use goes through these. */
static osl_lock_t osl_heap_lock;

void *acpi_os_allocate(acpi_size size)
{
	acpi_os_acquire_lock(&osl_heap_lock);
	void *p = rae_heap_alloc(size ? size : 1);
	acpi_os_release_lock(&osl_heap_lock, 0);
	return p;
}

void acpi_os_free(void *memory)
{
	if (!memory)
		return;
	acpi_os_acquire_lock(&osl_heap_lock);
	rae_heap_free(memory);
	acpi_os_release_lock(&osl_heap_lock, 0);
}

/* Device memory ACPICA has mapped (AML SystemMemory regions, registers of
 * the fixed hardware); tables come from the copy and are never here.
 * Guarded by osl_maps_lock. */
#define OSL_MAPS_MAX 32
static struct {
	uint64_t phys; /* page aligned */
	uint64_t bytes;
	uint64_t addr; /* 0: a free slot */
	uint32_t uses;
} osl_maps[OSL_MAPS_MAX];
static osl_lock_t osl_maps_lock;

static void *osl_map_device(uint64_t where, uint64_t length)
{
	uint64_t base = where & ~0xfffull;
	uint64_t end = (where + length + 0xfff) & ~0xfffull;
	if (end <= base)
		return NULL;
	void *out = NULL;
	acpi_os_acquire_lock(&osl_maps_lock);
	int free_slot = -1;
	for (int i = 0; i < OSL_MAPS_MAX && !out; i++) {
		if (!osl_maps[i].addr) {
			if (free_slot < 0)
				free_slot = i;
		} else if (base >= osl_maps[i].phys &&
			   end <= osl_maps[i].phys + osl_maps[i].bytes) {
			osl_maps[i].uses++;
			out = (void *)(uintptr_t)(osl_maps[i].addr + (where - osl_maps[i].phys));
		}
	}
	if (!out && free_slot >= 0) {
		rae_handle_t mem;
		/* Refused for RAM and the kernel's own devices: AML may name
		 * neither, and ACPICA reports the region as unusable. */
		if (rae_mem_create_phys(acpid_root, base, end - base, RAE_MEM_PHYS_UNCACHED,
					&mem) == RAE_OK) {
			int64_t at = rae_mem_map(mem, RAE_PROT_READ | RAE_PROT_WRITE);
			rae_handle_close(mem); /* the mapping keeps the object */
			if (at > 0) {
				osl_maps[free_slot].phys = base;
				osl_maps[free_slot].bytes = end - base;
				osl_maps[free_slot].addr = (uint64_t)at;
				osl_maps[free_slot].uses = 1;
				out = (void *)(uintptr_t)((uint64_t)at + (where - base));
			}
		}
	}
	acpi_os_release_lock(&osl_maps_lock, 0);
	return out;
}

void *acpi_os_map_memory(acpi_physical_address where, acpi_size length)
{
	const void *table = acpi_copy_find(&acpid_tables, where, length ? length : 1);
	if (table)
		return (void *)table; /* our private, writable copy */
	return osl_map_device(where, length ? length : 1);
}

void acpi_os_unmap_memory(void *logical_address, acpi_size size)
{
	uint64_t p = (uint64_t)(uintptr_t)logical_address;
	(void)size;
	if (p >= (uint64_t)(uintptr_t)acpid_tables.base &&
	    p < (uint64_t)(uintptr_t)acpid_tables.base + acpid_tables.size)
		return;
	acpi_os_acquire_lock(&osl_maps_lock);
	for (int i = 0; i < OSL_MAPS_MAX; i++) {
		if (osl_maps[i].addr && p >= osl_maps[i].addr &&
		    p < osl_maps[i].addr + osl_maps[i].bytes) {
			if (--osl_maps[i].uses == 0) {
				rae_mem_unmap(osl_maps[i].addr);
				osl_maps[i].addr = 0;
			}
			break;
		}
	}
	acpi_os_release_lock(&osl_maps_lock, 0);
}

acpi_status acpi_os_read_memory(acpi_physical_address address, u64 *value, u32 width)
{
	volatile void *p = acpi_os_map_memory(address, width / 8);
	if (!p)
		return AE_BAD_ADDRESS;
	switch (width) {
	case 8: *value = *(volatile uint8_t *)p; break;
	case 16: *value = *(volatile uint16_t *)p; break;
	case 32: *value = *(volatile uint32_t *)p; break;
	case 64: *value = *(volatile uint64_t *)p; break;
	default: acpi_os_unmap_memory((void *)p, width / 8); return AE_BAD_PARAMETER;
	}
	acpi_os_unmap_memory((void *)p, width / 8);
	return AE_OK;
}

acpi_status acpi_os_write_memory(acpi_physical_address address, u64 value, u32 width)
{
	volatile void *p = acpi_os_map_memory(address, width / 8);
	if (!p)
		return AE_BAD_ADDRESS;
	switch (width) {
	case 8: *(volatile uint8_t *)p = (uint8_t)value; break;
	case 16: *(volatile uint16_t *)p = (uint16_t)value; break;
	case 32: *(volatile uint32_t *)p = (uint32_t)value; break;
	case 64: *(volatile uint64_t *)p = value; break;
	default: acpi_os_unmap_memory((void *)p, width / 8); return AE_BAD_PARAMETER;
	}
	acpi_os_unmap_memory((void *)p, width / 8);
	return AE_OK;
}

/* --- I/O ports ---------------------------------------------------------- */

/* The ports this process may use, one bit each: each range is enabled the
 * first time AML or the fixed hardware touches it, so the service holds
 * only the ports its firmware names. Guarded by osl_ports_lock. */
static uint8_t osl_ports[0x10000 / 8];
static osl_lock_t osl_ports_lock;

rae_status_t osl_ports_enable(uint16_t port, unsigned count)
{
	if (count == 0 || (uint32_t)port + count > 0x10000)
		return RAE_ERR_RANGE;
	rae_status_t st = RAE_OK;
	acpi_os_acquire_lock(&osl_ports_lock);
	bool all = true;
	for (unsigned i = 0; i < count; i++)
		all = all && (osl_ports[(port + i) / 8] & (1u << ((port + i) % 8)));
	if (!all) {
		rae_handle_t io;
		st = rae_ioport_create(acpid_root, port, count, &io);
		if (st == RAE_OK) {
			st = rae_ioport_enable(io);
			rae_handle_close(io); /* access lasts as long as the process */
		}
		for (unsigned i = 0; st == RAE_OK && i < count; i++)
			osl_ports[(port + i) / 8] |= (uint8_t)(1u << ((port + i) % 8));
	}
	acpi_os_release_lock(&osl_ports_lock, 0);
	return st;
}

static inline uint16_t osl_inw(uint16_t port)
{
	uint16_t v;
	__asm__ volatile("inw %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline uint32_t osl_inl(uint16_t port)
{
	uint32_t v;
	__asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline void osl_outw(uint16_t port, uint16_t v)
{
	__asm__ volatile("outw %0, %1" : : "a"(v), "Nd"(port));
}

static inline void osl_outl(uint16_t port, uint32_t v)
{
	__asm__ volatile("outl %0, %1" : : "a"(v), "Nd"(port));
}

acpi_status acpi_os_read_port(acpi_io_address address, u32 *value, u32 width)
{
	if ((width != 8 && width != 16 && width != 32) || address > 0xffff ||
	    osl_ports_enable((uint16_t)address, width / 8) != RAE_OK)
		return AE_BAD_PARAMETER;
	uint16_t port = (uint16_t)address;
	*value = width == 8 ? rae_inb(port) : width == 16 ? osl_inw(port) : osl_inl(port);
	return AE_OK;
}

acpi_status acpi_os_write_port(acpi_io_address address, u32 value, u32 width)
{
	if ((width != 8 && width != 16 && width != 32) || address > 0xffff ||
	    osl_ports_enable((uint16_t)address, width / 8) != RAE_OK)
		return AE_BAD_PARAMETER;
	uint16_t port = (uint16_t)address;
	if (width == 8)
		rae_outb(port, (uint8_t)value);
	else if (width == 16)
		osl_outw(port, (uint16_t)value);
	else
		osl_outl(port, value);
	return AE_OK;
}

/* --- PCI configuration space ------------------------------------------ */

/* Configuration space is the kernel's (the 0xcf8 ports and the ECAM
 * windows are refused to every process): AML's reads go through
 * PCI_CONFIG_READ on the root resource, which takes the kernel's
 * configuration lock. Writes are refused: no process may write another
 * function's configuration space behind its driver (or the PCI service's)
 * back, and the AML RaeenOS runs (S5, the power button, _PRT and the link
 * devices' _CRS) only reads. An _SRS that would reprogram an interrupt link
 * fails with AE_SUPPORT. */
static acpi_status osl_pci_access(struct acpi_pci_id *id, u32 reg, u64 *value, u32 width,
				  bool write)
{
	if (!id || id->bus > 255 || id->device > 31 || id->function > 7 ||
	    (width != 8 && width != 16 && width != 32 && width != 64) ||
	    reg % (width == 64 ? 4 : width / 8))
		return AE_BAD_PARAMETER;
	if (write)
		return AE_SUPPORT;
	uint64_t address = RAE_PCI_ADDRESS(id->segment, id->bus, id->device, id->function);
	*value = 0;
	for (u32 done = 0; done < width / 8; done += 4) {
		u32 bytes = width / 8 - done > 4 ? 4 : width / 8 - done;
		int64_t v = rae_sys_pci_config_read(acpid_root, address, reg + done, bytes);
		if (v < 0)
			return v == RAE_ERR_RANGE ? AE_BAD_PARAMETER : AE_ERROR;
		*value |= (u64)(uint64_t)v << (done * 8);
	}
	return AE_OK;
}

acpi_status acpi_os_read_pci_configuration(struct acpi_pci_id *pci_id, u32 reg, u64 *value,
					   u32 width)
{
	return osl_pci_access(pci_id, reg, value, width, false);
}

acpi_status acpi_os_write_pci_configuration(struct acpi_pci_id *pci_id, u32 reg, u64 value,
					    u32 width)
{
	return osl_pci_access(pci_id, reg, &value, width, true);
}

/* --- time ----------------------------------------------------------------- */

u64 acpi_os_get_timer(void)
{
	return rae_clock_ns() / 100; /* ACPICA counts 100 ns units */
}

void acpi_os_sleep(u64 milliseconds)
{
	rae_sleep_ns(milliseconds * 1000000ull);
}

void acpi_os_stall(u32 microseconds)
{
	uint64_t end = rae_clock_ns() + (uint64_t)microseconds * 1000ull;
	while (rae_clock_ns() < end)
		__asm__ volatile("pause");
}

/* --- deferred work ---------------------------------------------------- */

/* acpi_os_execute's queue, run in order by one worker thread (notify and
 * GPE handlers, the power button's shutdown). */
#define OSL_WORK_MAX 64
static struct {
	acpi_osd_exec_callback function;
	void *context;
} osl_work[OSL_WORK_MAX];
static uint32_t osl_work_head, osl_work_tail; /* guarded by osl_work_lock */
static osl_lock_t osl_work_lock;
static osl_semaphore_t osl_work_queued = {0, OSL_WORK_MAX};
static uint32_t osl_work_outstanding; /* queued or running; futex word */
static uint64_t osl_worker_id;

static void osl_worker(uint64_t arg)
{
	(void)arg;
	osl_thread_init();
	osl_worker_id = acpi_os_get_thread_id();
	for (;;) {
		if (acpi_os_wait_semaphore(&osl_work_queued, 1, ACPI_WAIT_FOREVER) != AE_OK)
			continue;
		acpi_os_acquire_lock(&osl_work_lock);
		acpi_osd_exec_callback function = osl_work[osl_work_head % OSL_WORK_MAX].function;
		void *context = osl_work[osl_work_head % OSL_WORK_MAX].context;
		osl_work_head++;
		acpi_os_release_lock(&osl_work_lock, 0);
		function(context);
		__atomic_sub_fetch(&osl_work_outstanding, 1, __ATOMIC_RELEASE);
		rae_futex_wake(&osl_work_outstanding, UINT32_MAX);
	}
}

acpi_status acpi_os_execute(acpi_execute_type type, acpi_osd_exec_callback function, void *context)
{
	(void)type;
	if (!function)
		return AE_BAD_PARAMETER;
	acpi_os_acquire_lock(&osl_work_lock);
	if (osl_work_tail - osl_work_head >= OSL_WORK_MAX) {
		acpi_os_release_lock(&osl_work_lock, 0);
		return AE_NO_MEMORY;
	}
	osl_work[osl_work_tail % OSL_WORK_MAX].function = function;
	osl_work[osl_work_tail % OSL_WORK_MAX].context = context;
	osl_work_tail++;
	__atomic_add_fetch(&osl_work_outstanding, 1, __ATOMIC_RELAXED);
	acpi_os_release_lock(&osl_work_lock, 0);
	acpi_os_signal_semaphore(&osl_work_queued, 1);
	return AE_OK;
}

void acpi_os_wait_events_complete(void)
{
	/* Called from the worker itself (a handler removing a handler), it
	 * waits for the others only. */
	uint32_t mine = acpi_os_get_thread_id() == osl_worker_id ? 1 : 0;
	for (;;) {
		uint32_t n = __atomic_load_n(&osl_work_outstanding, __ATOMIC_ACQUIRE);
		if (n <= mine)
			return;
		rae_futex_wait(&osl_work_outstanding, n, RAE_TIMEOUT_NEVER);
	}
}

/* --- the SCI ------------------------------------------------------------ */

#define SCI_BIT_IRQ  0x1
#define SCI_BIT_STOP 0x2

static struct {
	acpi_osd_handler handler;
	void *context;
	uint32_t gsi;
	rae_handle_t notify, irq;
} osl_sci;

static void osl_sci_thread(uint64_t arg)
{
	(void)arg;
	osl_thread_init();
	/* Taken once: removing the handler clears osl_sci.handler while this
	 * thread may still be between a wake-up and the call. */
	acpi_osd_handler handler = osl_sci.handler;
	void *context = osl_sci.context;
	rae_handle_t notify = osl_sci.notify, irq = osl_sci.irq;
	for (;;) {
		int64_t bits = rae_notify_wait(notify, RAE_TIMEOUT_NEVER);
		if (bits < 0 || (bits & SCI_BIT_STOP))
			break;
		handler(context);
		rae_interrupt_ack(irq);
	}
	/* Removed: the line goes back with the last handle. */
	rae_handle_close(irq);
	rae_handle_close(notify);
	rae_thread_exit(0);
}

acpi_status acpi_os_install_interrupt_handler(u32 interrupt_number, acpi_osd_handler handler,
					      void *context)
{
	if (!handler || interrupt_number >= RAE_RESOURCE_IRQ_END)
		return AE_BAD_PARAMETER;
	if (osl_sci.handler)
		return AE_ALREADY_EXISTS;
	osl_sci.handler = handler;
	osl_sci.context = context;
	osl_sci.gsi = interrupt_number;
	/* The FADT names the SCI as an ISA IRQ on PC systems: the kernel
	 * applies the MADT's override (QEMU: level, active high). Past the
	 * ISA lines it is a GSI, level-triggered and active low as ACPI says. */
	uint64_t flags = interrupt_number < 16 ? RAE_IRQ_ISA : RAE_IRQ_LEVEL | RAE_IRQ_ACTIVE_LOW;
	rae_handle_t thread;
	rae_status_t st = rae_notify_create(&osl_sci.notify);
	if (st == RAE_OK)
		st = rae_interrupt_create(acpid_root, interrupt_number, osl_sci.notify, SCI_BIT_IRQ,
					  flags, &osl_sci.irq);
	if (st == RAE_OK)
		st = rae_thread_create(osl_sci_thread, 0, 0, &thread);
	if (st != RAE_OK) {
		rae_printf("acpid: cannot take the SCI (IRQ %u): %s\n", interrupt_number,
			   rae_status_name(st));
		if (osl_sci.irq)
			rae_handle_close(osl_sci.irq);
		if (osl_sci.notify)
			rae_handle_close(osl_sci.notify);
		osl_sci.handler = NULL;
		osl_sci.irq = osl_sci.notify = 0;
		return AE_ERROR;
	}
	rae_handle_close(thread);
	return AE_OK;
}

acpi_status acpi_os_remove_interrupt_handler(u32 interrupt_number, acpi_osd_handler handler)
{
	if (!osl_sci.handler || handler != osl_sci.handler || interrupt_number != osl_sci.gsi)
		return AE_NOT_EXIST;
	/* The SCI's thread closes the interrupt object once it stopped, so
	 * no acknowledgement can meet a closed handle. */
	osl_sci.handler = NULL;
	rae_notify_signal(osl_sci.notify, SCI_BIT_STOP);
	return AE_OK;
}

/* --- output and the rest -------------------------------------------------- */

/* ACPICA prints pieces of lines; they are gathered and printed a line at
 * a time. Guarded by osl_print_lock. */
/* ACPICA's own (utprint.c); the Linux-style tree declares it nowhere. */
int vsnprintf(char *string, acpi_size size, const char *format, va_list args);

static char osl_line[256];
static size_t osl_line_len;
static osl_lock_t osl_print_lock;

void acpi_os_vprintf(const char *format, va_list args)
{
	char piece[256];
	vsnprintf(piece, sizeof(piece), format, args);
	acpi_os_acquire_lock(&osl_print_lock);
	for (const char *c = piece; *c; c++) {
		if (*c != '\n' && osl_line_len < sizeof(osl_line) - 1) {
			osl_line[osl_line_len++] = *c;
			continue;
		}
		osl_line[osl_line_len] = '\0';
		/* ACPICA's information lines ("ACPI: " and a table's header,
		 * its count of AML tables loaded) are not printed: each costs a
		 * console line at every boot, and the tables are one summary
		 * line of main.c's. Errors, warnings and exceptions are. */
		if (strncmp(osl_line, "ACPI: ", 6) != 0)
			rae_printf("acpid: %s\n", osl_line);
		osl_line_len = 0;
		if (*c != '\n')
			osl_line[osl_line_len++] = *c;
	}
	acpi_os_release_lock(&osl_print_lock, 0);
}

void acpi_os_printf(const char *format, ...)
{
	va_list args;
	va_start(args, format);
	acpi_os_vprintf(format, args);
	va_end(args);
}

acpi_status acpi_os_initialize(void)
{
	rae_handle_t thread;
	if (rae_thread_create(osl_worker, 0, 0, &thread) != RAE_OK)
		return AE_NO_MEMORY;
	rae_handle_close(thread);
	return AE_OK;
}

acpi_status acpi_os_terminate(void)
{
	return AE_OK;
}

acpi_physical_address acpi_os_get_root_pointer(void)
{
	return acpi_copy_rsdp_address(&acpid_tables);
}

acpi_status acpi_os_predefined_override(const struct acpi_predefined_names *init_val,
					acpi_string *new_val)
{
	(void)init_val;
	*new_val = NULL;
	return AE_OK;
}

acpi_status acpi_os_table_override(struct acpi_table_header *existing_table,
				   struct acpi_table_header **new_table)
{
	(void)existing_table;
	*new_table = NULL;
	return AE_OK;
}

acpi_status acpi_os_physical_table_override(struct acpi_table_header *existing_table,
					    acpi_physical_address *new_address,
					    u32 *new_table_length)
{
	(void)existing_table;
	*new_address = 0;
	*new_table_length = 0;
	return AE_OK;
}

/* Fatal() and Breakpoint() in AML: reported, nothing stops. */
acpi_status acpi_os_signal(u32 function, void *info)
{
	if (function == ACPI_SIGNAL_FATAL) {
		struct acpi_signal_fatal_info *f = info;
		rae_printf("acpid: AML Fatal(type %#x, code %#x, argument %#x)\n", f->type, f->code,
			   f->argument);
	}
	return AE_OK;
}

acpi_status acpi_os_enter_sleep(u8 sleep_state, u32 rega_value, u32 regb_value)
{
	(void)sleep_state;
	(void)rega_value;
	(void)regb_value;
	return AE_OK; /* go on: ACPICA writes the sleep registers */
}
