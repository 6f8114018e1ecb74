/* Device objects (object/device.h): a PCI function's configuration space,
 * bus mastering, reset and message-signalled interrupt entries, kept by the
 * kernel for the function's driver. Lock order: devices_lock, then a
 * function's lock, then the configuration ports' lock (hal/pci.h). */
#include <console/kprintf.h>
#include <hal/platform.h>
#include <mm/kmalloc.h>
#include <mm/page.h>
#include <mm/vm.h>
#include <mm/vmm.h>
#include <object/device.h>
#include <object/memory.h>
#include <pci/pci_bars.h>
#include <sched/thread.h>
#include <smp/smp.h>
#include <sync/lock_levels.h>
#include <time/clock.h>

#define PCI_VENDOR_NONE     0xffff
#define PCI_FLR_WAIT_NS     100000000ull /* PCIe: 100 ms after an FLR before any access */
#define PCI_PENDING_POLL_NS 10000000ull
#define PCI_BAR_IO          0x1
#define PCI_BAR_TYPE_MASK   0x6
#define PCI_BAR_TYPE_64     0x4
#define PCI_BAR_MEMORY_MASK (~0xfull)
#define PCI_BARS_ENDPOINT   6
#define PCI_HEADER_DWORDS   16

static spinlock_t devices_lock = SPINLOCK_INIT("devices", LOCK_LEVEL_DEVICES);
static pci_function_t *devices; /* every pci_function_t; guarded by devices_lock */

static uint32_t pci_function_read(void *ctx, unsigned offset, unsigned width)
{
	return hal_pci_config_read(&((pci_function_t *)ctx)->config, offset, width);
}

void pci_function_ref(pci_function_t *fn)
{
	__atomic_fetch_add(&fn->refs, 1, __ATOMIC_RELAXED);
}

void pci_function_unref(pci_function_t *fn)
{
	if (__atomic_fetch_sub(&fn->refs, 1, __ATOMIC_ACQ_REL) != 1)
		return;
	bool irq = spin_lock_irqsave(&devices_lock);
	for (pci_function_t **p = &devices; *p; p = &(*p)->next) {
		if (*p == fn) {
			*p = fn->next;
			break;
		}
	}
	spin_unlock_irqrestore(&devices_lock, irq);
	kfree(fn);
}

bool pci_function_device_alive(pci_function_t *fn)
{
	bool irq = spin_lock_irqsave(&fn->lock);
	bool alive = fn->device_alive;
	spin_unlock_irqrestore(&fn->lock, irq);
	return alive;
}

/* The command register with bit `bits` set or cleared. fn->lock held. */
static void pci_command_update(pci_function_t *fn, uint16_t bits, bool on)
{
	uint16_t cmd = (uint16_t)hal_pci_config_read(&fn->config, PCI_COMMAND, 2);
	uint16_t want = on ? (uint16_t)(cmd | bits) : (uint16_t)(cmd & ~bits);
	if (want != cmd)
		hal_pci_config_write(&fn->config, PCI_COMMAND, 2, want);
}

void pci_function_set_bus_master(pci_function_t *fn, bool on)
{
	bool irq = spin_lock_irqsave(&fn->lock);
	pci_command_update(fn, PCI_COMMAND_MASTER, on);
	fn->bus_master = on;
	spin_unlock_irqrestore(&fn->lock, irq);
}

static void device_destroy(kobject_t *o)
{
	device_t *d = (device_t *)o;
	pci_function_t *fn = d->fn;
	/* Its interrupt objects are gone (each held a reference). The
	 * device must not write memory once nobody drives it: off before
	 * any DMA memory of it can be freed. */
	bool irq = spin_lock_irqsave(&fn->lock);
	pci_command_update(fn, PCI_COMMAND_MASTER, false);
	fn->bus_master = false;
	fn->device_alive = false;
	spin_unlock_irqrestore(&fn->lock, irq);
	pci_function_unref(fn);
	kfree(d);
}

device_t *device_create(uint64_t address, rae_status_t *status)
{
	if (address >= RAE_RESOURCE_PCI_END) {
		*status = RAE_ERR_RANGE;
		return NULL;
	}
	pci_function_t *fn = kzalloc(sizeof(*fn));
	device_t *d = kzalloc(sizeof(*d));
	if (!fn || !d) {
		kfree(fn);
		kfree(d);
		*status = RAE_ERR_NO_MEMORY;
		return NULL;
	}
	rae_status_t st = hal_pci_config_open((uint32_t)address, &fn->config);
	if (st == RAE_OK && hal_pci_config_read(&fn->config, PCI_VENDOR_ID, 2) == PCI_VENDOR_NONE)
		st = RAE_ERR_NOT_FOUND;
	if (st != RAE_OK) {
		kfree(fn);
		kfree(d);
		*status = st;
		return NULL;
	}
	spinlock_init(&fn->lock, "pci function", LOCK_LEVEL_DEVICE);
	fn->refs = 1;
	fn->vendor = (uint16_t)hal_pci_config_read(&fn->config, PCI_VENDOR_ID, 2);
	fn->device = (uint16_t)hal_pci_config_read(&fn->config, PCI_DEVICE_ID, 2);
	pci_caps_scan(pci_function_read, fn, &fn->caps);
	fn->bus_master = hal_pci_config_read(&fn->config, PCI_COMMAND, 2) & PCI_COMMAND_MASTER;
	fn->device_alive = true;
	bool irq = spin_lock_irqsave(&devices_lock);
	for (pci_function_t *f = devices; f; f = f->next) {
		if (f->config.address == fn->config.address) {
			spin_unlock_irqrestore(&devices_lock, irq);
			kfree(fn);
			kfree(d);
			*status = RAE_ERR_BUSY;
			return NULL;
		}
	}
	fn->next = devices;
	devices = fn;
	spin_unlock_irqrestore(&devices_lock, irq);
	if (fn->caps.list_broken)
		kprintf(
		    "device %04x:%02x:%02x.%x: capability list broken, walked up to the fault\n",
		    (unsigned)RAE_PCI_SEGMENT(address), (unsigned)RAE_PCI_BUS(address),
		    (unsigned)RAE_PCI_DEVICE(address), (unsigned)RAE_PCI_FUNCTION(address));
	kobject_init(&d->obj, RAE_OBJ_DEVICE, device_destroy);
	d->fn = fn;
	*status = RAE_OK;
	return d;
}

rae_status_t pci_config_read_any(uint64_t address, uint64_t offset, uint64_t width, uint32_t *value)
{
	if (address >= RAE_RESOURCE_PCI_END)
		return RAE_ERR_RANGE;
	if ((width != 1 && width != 2 && width != 4) || (offset & (width - 1)))
		return RAE_ERR_INVALID;
	hal_pci_config_t config;
	rae_status_t st = hal_pci_config_open((uint32_t)address, &config);
	if (st != RAE_OK)
		return st;
	if (offset >= config.size)
		return RAE_ERR_RANGE;
	*value = hal_pci_config_read(&config, (unsigned)offset, (unsigned)width);
	return RAE_OK;
}

static uint32_t pci_bars_config_read(void *ctx, unsigned offset)
{
	return hal_pci_config_read(ctx, offset, 4);
}

static void pci_bars_config_write(void *ctx, unsigned offset, uint32_t value)
{
	hal_pci_config_write(ctx, offset, 4, value);
}

typedef struct {
	hal_pci_config_t *config;
	rae_pci_bar_probe_t *out;
	unsigned *slots;
	rae_status_t st;
} bars_job_t;

/* The probe itself, with every other CPU held (smp_run_alone). */
static void bars_size_alone(void *arg)
{
	bars_job_t *job = arg;
	/* devices_lock keeps device_create from taking the function while
	 * its BARs hold all-ones, and orders this probe against another
	 * one of the same function. A function the kernel already holds is
	 * in use: turning its decoding off would pull its BARs from under
	 * its driver. */
	bool irq = spin_lock_irqsave(&devices_lock);
	for (pci_function_t *f = devices; f; f = f->next) {
		if (f->config.address == job->config->address) {
			spin_unlock_irqrestore(&devices_lock, irq);
			job->st = RAE_ERR_BUSY;
			return;
		}
	}
	if (hal_pci_config_read(job->config, PCI_VENDOR_ID, 2) == PCI_VENDOR_NONE)
		job->st = RAE_ERR_NOT_FOUND;
	else
		*job->slots = pci_bars_probe(pci_bars_config_read, pci_bars_config_write,
					     job->config, job->out);
	spin_unlock_irqrestore(&devices_lock, irq);
}

rae_status_t pci_bars_size(uint64_t address, rae_pci_bar_probe_t out[RAE_PCI_BAR_PROBES],
			   unsigned *slots)
{
	if (address >= RAE_RESOURCE_PCI_END)
		return RAE_ERR_RANGE;
	hal_pci_config_t config;
	/* Opening may map the bus's ECAM window: before the spinlock. */
	rae_status_t st = hal_pci_config_open((uint32_t)address, &config);
	if (st != RAE_OK)
		return st;
	/* The function's decoding goes off and its BARs move while they are
	 * sized: no other CPU may touch a device meanwhile. */
	bars_job_t job = {.config = &config, .out = out, .slots = slots, .st = RAE_OK};
	smp_run_alone(bars_size_alone, &job);
	st = job.st;
	if (st == RAE_OK && *slots == 0)
		st = RAE_ERR_UNSUPPORTED;
	return st;
}

void device_info(device_t *d, rae_device_info_t *info)
{
	const pci_function_t *fn = d->fn;
	*info = (rae_device_info_t){
	    .address = fn->config.address,
	    .vendor = fn->vendor,
	    .device = fn->device,
	    .header_type = fn->caps.header_type,
	    .msi_offset = fn->caps.msi,
	    .msi_vectors = fn->caps.msi ? fn->caps.msi_vectors : 0,
	    .msix_offset = fn->caps.msix,
	    .msix_entries = fn->caps.msix ? fn->caps.msix_entries : 0,
	    .config_size = fn->config.size,
	    .flr = fn->caps.flr,
	};
	bool irq = spin_lock_irqsave(&d->fn->lock);
	info->bus_master = d->fn->bus_master;
	spin_unlock_irqrestore(&d->fn->lock, irq);
}

static rae_status_t device_config_check(const device_t *d, uint64_t offset, uint64_t width)
{
	if ((width != 1 && width != 2 && width != 4) || (offset & (width - 1)))
		return RAE_ERR_INVALID;
	if (offset >= d->fn->config.size)
		return RAE_ERR_RANGE;
	return RAE_OK;
}

rae_status_t device_config_read(device_t *d, uint64_t offset, uint64_t width, uint32_t *value)
{
	rae_status_t st = device_config_check(d, offset, width);
	if (st == RAE_OK)
		*value = hal_pci_config_read(&d->fn->config, (unsigned)offset, (unsigned)width);
	return st;
}

rae_status_t device_config_write(device_t *d, uint64_t offset, uint64_t width, uint64_t value)
{
	rae_status_t st = device_config_check(d, offset, width);
	if (st != RAE_OK)
		return st;
	if (width < 8 && (value >> (width * 8)) != 0)
		return RAE_ERR_INVALID;
	pci_function_t *fn = d->fn;
	if (!pci_config_write_allowed(&fn->caps, (unsigned)offset, (unsigned)width))
		return RAE_ERR_ACCESS_DENIED;
	uint32_t v = (uint32_t)value;
	bool irq = spin_lock_irqsave(&fn->lock);
	if (offset == PCI_COMMAND) /* every width at 4 holds the bus-master bit */
		v = (v & ~(uint32_t)PCI_COMMAND_MASTER) | (fn->bus_master ? PCI_COMMAND_MASTER : 0);
	hal_pci_config_write(&fn->config, (unsigned)offset, (unsigned)width, v);
	spin_unlock_irqrestore(&fn->lock, irq);
	return RAE_OK;
}

rae_status_t device_reset(device_t *d)
{
	pci_function_t *fn = d->fn;
	if (!fn->caps.pcie || !fn->caps.flr)
		return RAE_ERR_UNSUPPORTED;
	bool irq = spin_lock_irqsave(&fn->lock);
	if (fn->msi_objects || fn->resetting) {
		spin_unlock_irqrestore(&fn->lock, irq);
		return RAE_ERR_BUSY;
	}
	fn->resetting = true;
	pci_command_update(fn, PCI_COMMAND_MASTER, false);
	fn->bus_master = false;
	spin_unlock_irqrestore(&fn->lock, irq);

	/* The header the reset clears (BARs above all), to put back. */
	uint32_t header[PCI_HEADER_DWORDS];
	for (unsigned i = 0; i < PCI_HEADER_DWORDS; i++)
		header[i] = hal_pci_config_read(&fn->config, i * 4, 4);
	/* Let transactions in flight finish first (PCIe 6.6.2), but not
	 * forever: a stuck device is reset all the same. */
	rae_status_t st = RAE_OK;
	unsigned devsta = fn->caps.pcie + PCI_EXP_DEVSTA;
	uint64_t give_up = clock_monotonic_ns() + PCI_FLR_WAIT_NS;
	while (hal_pci_config_read(&fn->config, devsta, 2) & PCI_EXP_DEVSTA_PENDING) {
		if (clock_monotonic_ns() >= give_up) {
			st = RAE_ERR_TIMED_OUT;
			break;
		}
		thread_sleep_ns(PCI_PENDING_POLL_NS);
	}
	unsigned devctl = fn->caps.pcie + PCI_EXP_DEVCTL;
	hal_pci_config_write(&fn->config, devctl, 2,
			     hal_pci_config_read(&fn->config, devctl, 2) | PCI_EXP_DEVCTL_FLR);
	thread_sleep_ns(PCI_FLR_WAIT_NS);
	/* Cache line size and latency timer (not BIST: a write could start
	 * a self-test), the BARs to the interrupt line, then the command
	 * register (decoding back on only once the BARs are), bus mastering
	 * off. */
	hal_pci_config_write(&fn->config, PCI_CACHE_LINE_SIZE, 2,
			     (uint16_t)header[PCI_CACHE_LINE_SIZE / 4]);
	for (unsigned i = PCI_BAR0 / 4; i < PCI_HEADER_DWORDS; i++)
		hal_pci_config_write(&fn->config, i * 4, 4, header[i]);
	irq = spin_lock_irqsave(&fn->lock);
	hal_pci_config_write(&fn->config, PCI_COMMAND, 2,
			     (uint16_t)header[PCI_COMMAND / 4] & ~PCI_COMMAND_MASTER);
	fn->resetting = false;
	spin_unlock_irqrestore(&fn->lock, irq);
	return st;
}

/* The physical address of BAR `bar`'s memory, or 0 for an I/O BAR, an
 * unassigned one or one past the header's. */
static paddr_t pci_function_bar_address(pci_function_t *fn, unsigned bar)
{
	if (fn->caps.header_type != 0 || bar >= PCI_BARS_ENDPOINT)
		return 0;
	uint32_t lo = hal_pci_config_read(&fn->config, PCI_BAR0 + bar * 4, 4);
	if (lo & PCI_BAR_IO)
		return 0;
	uint64_t base = lo & PCI_BAR_MEMORY_MASK;
	if ((lo & PCI_BAR_TYPE_MASK) == PCI_BAR_TYPE_64) {
		if (bar + 1 >= PCI_BARS_ENDPOINT)
			return 0;
		base |= (uint64_t)hal_pci_config_read(&fn->config, PCI_BAR0 + (bar + 1) * 4, 4)
			<< 32;
	}
	return base;
}

/* Maps the MSI-X table for the first MSI-X object. Thread context. */
static rae_status_t pci_function_msix_map(pci_function_t *fn, volatile uint8_t **table,
					  uintptr_t *mapping)
{
	paddr_t bar = pci_function_bar_address(fn, fn->caps.msix_bar);
	uint64_t bytes = (uint64_t)fn->caps.msix_entries * PCI_MSIX_ENTRY_SIZE;
	if (bar == 0)
		return RAE_ERR_INVALID;
	paddr_t start = bar + fn->caps.msix_table_offset;
	paddr_t first = PAGE_ALIGN_DOWN(start), end = PAGE_ALIGN_UP(start + bytes);
	if (start < bar || end < start || memory_range_is_ram(first, end - first) ||
	    hal_phys_range_kernel_device(first, end - first))
		return RAE_ERR_INVALID;
	volatile uint8_t *page = vmm_map_phys(first, end - first, VM_READ | VM_WRITE | VM_UNCACHED);
	if (!page)
		return RAE_ERR_NO_MEMORY;
	*mapping = (uintptr_t)page;
	*table = page + (start - first);
	return RAE_OK;
}

rae_status_t pci_function_msi_take(pci_function_t *fn, bool msix, unsigned index)
{
	if (msix ? !fn->caps.msix : !fn->caps.msi)
		return RAE_ERR_UNSUPPORTED;
	/* One message per MSI capability: several would need a block of
	 * consecutive vectors the device picks from by its data's low bits. */
	if (msix ? index >= fn->caps.msix_entries : index != 0)
		return RAE_ERR_RANGE;
	volatile uint8_t *table = NULL;
	uintptr_t mapping = 0;
	bool irq = spin_lock_irqsave(&fn->lock);
	bool need_table = msix && !fn->msix_table;
	spin_unlock_irqrestore(&fn->lock, irq);
	if (need_table) {
		rae_status_t st = pci_function_msix_map(fn, &table, &mapping);
		if (st != RAE_OK)
			return st;
	}
	rae_status_t st = RAE_OK;
	irq = spin_lock_irqsave(&fn->lock);
	if (fn->resetting)
		st = RAE_ERR_BUSY;
	else if (msix && (fn->msix_taken[index / 64] & (1ull << (index % 64))))
		st = RAE_ERR_BUSY;
	else if (!msix && fn->msi_taken)
		st = RAE_ERR_BUSY;
	if (st == RAE_OK) {
		if (msix) {
			fn->msix_taken[index / 64] |= 1ull << (index % 64);
			fn->msix_taken_count++;
			if (!fn->msix_table) {
				fn->msix_table = table;
				fn->msix_mapping = mapping;
				mapping = 0;
			}
		} else {
			fn->msi_taken = true;
		}
		fn->msi_objects++;
	}
	spin_unlock_irqrestore(&fn->lock, irq);
	if (mapping)
		vmm_free(mapping); /* another object mapped it meanwhile, or refused */
	return st;
}

static volatile uint32_t *pci_msix_entry(pci_function_t *fn, unsigned index, unsigned reg)
{
	return (volatile uint32_t *)(fn->msix_table + (uint64_t)index * PCI_MSIX_ENTRY_SIZE + reg);
}

void pci_function_msi_start(pci_function_t *fn, bool msix, unsigned index, const hal_msi_t *msi)
{
	bool irq = spin_lock_irqsave(&fn->lock);
	if (msix) {
		*pci_msix_entry(fn, index, PCI_MSIX_ENTRY_CTRL) = PCI_MSIX_ENTRY_MASKED;
		*pci_msix_entry(fn, index, PCI_MSIX_ENTRY_ADDR) = (uint32_t)msi->address;
		*pci_msix_entry(fn, index, PCI_MSIX_ENTRY_ADDR + 4) =
		    (uint32_t)(msi->address >> 32);
		*pci_msix_entry(fn, index, PCI_MSIX_ENTRY_DATA) = msi->data;
		unsigned control = fn->caps.msix + PCI_MSIX_CONTROL;
		uint16_t c = (uint16_t)hal_pci_config_read(&fn->config, control, 2);
		hal_pci_config_write(&fn->config, control, 2,
				     (uint16_t)((c | PCI_MSIX_ENABLE) & ~PCI_MSIX_FUNC_MASK));
		/* The table answers only while memory decoding is on. */
		pci_command_update(fn, PCI_COMMAND_MEMORY | PCI_COMMAND_INTX_OFF, true);
		*pci_msix_entry(fn, index, PCI_MSIX_ENTRY_CTRL) = 0;
	} else {
		unsigned cap = fn->caps.msi;
		hal_pci_config_write(&fn->config, cap + PCI_MSI_ADDRESS_LO, 4,
				     (uint32_t)msi->address);
		if (fn->caps.msi_64bit) {
			hal_pci_config_write(&fn->config, cap + PCI_MSI_ADDRESS_HI, 4,
					     (uint32_t)(msi->address >> 32));
			hal_pci_config_write(&fn->config, cap + PCI_MSI_DATA_64, 2, msi->data);
		} else {
			hal_pci_config_write(&fn->config, cap + PCI_MSI_DATA_32, 2, msi->data);
		}
		if (fn->caps.msi_per_vector_mask) {
			/* The mask bits follow the data (and a reserved word). */
			unsigned mask = cap + (fn->caps.msi_64bit ? 16 : 12);
			hal_pci_config_write(&fn->config, mask, 4, 0);
		}
		unsigned control = cap + PCI_MSI_CONTROL;
		uint16_t c = (uint16_t)hal_pci_config_read(&fn->config, control, 2);
		c &= (uint16_t) ~(0x7u << PCI_MSI_MME_SHIFT); /* one message */
		hal_pci_config_write(&fn->config, control, 2, c | PCI_MSI_ENABLE);
		pci_command_update(fn, PCI_COMMAND_INTX_OFF, true);
	}
	spin_unlock_irqrestore(&fn->lock, irq);
}

void pci_function_msi_stop(pci_function_t *fn, bool msix, unsigned index)
{
	bool irq = spin_lock_irqsave(&fn->lock);
	if (msix) {
		*pci_msix_entry(fn, index, PCI_MSIX_ENTRY_CTRL) = PCI_MSIX_ENTRY_MASKED;
		(void)*pci_msix_entry(fn, index, PCI_MSIX_ENTRY_CTRL); /* the write has landed */
	} else {
		unsigned control = fn->caps.msi + PCI_MSI_CONTROL;
		uint16_t c = (uint16_t)hal_pci_config_read(&fn->config, control, 2);
		hal_pci_config_write(&fn->config, control, 2, c & (uint16_t)~PCI_MSI_ENABLE);
	}
	spin_unlock_irqrestore(&fn->lock, irq);
}

void pci_function_msi_give(pci_function_t *fn, bool msix, unsigned index)
{
	uintptr_t unmap = 0;
	bool irq = spin_lock_irqsave(&fn->lock);
	if (msix) {
		fn->msix_taken[index / 64] &= ~(1ull << (index % 64));
		if (--fn->msix_taken_count == 0) {
			/* The last entry: MSI-X off, the table unmapped. */
			unsigned control = fn->caps.msix + PCI_MSIX_CONTROL;
			uint16_t c = (uint16_t)hal_pci_config_read(&fn->config, control, 2);
			hal_pci_config_write(&fn->config, control, 2,
					     c & (uint16_t)~PCI_MSIX_ENABLE);
			unmap = fn->msix_mapping;
			fn->msix_table = NULL;
			fn->msix_mapping = 0;
		}
	} else {
		fn->msi_taken = false;
	}
	fn->msi_objects--;
	spin_unlock_irqrestore(&fn->lock, irq);
	if (unmap)
		vmm_free(unmap);
}

void device_report_boot(void)
{
	kprintf("devices: PCI configuration space through %s; no IOMMU: DMA is not isolated "
		"(a device a driver programs can write any memory)\n",
		hal_pci_config_method());
}
