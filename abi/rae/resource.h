/* Hardware access through capabilities: resource kinds, and the flags of
 * the calls that turn a resource into a memory, interrupt or I/O port
 * object (RAE_SYS_RESOURCE_CREATE .. RAE_SYS_IOPORT_ENABLE). Stable ABI. */
#ifndef RAE_RESOURCE_H
#define RAE_RESOURCE_H

/*
 * A resource grants authority over one range of one kind of hardware name.
 * The root resource covers every range of every kind; any resource can be
 * narrowed into a sub-resource lying inside it. Ranges are [base, base+size).
 */
typedef enum {
	RAE_RESOURCE_ROOT = 0,   /* everything; only the kernel makes one */
	RAE_RESOURCE_MMIO = 1,   /* physical addresses, page aligned */
	RAE_RESOURCE_IOPORT = 2, /* x86 I/O ports 0 .. 0xffff */
	RAE_RESOURCE_IRQ = 3,    /* global system interrupts (GSIs) */
	RAE_RESOURCE_PCI = 4,    /* PCI functions, by RAE_PCI_ADDRESS (rae/device.h) */
} rae_resource_kind_t;

/* The end (exclusive) of each kind's name space. */
#define RAE_RESOURCE_MMIO_END   (1ull << 52) /* the architectural physical address limit */
#define RAE_RESOURCE_IOPORT_END 0x10000ull
#define RAE_RESOURCE_IRQ_END    256ull
#define RAE_RESOURCE_PCI_END    (1ull << 32) /* segment 16 bits, bus 8, device 5, function 3 */

/* RAE_SYS_MEM_CREATE_PHYS flags: how mappings of the range are cached. The
 * default is uncached (device registers). */
#define RAE_MEM_PHYS_UNCACHED      0x0
#define RAE_MEM_PHYS_WRITE_COMBINE 0x1 /* framebuffers */

/* RAE_SYS_INTERRUPT_CREATE flags. With RAE_IRQ_ISA the line is an ISA IRQ
 * (0-15) that the kernel translates to its GSI, trigger and polarity with
 * the firmware's overrides; otherwise the line is a GSI and these flags
 * give its trigger and polarity (default: edge, active high). */
#define RAE_IRQ_ISA        0x1
#define RAE_IRQ_LEVEL      0x2
#define RAE_IRQ_ACTIVE_LOW 0x4

#endif
