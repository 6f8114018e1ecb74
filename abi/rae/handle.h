/* Handles, rights and object types: how a process names the kernel objects it
 * may use. Shared by the kernel and user space; values are stable ABI. */
#ifndef RAE_HANDLE_H
#define RAE_HANDLE_H

#include <stdint.h>

/*
 * A handle names one entry of the calling process's handle table. User space
 * treats it as opaque; the layout is fixed so that tools can print it:
 *
 *   bit 31          20 19                 0
 *      +-------------+--------------------+
 *      | generation  |       index        |
 *      +-------------+--------------------+
 *
 * index is the table slot (0 .. 2^20 - 1). generation counts how often the
 * slot was emptied: closing or sending a handle bumps it, so the old value
 * stays invalid when the slot is reused. It runs 1 .. 4095 and wraps to 1,
 * never 0, so no valid handle is 0 and RAE_HANDLE_INVALID can mean "none".
 * A value names a live handle only while index and generation both match; a
 * stale value becomes valid again only after its slot has been reused 4095
 * more times.
 */
typedef uint32_t rae_handle_t;

#define RAE_HANDLE_INVALID    0u
#define RAE_HANDLE_INDEX_BITS 20
#define RAE_HANDLE_GEN_BITS   12
#define RAE_HANDLE_INDEX_MASK ((1u << RAE_HANDLE_INDEX_BITS) - 1)
#define RAE_HANDLE_GEN_SHIFT  RAE_HANDLE_INDEX_BITS
#define RAE_HANDLE_GEN_MAX    ((1u << RAE_HANDLE_GEN_BITS) - 1) /* the generation after it is 1 */

/*
 * Rights: what a handle allows on its object. Every call states the rights it
 * needs; duplicating or sending a handle can only keep or drop rights, never
 * add one.
 */
#define RAE_RIGHT_READ      (1u << 0) /* read state or data */
#define RAE_RIGHT_WRITE     (1u << 1) /* change state or data */
#define RAE_RIGHT_EXECUTE   (1u << 2) /* map memory executable */
#define RAE_RIGHT_MAP       (1u << 3) /* map memory into an address space */
#define RAE_RIGHT_DUPLICATE (1u << 4) /* make another handle to the object */
#define RAE_RIGHT_TRANSFER  (1u << 5) /* send the handle to another process */
#define RAE_RIGHT_SIGNAL    (1u << 6) /* raise signals or notify */
#define RAE_RIGHT_WAIT      (1u << 7) /* wait on the object's signals */
#define RAE_RIGHT_MANAGE    (1u << 8) /* control the object (kill, set limits, bind) */
#define RAE_RIGHTS_ALL      ((1u << 9) - 1)

/* The kinds of kernel object a handle can name. */
typedef enum {
	RAE_OBJ_NONE = 0, /* in a lookup: any type */
	RAE_OBJ_PROCESS = 1,
	RAE_OBJ_THREAD = 2,
	RAE_OBJ_MEMORY = 3,
	RAE_OBJ_ENDPOINT = 4,
	RAE_OBJ_NOTIFICATION = 5,
	RAE_OBJ_INTERRUPT = 6,
	RAE_OBJ_IOPORT = 7,
	RAE_OBJ_JOB = 8,
	RAE_OBJ_RESOURCE = 9,
	RAE_OBJ_CONSOLE = 10, /* the kernel console, handed over to a service */
	RAE_OBJ_PIPE = 11,    /* one end of a pipe (rae/pipe.h) */
	RAE_OBJ_DEVICE = 12,  /* one PCI function (rae/device.h) */
	RAE_OBJ_TYPE_COUNT
} rae_object_type_t;

#endif
