/* Multiboot2 boot information -> boot_info_t. The loader's data is treated as
 * untrusted: every tag and field is bounds-checked before it is read. */
#include <arch/x86_64/boot/multiboot2.h>

#include <stdarg.h>
#include <stdbool.h>
#include <string.h>

#include <lib/format.h>

/* Tag types from the Multiboot2 specification, section 3.6. */
enum {
	MB2_TAG_END = 0,
	MB2_TAG_CMDLINE = 1,
	MB2_TAG_LOADER_NAME = 2,
	MB2_TAG_MODULE = 3,
	MB2_TAG_BASIC_MEMINFO = 4,
	MB2_TAG_MMAP = 6,
	MB2_TAG_FRAMEBUFFER = 8,
	MB2_TAG_EFI32_SYSTEM_TABLE = 11,
	MB2_TAG_EFI64_SYSTEM_TABLE = 12,
	MB2_TAG_ACPI_OLD = 14,
	MB2_TAG_ACPI_NEW = 15,
};

#define MB2_HEADER_SIZE     8 /* total_size, reserved */
#define MB2_TAG_HEADER_SIZE 8 /* type, size */
#define MB2_TAG_ALIGN       8

#define MB2_MODULE_MIN_SIZE        16
#define MB2_BASIC_MEMINFO_MIN_SIZE 16
#define MB2_MMAP_HEADER_SIZE       16
#define MB2_MMAP_ENTRY_MIN_SIZE    24
#define MB2_FB_COMMON_SIZE         32
#define MB2_FB_RGB_SIZE            38 /* common part + six colour field bytes */
#define MB2_EFI32_MIN_SIZE         12
#define MB2_EFI64_MIN_SIZE         16
#define MB2_RSDP_V1_SIZE           20

/* Framebuffer types as multiboot2 numbers them. */
#define MB2_FB_INDEXED  0
#define MB2_FB_RGB      1
#define MB2_FB_EGA_TEXT 2

typedef struct {
	const uint8_t *info;
	uint32_t total;
	boot_info_t *out;
	char *err;
	size_t err_len;
	bool have_rsdp_v2;
	/* The tag being parsed, for messages. */
	unsigned index;
	size_t offset;
	uint32_t type;
	uint32_t size;
} mb2_parser_t;

static const char *mb2_tag_name(uint32_t type)
{
	static const char *const names[] = {
	    "end",
	    "command line",
	    "loader name",
	    "module",
	    "basic memory info",
	    "BIOS boot device",
	    "memory map",
	    "VBE info",
	    "framebuffer",
	    "ELF sections",
	    "APM table",
	    "EFI32 system table",
	    "EFI64 system table",
	    "SMBIOS tables",
	    "ACPI old RSDP",
	    "ACPI new RSDP",
	    "network",
	    "EFI memory map",
	    "EFI boot services not terminated",
	    "EFI32 image handle",
	    "EFI64 image handle",
	    "image load base",
	};

	return type < sizeof(names) / sizeof(names[0]) ? names[type] : "unknown";
}

static uint32_t mb2_read_u32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static uint64_t mb2_read_u64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

/* Writes "multiboot2: <message>" into the caller's err buffer; returns status. */
static rae_status_t mb2_fail(mb2_parser_t *p, rae_status_t status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static rae_status_t mb2_fail(mb2_parser_t *p, rae_status_t status, const char *fmt, ...)
{
	int n;

	if (p->err == NULL || p->err_len == 0)
		return status;
	n = ksnprintf(p->err, p->err_len, "multiboot2: ");
	if (n >= 0 && (size_t)n < p->err_len) {
		va_list ap;

		va_start(ap, fmt);
		kvsnprintf(p->err + n, p->err_len - (size_t)n, fmt, ap);
		va_end(ap);
	}
	return status;
}

/* mb2_fail prefixed with which tag is at fault: "tag 5 (type 6, memory map) at offset 0x1a8 ". */
static rae_status_t mb2_tag_fail(mb2_parser_t *p, rae_status_t status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static rae_status_t mb2_tag_fail(mb2_parser_t *p, rae_status_t status, const char *fmt, ...)
{
	int n;

	if (p->err == NULL || p->err_len == 0)
		return status;
	n = ksnprintf(p->err, p->err_len, "multiboot2: tag %u (type %u, %s) at offset 0x%zx ",
		      p->index, p->type, mb2_tag_name(p->type), p->offset);
	if (n >= 0 && (size_t)n < p->err_len) {
		va_list ap;

		va_start(ap, fmt);
		kvsnprintf(p->err + n, p->err_len - (size_t)n, fmt, ap);
		va_end(ap);
	}
	return status;
}

/* Fails unless the current tag is at least min bytes long. */
static rae_status_t mb2_tag_size_check(mb2_parser_t *p, uint32_t min)
{
	if (p->size < min)
		return mb2_tag_fail(p, RAE_ERR_INVALID,
				    "has size %u, less than the %u bytes its fields need", p->size,
				    min);
	return RAE_OK;
}

/* Copies a string of at most len bytes (NUL optional) into dst, truncating to fit. */
static void mb2_string_copy(char *dst, size_t dst_size, const uint8_t *src, size_t len)
{
	size_t n = strnlen((const char *)src, len < dst_size - 1 ? len : dst_size - 1);

	memcpy(dst, src, n);
	dst[n] = '\0';
}

static rae_status_t mb2_module_parse(mb2_parser_t *p, const uint8_t *tag)
{
	rae_status_t status = mb2_tag_size_check(p, MB2_MODULE_MIN_SIZE);
	uint32_t start;
	uint32_t end;
	boot_module_t *m;

	if (status != RAE_OK)
		return status;
	start = mb2_read_u32(tag + 8);
	end = mb2_read_u32(tag + 12);
	if (start > end)
		return mb2_tag_fail(p, RAE_ERR_INVALID, "starts at 0x%x, after its end 0x%x", start,
				    end);
	if (p->out->module_count >= BOOT_INFO_MAX_MODULES)
		return RAE_OK;
	m = &p->out->modules[p->out->module_count++];
	m->start = start;
	m->end = end;
	mb2_string_copy(m->cmdline, sizeof(m->cmdline), tag + MB2_MODULE_MIN_SIZE,
			p->size - MB2_MODULE_MIN_SIZE);
	return RAE_OK;
}

/* Maps multiboot2 memory types 1..5 onto ours; anything else is reserved. */
static uint32_t mb2_mem_type(uint32_t type)
{
	switch (type) {
	case 1: return BOOT_MEM_USABLE;
	case 3: return BOOT_MEM_ACPI_RECLAIMABLE;
	case 4: return BOOT_MEM_ACPI_NVS;
	case 5: return BOOT_MEM_BAD;
	default: return BOOT_MEM_RESERVED;
	}
}

/*
 * The entry_version field is not checked: the specification promises later
 * versions stay compatible by growing entry_size, which we honour.
 */
static rae_status_t mb2_mmap_parse(mb2_parser_t *p, const uint8_t *tag)
{
	rae_status_t status = mb2_tag_size_check(p, MB2_MMAP_HEADER_SIZE);
	uint32_t entry_size;
	uint32_t bytes;
	uint32_t count;
	uint32_t i;

	if (status != RAE_OK)
		return status;
	entry_size = mb2_read_u32(tag + 8);
	if (entry_size < MB2_MMAP_ENTRY_MIN_SIZE || entry_size % 8 != 0)
		return mb2_tag_fail(p, RAE_ERR_INVALID,
				    "has entry_size %u; it must be a multiple of 8, at least %u",
				    entry_size, MB2_MMAP_ENTRY_MIN_SIZE);
	bytes = p->size - MB2_MMAP_HEADER_SIZE;
	count = bytes / entry_size;
	if (bytes % entry_size != 0)
		return mb2_tag_fail(p, RAE_ERR_TRUNCATED,
				    "entry %u runs past the end of the tag (%u bytes left, "
				    "entry_size %u)",
				    count, bytes % entry_size, entry_size);

	/* A repeated memory map replaces the earlier one. */
	p->out->mem_region_count = 0;
	for (i = 0; i < count; i++) {
		const uint8_t *entry = tag + MB2_MMAP_HEADER_SIZE + (size_t)i * entry_size;
		uint64_t base = mb2_read_u64(entry);
		uint64_t length = mb2_read_u64(entry + 8);
		boot_mem_region_t *region;

		if (length > UINT64_MAX - base)
			return mb2_tag_fail(p, RAE_ERR_RANGE,
					    "entry %u: base 0x%llx + length 0x%llx overflows", i,
					    (unsigned long long)base, (unsigned long long)length);
		if (p->out->mem_region_count >= BOOT_INFO_MAX_MEM_REGIONS)
			continue;
		region = &p->out->mem_regions[p->out->mem_region_count++];
		region->base = base;
		region->length = length;
		region->type = mb2_mem_type(mb2_read_u32(entry + 16));
	}
	return RAE_OK;
}

/* Fails unless a colour field lies inside the pixel. */
static rae_status_t mb2_colour_check(mb2_parser_t *p, const char *colour, uint8_t pos, uint8_t size,
				     uint8_t bpp)
{
	if ((unsigned)pos + size > bpp)
		return mb2_tag_fail(p, RAE_ERR_INVALID,
				    "has %s field at bit %u size %u, outside a %u-bit pixel",
				    colour, pos, size, bpp);
	return RAE_OK;
}

/*
 * A framebuffer with bpp, width or height 0, or of an unknown type, is ignored
 * without error: the kernel can run without one. Inconsistent sizes are errors,
 * since the console would draw outside the buffer.
 */
static rae_status_t mb2_framebuffer_parse(mb2_parser_t *p, const uint8_t *tag)
{
	rae_status_t status = mb2_tag_size_check(p, MB2_FB_COMMON_SIZE);
	boot_framebuffer_t fb;
	uint64_t bytes_per_line;
	uint8_t fb_type;

	if (status != RAE_OK)
		return status;
	memset(&fb, 0, sizeof(fb));
	fb.phys_addr = mb2_read_u64(tag + 8);
	fb.pitch = mb2_read_u32(tag + 16);
	fb.width = mb2_read_u32(tag + 20);
	fb.height = mb2_read_u32(tag + 24);
	fb.bpp = tag[28];
	fb_type = tag[29];
	if (fb.bpp == 0 || fb.width == 0 || fb.height == 0 || fb_type > MB2_FB_EGA_TEXT)
		return RAE_OK;

	bytes_per_line = (uint64_t)fb.width * ((fb.bpp + 7u) / 8u);
	if (fb.pitch < bytes_per_line)
		return mb2_tag_fail(p, RAE_ERR_INVALID,
				    "has pitch %u, less than width %u x %u bits per pixel",
				    fb.pitch, fb.width, fb.bpp);
	/* pitch * height cannot overflow 64 bits; the address range still can. */
	if ((uint64_t)fb.pitch * fb.height - 1 > UINT64_MAX - fb.phys_addr)
		return mb2_tag_fail(p, RAE_ERR_RANGE, "at 0x%llx runs past the top of memory",
				    (unsigned long long)fb.phys_addr);

	fb.type = fb_type == MB2_FB_RGB       ? BOOT_FB_RGB
		  : fb_type == MB2_FB_INDEXED ? BOOT_FB_INDEXED
					      : BOOT_FB_EGA_TEXT;
	if (fb_type == MB2_FB_RGB) {
		status = mb2_tag_size_check(p, MB2_FB_RGB_SIZE);
		if (status != RAE_OK)
			return status;
		fb.red_pos = tag[32];
		fb.red_size = tag[33];
		fb.green_pos = tag[34];
		fb.green_size = tag[35];
		fb.blue_pos = tag[36];
		fb.blue_size = tag[37];
		status = mb2_colour_check(p, "red", fb.red_pos, fb.red_size, fb.bpp);
		if (status == RAE_OK)
			status = mb2_colour_check(p, "green", fb.green_pos, fb.green_size, fb.bpp);
		if (status == RAE_OK)
			status = mb2_colour_check(p, "blue", fb.blue_pos, fb.blue_size, fb.bpp);
		if (status != RAE_OK)
			return status;
	}
	p->out->framebuffer = fb;
	p->out->has_framebuffer = true;
	return RAE_OK;
}

static rae_status_t mb2_rsdp_parse(mb2_parser_t *p, const uint8_t *tag, bool v2)
{
	rae_status_t status = mb2_tag_size_check(p, MB2_TAG_HEADER_SIZE + MB2_RSDP_V1_SIZE);
	uint32_t len = p->size - MB2_TAG_HEADER_SIZE;

	if (status != RAE_OK)
		return status;
	if (!v2 && p->have_rsdp_v2)
		return RAE_OK;
	if (!v2)
		len = MB2_RSDP_V1_SIZE;
	else if (len > sizeof(p->out->rsdp))
		len = sizeof(p->out->rsdp);
	memset(p->out->rsdp, 0, sizeof(p->out->rsdp));
	memcpy(p->out->rsdp, tag + MB2_TAG_HEADER_SIZE, len);
	p->out->rsdp_length = len;
	p->have_rsdp_v2 = p->have_rsdp_v2 || v2;
	return RAE_OK;
}

/* Parses one tag whose header has already been checked to fit. */
static rae_status_t mb2_tag_parse(mb2_parser_t *p, const uint8_t *tag)
{
	rae_status_t status;

	switch (p->type) {
	case MB2_TAG_CMDLINE:
		mb2_string_copy(p->out->cmdline, sizeof(p->out->cmdline), tag + MB2_TAG_HEADER_SIZE,
				p->size - MB2_TAG_HEADER_SIZE);
		return RAE_OK;
	case MB2_TAG_LOADER_NAME:
		mb2_string_copy(p->out->loader_name, sizeof(p->out->loader_name),
				tag + MB2_TAG_HEADER_SIZE, p->size - MB2_TAG_HEADER_SIZE);
		return RAE_OK;
	case MB2_TAG_MODULE: return mb2_module_parse(p, tag);
	case MB2_TAG_BASIC_MEMINFO:
		/* The memory map says more; only check the tag is well formed. */
		return mb2_tag_size_check(p, MB2_BASIC_MEMINFO_MIN_SIZE);
	case MB2_TAG_MMAP: return mb2_mmap_parse(p, tag);
	case MB2_TAG_FRAMEBUFFER: return mb2_framebuffer_parse(p, tag);
	case MB2_TAG_EFI32_SYSTEM_TABLE:
		status = mb2_tag_size_check(p, MB2_EFI32_MIN_SIZE);
		if (status != RAE_OK)
			return status;
		p->out->firmware = BOOT_FIRMWARE_UEFI;
		p->out->efi_system_table = mb2_read_u32(tag + 8);
		return RAE_OK;
	case MB2_TAG_EFI64_SYSTEM_TABLE:
		status = mb2_tag_size_check(p, MB2_EFI64_MIN_SIZE);
		if (status != RAE_OK)
			return status;
		p->out->firmware = BOOT_FIRMWARE_UEFI;
		p->out->efi_system_table = mb2_read_u64(tag + 8);
		return RAE_OK;
	case MB2_TAG_ACPI_OLD: return mb2_rsdp_parse(p, tag, false);
	case MB2_TAG_ACPI_NEW: return mb2_rsdp_parse(p, tag, true);
	default:
		/* Tags we have no use for (ELF sections, EFI handles, ...) are skipped. */
		return RAE_OK;
	}
}

rae_status_t mb2_parse(uint32_t magic, const void *info, size_t avail, boot_info_t *out, char *err,
		       size_t err_len)
{
	mb2_parser_t p;
	size_t off;

	memset(&p, 0, sizeof(p));
	p.info = info;
	p.out = out;
	p.err = err;
	p.err_len = err_len;
	if (err != NULL && err_len > 0)
		err[0] = '\0';
	if (out == NULL)
		return mb2_fail(&p, RAE_ERR_INVALID, "no boot_info_t to fill");
	memset(out, 0, sizeof(*out));

	if (magic != MB2_BOOTLOADER_MAGIC)
		return mb2_fail(&p, RAE_ERR_INVALID, "bad loader magic 0x%08x (expected 0x%08x)",
				magic, MB2_BOOTLOADER_MAGIC);
	if (info == NULL)
		return mb2_fail(&p, RAE_ERR_INVALID, "boot information pointer is NULL");
	if ((uintptr_t)info % MB2_TAG_ALIGN != 0)
		return mb2_fail(&p, RAE_ERR_INVALID, "boot information at %p is not 8-byte aligned",
				info);
	if (avail < MB2_HEADER_SIZE)
		return mb2_fail(&p, RAE_ERR_TRUNCATED,
				"only %zu bytes available, the fixed header needs %d", avail,
				MB2_HEADER_SIZE);
	p.total = mb2_read_u32(p.info);
	if (p.total < MB2_HEADER_SIZE + MB2_TAG_HEADER_SIZE)
		return mb2_fail(&p, RAE_ERR_INVALID,
				"total_size %u is less than the 16 bytes of header and END tag",
				p.total);
	if (p.total > avail)
		return mb2_fail(&p, RAE_ERR_TRUNCATED,
				"total_size %u exceeds the %zu bytes available", p.total, avail);

	/* Invariant: MB2_HEADER_SIZE <= off <= total, off a multiple of 8. */
	for (off = MB2_HEADER_SIZE;; p.index++) {
		size_t remain = p.total - off;
		const uint8_t *tag = p.info + off;
		uint64_t step;
		rae_status_t status;

		if (remain == 0)
			return mb2_fail(&p, RAE_ERR_INVALID,
					"no END tag within total_size %u (%u tags read)", p.total,
					p.index);
		if (remain < MB2_TAG_HEADER_SIZE)
			return mb2_fail(&p, RAE_ERR_TRUNCATED,
					"tag %u at offset 0x%zx: header needs 8 bytes but only %zu "
					"remain (no END tag)",
					p.index, off, remain);
		p.offset = off;
		p.type = mb2_read_u32(tag);
		p.size = mb2_read_u32(tag + 4);
		if (p.size < MB2_TAG_HEADER_SIZE)
			return mb2_tag_fail(&p, RAE_ERR_INVALID,
					    "has size %u, less than its 8-byte header", p.size);
		if (p.size > remain)
			return mb2_tag_fail(&p, RAE_ERR_TRUNCATED,
					    "has size %u but only %zu bytes remain", p.size,
					    remain);
		if (p.type == MB2_TAG_END) {
			if (p.size != MB2_TAG_HEADER_SIZE)
				return mb2_tag_fail(&p, RAE_ERR_INVALID,
						    "has size %u; an END tag is 8 bytes", p.size);
			break;
		}
		status = mb2_tag_parse(&p, tag);
		if (status != RAE_OK)
			return status;

		/* Tags start 8-aligned; a last tag's padding may fall beyond total_size. */
		step = ((uint64_t)p.size + MB2_TAG_ALIGN - 1) & ~(uint64_t)(MB2_TAG_ALIGN - 1);
		off = step >= remain ? p.total : off + (size_t)step;
	}

	if (out->firmware == BOOT_FIRMWARE_UNKNOWN)
		out->firmware = BOOT_FIRMWARE_BIOS;
	return RAE_OK;
}
