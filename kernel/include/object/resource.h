/* Resource objects: authority over a range of physical addresses (MMIO),
 * I/O ports or interrupt lines (GSIs), or over all of them (the root
 * resource). Memory objects over device memory, interrupt objects and I/O
 * port objects are made only through a resource whose range contains them. */
#ifndef OBJECT_RESOURCE_H
#define OBJECT_RESOURCE_H

#include <stdbool.h>
#include <stdint.h>
#include <object/object.h>
#include <rae/resource.h>
#include <rae/status.h>

/* Immutable after creation, so any holder of a reference reads it freely. */
typedef struct resource {
	kobject_t obj;
	uint32_t kind; /* rae_resource_kind_t */
	uint64_t base, size;
} resource_t;

/* The rights a new resource handle carries: deriving and using a resource
 * need MANAGE; DUPLICATE and TRANSFER let it be shared and handed on. */
#define RESOURCE_RIGHTS (RAE_RIGHT_MANAGE | RAE_RIGHT_DUPLICATE | RAE_RIGHT_TRANSFER)

/* A new root resource (every kind, every range) with one reference, the
 * caller's; NULL when out of memory. The kernel hands it to the first user
 * process, which divides it among drivers. */
kobject_t *resource_root_create(void);

/* A new resource of `kind` over [base, base+size) inside `parent`, or NULL
 * with *status: RAE_ERR_INVALID for the root kind, an unknown kind, a size
 * of 0, a range that wraps, or an MMIO range that is not page aligned;
 * RAE_ERR_RANGE when the range leaves the kind's name space or is not
 * inside `parent` (another kind, or past its ends); RAE_ERR_NO_MEMORY. */
resource_t *resource_create(const resource_t *parent, uint32_t kind, uint64_t base, uint64_t size,
			    rae_status_t *status);

/* Whether `r` grants [base, base+size) of `kind` (size > 0, no wrap). */
bool resource_covers(const resource_t *r, uint32_t kind, uint64_t base, uint64_t size);

/* Checks a range of `kind` before use: RAE_ERR_INVALID for size 0 or a
 * wrap, RAE_ERR_RANGE past the kind's name space, else RAE_OK. */
rae_status_t resource_range_check(uint32_t kind, uint64_t base, uint64_t size);

#endif
