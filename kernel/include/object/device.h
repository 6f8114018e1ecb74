/* Device objects: one PCI function, for its driver. Through it the driver
 * reads and writes the function's own configuration space (never the
 * registers the PCI service or the kernel owns), turns bus mastering on
 * and off, resets the function, makes DMA memory (object/dma.h) and MSI or
 * MSI-X interrupt objects (object/interrupt.h). The kernel keeps the
 * function's state in a pci_function_t that outlives the device object
 * while DMA memory made through it is still pinned: when the device object
 * goes, bus mastering goes off (the device can no longer write memory),
 * and DMA memory outliving it is freed only after that. */
#ifndef OBJECT_DEVICE_H
#define OBJECT_DEVICE_H

#include <stdbool.h>
#include <stdint.h>
#include <hal/msi.h>
#include <hal/pci.h>
#include <object/object.h>
#include <pci/pci_caps.h>
#include <rae/device.h>
#include <rae/resource.h>
#include <rae/status.h>
#include <sync/spinlock.h>

#define PCI_MSIX_MAX_ENTRIES 2048

/* What the kernel holds for one function with a device object (or DMA
 * memory of one that went). Lock order: devices_lock (device.c), then
 * fn->lock, then the configuration ports' lock. */
typedef struct pci_function {
	/* The device object's reference and each DMA memory object's;
	 * atomic. The last one takes it out of the registry and frees it. */
	volatile uint32_t refs;
	struct pci_function *next; /* the registry; guarded by devices_lock */
	/* Set at creation, then immutable: */
	hal_pci_config_t config;
	pci_caps_t caps;
	uint16_t vendor, device;
	spinlock_t lock;
	/* Guarded by lock: */
	bool device_alive;    /* its device object lives */
	bool bus_master;      /* the command register's bus-master bit, as set */
	bool resetting;       /* DEVICE_RESET runs: no MSI may be set up */
	unsigned msi_objects; /* live MSI and MSI-X interrupt objects */
	bool msi_taken;       /* the MSI capability's message has an object */
	unsigned msix_taken_count;
	uint64_t msix_taken[PCI_MSIX_MAX_ENTRIES / 64];
	/* The MSI-X table, mapped while an MSI-X object lives (set and
	 * cleared under lock; used by the objects' holders meanwhile). */
	volatile uint8_t *msix_table;
	uintptr_t msix_mapping; /* what vmm_map_phys returned, for vmm_free */
} pci_function_t;

typedef struct device {
	kobject_t obj;
	pci_function_t *fn; /* holds a reference; immutable */
} device_t;

/* The rights a new device handle carries: READ reads configuration space
 * and the info, WRITE writes it, MANAGE controls bus mastering, reset,
 * DMA memory and interrupts. */
#define DEVICE_RIGHTS                                                                              \
	(RAE_RIGHT_READ | RAE_RIGHT_WRITE | RAE_RIGHT_MANAGE | RAE_RIGHT_DUPLICATE |               \
	 RAE_RIGHT_TRANSFER)

/* A device object for function `address` (RAE_PCI_ADDRESS, already checked
 * against a resource). NULL with *status: RAE_ERR_RANGE past 32 bits,
 * RAE_ERR_NOT_FOUND (nothing answers; no configuration access to that
 * segment), RAE_ERR_BUSY (the function has one already, or pinned DMA
 * memory of an earlier one), RAE_ERR_NO_MEMORY. Thread context. */
device_t *device_create(uint64_t address, rae_status_t *status);

/* Reads `width` (1, 2, 4) bytes at `offset` of function `address`
 * (RAE_PCI_ADDRESS, already checked against a resource) whether or not a
 * device object stands for it: the PCI service's enumeration. An absent
 * function reads all-ones, as the bus answers. RAE_ERR_INVALID (width,
 * alignment), RAE_ERR_RANGE (past 32 bits or the configuration space),
 * RAE_ERR_NOT_FOUND (no access to that segment), RAE_ERR_NO_MEMORY.
 * Thread context. */
rae_status_t pci_config_read_any(uint64_t address, uint64_t offset, uint64_t width,
				 uint32_t *value);

/* Sizes the BARs of function `address` (checked against a resource) into
 * out (pci/pci_bars.h), under devices_lock so that no device object can
 * be made for it meanwhile, and *slots is how many BARs its header has.
 * RAE_ERR_BUSY while the kernel holds the function for a device object
 * (its driver relies on the decoding the probe turns off), or for DMA
 * memory of one; RAE_ERR_NOT_FOUND (nothing answers, no access);
 * RAE_ERR_UNSUPPORTED (a header type without BARs we know);
 * RAE_ERR_RANGE, RAE_ERR_NO_MEMORY. Thread context. */
rae_status_t pci_bars_size(uint64_t address, rae_pci_bar_probe_t out[RAE_PCI_BAR_PROBES],
			   unsigned *slots);

/* Fills *info from what the kernel knows and holds of the function. */
void device_info(device_t *d, rae_device_info_t *info);

/* Reads `width` (1, 2, 4) bytes at `offset`: RAE_ERR_INVALID (width,
 * alignment), RAE_ERR_RANGE (past the configuration space). */
rae_status_t device_config_read(device_t *d, uint64_t offset, uint64_t width, uint32_t *value);

/* Writes them, unless they touch a register the kernel or the PCI
 * service owns (RAE_ERR_ACCESS_DENIED, nothing written; see
 * pci_config_write_allowed); the command register's bus-master bit keeps
 * the kernel's state. Errors as for the read, and RAE_ERR_INVALID for a
 * value wider than width. */
rae_status_t device_config_write(device_t *d, uint64_t offset, uint64_t width, uint64_t value);

/* Turns the function's bus mastering on or off. Any context. */
void pci_function_set_bus_master(pci_function_t *fn, bool on);

/* Function Level Reset, header restored, bus mastering off. RAE_OK;
 * RAE_ERR_UNSUPPORTED without FLR; RAE_ERR_BUSY while MSI objects live
 * (or another reset runs); RAE_ERR_TIMED_OUT when transactions were still
 * pending (reset anyway). Thread context; sleeps some 100 ms. */
rae_status_t device_reset(device_t *d);

/* Takes one more reference on fn (the caller holds one). */
void pci_function_ref(pci_function_t *fn);

/* Drops one; the last takes fn out of the registry and frees it. Any
 * context. */
void pci_function_unref(pci_function_t *fn);

/* Whether the function's device object still lives. */
bool pci_function_device_alive(pci_function_t *fn);

/* Reserves MSI (msix false, index 0) or MSI-X table entry `index` for a
 * new interrupt object, mapping the MSI-X table at the first. RAE_OK;
 * RAE_ERR_UNSUPPORTED (no such capability), RAE_ERR_RANGE (index),
 * RAE_ERR_BUSY (taken, or a reset runs), RAE_ERR_INVALID (the table is not
 * in a memory BAR, or lies in RAM), RAE_ERR_NO_MEMORY. Thread context. */
rae_status_t pci_function_msi_take(pci_function_t *fn, bool msix, unsigned index);

/* Programs a taken entry to send `msi` and enables and unmasks it. */
void pci_function_msi_start(pci_function_t *fn, bool msix, unsigned index, const hal_msi_t *msi);

/* Masks (MSI-X) or disables (MSI) a started entry: the device sends it no
 * more. */
void pci_function_msi_stop(pci_function_t *fn, bool msix, unsigned index);

/* Gives a taken entry back (unmapping the MSI-X table with the last).
 * Thread context, interrupts enabled. */
void pci_function_msi_give(pci_function_t *fn, bool msix, unsigned index);

/* The boot log line about configuration access and DMA isolation. */
void device_report_boot(void);

#endif
