/* What the first user process is given: the kernel starts it with one
 * handle, an endpoint (its argument), and sends one call on it, which the
 * process receives and answers. No other process gets anything it was not
 * handed by another process. */
#ifndef RAE_BOOTSTRAP_H
#define RAE_BOOTSTRAP_H

#define RAE_BOOTSTRAP_TAG 0x5241455f424f4f54ull /* "RAE_BOOT" */

/* The call's handles, in this order. */
#define RAE_BOOTSTRAP_ROOT_RESOURCE 0 /* every right: all MMIO, I/O ports, interrupt lines */
#define RAE_BOOTSTRAP_INITRD                                                                       \
	1 /* memory object holding the initrd (USTAR): READ, MAP,
					 DUPLICATE, TRANSFER; never WRITE */
#define RAE_BOOTSTRAP_HANDLES 2

/* The call's buffer holds the kernel command line as the loader passed it
 * (not NUL-terminated; empty when there is none), so that the first process
 * can read its own options from it. */

/* The call's words. */
#define RAE_BOOTSTRAP_WORD_INITRD_BYTES 0 /* the initrd's length; the object is page-rounded */

#endif
