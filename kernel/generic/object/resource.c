/* Resource objects (object/resource.h): immutable ranges of hardware names,
 * narrowed from the root resource. */
#include <mm/kmalloc.h>
#include <mm/page.h>
#include <object/resource.h>

static void resource_destroy(kobject_t *o)
{
	kfree(o);
}

static uint64_t resource_kind_end(uint32_t kind)
{
	switch (kind) {
	case RAE_RESOURCE_MMIO: return RAE_RESOURCE_MMIO_END;
	case RAE_RESOURCE_IOPORT: return RAE_RESOURCE_IOPORT_END;
	case RAE_RESOURCE_IRQ: return RAE_RESOURCE_IRQ_END;
	case RAE_RESOURCE_PCI: return RAE_RESOURCE_PCI_END;
	default: return 0;
	}
}

rae_status_t resource_range_check(uint32_t kind, uint64_t base, uint64_t size)
{
	uint64_t end = resource_kind_end(kind);
	if (end == 0 || size == 0 || base + size < base)
		return RAE_ERR_INVALID;
	if (base >= end || size > end - base)
		return RAE_ERR_RANGE;
	return RAE_OK;
}

bool resource_covers(const resource_t *r, uint32_t kind, uint64_t base, uint64_t size)
{
	if (resource_range_check(kind, base, size) != RAE_OK)
		return false;
	if (r->kind == RAE_RESOURCE_ROOT)
		return true;
	return r->kind == kind && base >= r->base && base + size <= r->base + r->size;
}

static resource_t *resource_alloc(uint32_t kind, uint64_t base, uint64_t size)
{
	resource_t *r = kzalloc(sizeof(*r));
	if (!r)
		return NULL;
	kobject_init(&r->obj, RAE_OBJ_RESOURCE, resource_destroy);
	r->kind = kind;
	r->base = base;
	r->size = size;
	return r;
}

kobject_t *resource_root_create(void)
{
	resource_t *r = resource_alloc(RAE_RESOURCE_ROOT, 0, 0);
	return r ? &r->obj : NULL;
}

resource_t *resource_create(const resource_t *parent, uint32_t kind, uint64_t base, uint64_t size,
			    rae_status_t *status)
{
	rae_status_t st = resource_range_check(kind, base, size);
	if (st == RAE_OK && kind == RAE_RESOURCE_MMIO && ((base | size) & (PAGE_SIZE - 1)) != 0)
		st = RAE_ERR_INVALID;
	if (st == RAE_OK && !resource_covers(parent, kind, base, size))
		st = RAE_ERR_RANGE;
	resource_t *r = NULL;
	if (st == RAE_OK) {
		r = resource_alloc(kind, base, size);
		if (!r)
			st = RAE_ERR_NO_MEMORY;
	}
	*status = st;
	return r;
}
