/* ELF64 executable parser for the process loader. The file is untrusted: every
 * field is read with bounds and overflow checks, byte by byte, little endian. */
#include <proc/elf.h>

#include <stdarg.h>
#include <stdbool.h>
#include <string.h>

#include <lib/format.h>

#define ELF_EHDR_SIZE 64
#define ELF_PHDR_SIZE 56
#define ELF_PHNUM_MAX 64
#define ELF_PN_XNUM   0xffff
#define ELF_PAGE_SIZE 4096ull

/* e_ident bytes and the values we accept. */
#define EI_CLASS    4
#define EI_DATA     5
#define EI_VERSION  6
#define ELFCLASS32  1
#define ELFCLASS64  2
#define ELFDATA2LSB 1
#define ELFDATA2MSB 2
#define EV_CURRENT  1
#define ET_REL      1
#define ET_EXEC     2
#define ET_DYN      3
#define ET_CORE     4
#define EM_X86_64   62

/* ELF64 header field offsets. */
#define EH_TYPE      16
#define EH_MACHINE   18
#define EH_VERSION   20
#define EH_ENTRY     24
#define EH_PHOFF     32
#define EH_EHSIZE    52
#define EH_PHENTSIZE 54
#define EH_PHNUM     56

/* ELF64 program header field offsets. */
#define PH_TYPE   0
#define PH_FLAGS  4
#define PH_OFFSET 8
#define PH_VADDR  16
#define PH_FILESZ 32
#define PH_MEMSZ  40
#define PH_ALIGN  48

#define PT_LOAD         1
#define PT_DYNAMIC      2
#define PT_INTERP       3
#define PT_NOTE         4
#define PT_PHDR         6
#define PT_TLS          7
#define PT_GNU_EH_FRAME 0x6474e550u
#define PT_GNU_STACK    0x6474e551u
#define PT_GNU_RELRO    0x6474e552u
#define PT_GNU_PROPERTY 0x6474e553u

#define PF_X 1u
#define PF_W 2u
#define PF_R 4u

typedef struct {
	const uint8_t *file; /* the first head_len bytes of the file */
	uint64_t head_len;
	uint64_t size; /* the whole file's */
	elf_image_t *out;
	char *err;
	size_t err_len;
	/* The program header being checked, for messages. */
	unsigned index;
	uint32_t type;
} elf_parser_t;

/* A program header's fields, read out of the file. */
typedef struct {
	uint32_t type, flags;
	uint64_t offset, vaddr, filesz, memsz, align;
} elf_phdr_t;

static uint64_t elf_read_le(const uint8_t *p, unsigned bytes)
{
	uint64_t v = 0;

	while (bytes-- > 0)
		v = (v << 8) | p[bytes];
	return v;
}

static uint16_t elf_read_u16(const uint8_t *p)
{
	return (uint16_t)elf_read_le(p, 2);
}

static uint32_t elf_read_u32(const uint8_t *p)
{
	return (uint32_t)elf_read_le(p, 4);
}

static uint64_t elf_read_u64(const uint8_t *p)
{
	return elf_read_le(p, 8);
}

static const char *elf_phdr_type_name(uint32_t type)
{
	switch (type) {
	case PT_LOAD: return "PT_LOAD";
	case PT_DYNAMIC: return "PT_DYNAMIC";
	case PT_INTERP: return "PT_INTERP";
	case PT_NOTE: return "PT_NOTE";
	case PT_PHDR: return "PT_PHDR";
	case PT_TLS: return "PT_TLS";
	case PT_GNU_EH_FRAME: return "PT_GNU_EH_FRAME";
	case PT_GNU_STACK: return "PT_GNU_STACK";
	case PT_GNU_RELRO: return "PT_GNU_RELRO";
	case PT_GNU_PROPERTY: return "PT_GNU_PROPERTY";
	default: return "other";
	}
}

static void elf_message_vwrite(elf_parser_t *p, int prefix_len, const char *fmt, va_list ap)
{
	if (prefix_len >= 0 && (size_t)prefix_len < p->err_len)
		kvsnprintf(p->err + prefix_len, p->err_len - (size_t)prefix_len, fmt, ap);
}

/* Writes "ELF <message>" into the caller's err buffer; returns status. */
static rae_status_t elf_fail(elf_parser_t *p, rae_status_t status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static rae_status_t elf_fail(elf_parser_t *p, rae_status_t status, const char *fmt, ...)
{
	va_list ap;

	if (p->err == NULL || p->err_len == 0)
		return status;
	va_start(ap, fmt);
	elf_message_vwrite(p, ksnprintf(p->err, p->err_len, "ELF "), fmt, ap);
	va_end(ap);
	return status;
}

/* elf_fail naming the program header at fault: "ELF segment 2" for a PT_LOAD,
 * "ELF segment 3 (PT_TLS)" for others; fmt continues the sentence. */
static rae_status_t elf_segment_fail(elf_parser_t *p, rae_status_t status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static rae_status_t elf_segment_fail(elf_parser_t *p, rae_status_t status, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (p->err == NULL || p->err_len == 0)
		return status;
	if (p->type == PT_LOAD)
		n = ksnprintf(p->err, p->err_len, "ELF segment %u", p->index);
	else
		n = ksnprintf(p->err, p->err_len, "ELF segment %u (%s)", p->index,
			      elf_phdr_type_name(p->type));
	va_start(ap, fmt);
	elf_message_vwrite(p, n, fmt, ap);
	va_end(ap);
	return status;
}

static void elf_phdr_read(const elf_parser_t *p, uint64_t phoff, unsigned index, elf_phdr_t *ph)
{
	const uint8_t *h = p->file + phoff + (uint64_t)index * ELF_PHDR_SIZE;

	ph->type = elf_read_u32(h + PH_TYPE);
	ph->flags = elf_read_u32(h + PH_FLAGS);
	ph->offset = elf_read_u64(h + PH_OFFSET);
	ph->vaddr = elf_read_u64(h + PH_VADDR);
	ph->filesz = elf_read_u64(h + PH_FILESZ);
	ph->memsz = elf_read_u64(h + PH_MEMSZ);
	ph->align = elf_read_u64(h + PH_ALIGN);
}

/* Fails unless [offset, offset + filesz) lies inside the file. */
static rae_status_t elf_file_range_check(elf_parser_t *p, const elf_phdr_t *ph)
{
	if (ph->filesz > UINT64_MAX - ph->offset)
		return elf_segment_fail(
		    p, RAE_ERR_INVALID, ": offset 0x%llx + filesz 0x%llx overflows",
		    (unsigned long long)ph->offset, (unsigned long long)ph->filesz);
	if (ph->offset + ph->filesz > p->size)
		return elf_segment_fail(p, RAE_ERR_TRUNCATED,
					": offset 0x%llx + filesz 0x%llx runs past the end of the "
					"0x%llx-byte file",
					(unsigned long long)ph->offset,
					(unsigned long long)ph->filesz,
					(unsigned long long)p->size);
	return RAE_OK;
}

static uint64_t elf_page_floor(uint64_t v)
{
	return v & ~(ELF_PAGE_SIZE - 1);
}

/* Only for v <= ELF_USER_END, which cannot overflow. */
static uint64_t elf_page_ceil(uint64_t v)
{
	return (v + ELF_PAGE_SIZE - 1) & ~(ELF_PAGE_SIZE - 1);
}

/* Fails if the pages of seg share one with an already accepted segment: the
 * loader maps page by page, and one page cannot carry two sets of rights. */
static rae_status_t elf_overlap_check(elf_parser_t *p, const elf_segment_t *seg)
{
	uint64_t start = elf_page_floor(seg->vaddr);
	uint64_t end = elf_page_ceil(seg->vaddr + seg->memsz);

	for (unsigned i = 0; i < p->out->segment_count; i++) {
		const elf_segment_t *other = &p->out->segments[i];
		uint64_t other_start = elf_page_floor(other->vaddr);
		uint64_t other_end = elf_page_ceil(other->vaddr + other->memsz);

		if (start < other_end && other_start < end)
			return elf_segment_fail(
			    p, RAE_ERR_INVALID,
			    ": pages 0x%llx-0x%llx overlap those of loaded segment %u "
			    "(vaddr 0x%llx, memsz 0x%llx)",
			    (unsigned long long)start, (unsigned long long)end, i,
			    (unsigned long long)other->vaddr, (unsigned long long)other->memsz);
	}
	return RAE_OK;
}

static rae_status_t elf_load_parse(elf_parser_t *p, const elf_phdr_t *ph)
{
	rae_status_t status;
	elf_segment_t seg;

	if (ph->filesz > ph->memsz)
		return elf_segment_fail(
		    p, RAE_ERR_INVALID, ": filesz 0x%llx is larger than memsz 0x%llx",
		    (unsigned long long)ph->filesz, (unsigned long long)ph->memsz);
	/* An empty load maps nothing; linkers emit them rarely but legally. */
	if (ph->memsz == 0)
		return RAE_OK;
	/* With nothing to copy, the offset is never used (a bss-only segment). */
	if (ph->filesz > 0) {
		status = elf_file_range_check(p, ph);
		if (status != RAE_OK)
			return status;
	}
	if (ph->memsz > UINT64_MAX - ph->vaddr)
		return elf_segment_fail(
		    p, RAE_ERR_INVALID, ": vaddr 0x%llx + memsz 0x%llx overflows",
		    (unsigned long long)ph->vaddr, (unsigned long long)ph->memsz);
	if (ph->vaddr + ph->memsz > ELF_USER_END)
		return elf_segment_fail(p, RAE_ERR_INVALID,
					": vaddr 0x%llx + memsz 0x%llx ends above the user half "
					"(0x%llx)",
					(unsigned long long)ph->vaddr,
					(unsigned long long)ph->memsz, ELF_USER_END);
	if (!p->out->pie && ph->vaddr < ELF_EXEC_MIN_VADDR)
		return elf_segment_fail(p, RAE_ERR_INVALID,
					": vaddr 0x%llx is below the minimum 0x%llx, which keeps "
					"page 0 unmapped",
					(unsigned long long)ph->vaddr, ELF_EXEC_MIN_VADDR);
	if (ph->align > 1 && ((ph->align & (ph->align - 1)) != 0 || ph->align < ELF_PAGE_SIZE))
		return elf_segment_fail(p, RAE_ERR_INVALID,
					": p_align 0x%llx is not 0, 1 or a power of two >= 0x1000",
					(unsigned long long)ph->align);
	if (ph->align > 1 && ph->vaddr % ph->align != ph->offset % ph->align)
		return elf_segment_fail(p, RAE_ERR_INVALID,
					": vaddr 0x%llx and offset 0x%llx differ modulo p_align "
					"0x%llx",
					(unsigned long long)ph->vaddr,
					(unsigned long long)ph->offset,
					(unsigned long long)ph->align);
	if ((ph->flags & (PF_W | PF_X)) == (PF_W | PF_X))
		return elf_segment_fail(p, RAE_ERR_UNSUPPORTED,
					" is writable and executable (PF_W and PF_X); W^X "
					"forbids that");

	memset(&seg, 0, sizeof(seg));
	seg.vaddr = ph->vaddr;
	seg.memsz = ph->memsz;
	seg.filesz = ph->filesz;
	seg.offset = ph->offset;
	seg.read = (ph->flags & PF_R) != 0;
	seg.write = (ph->flags & PF_W) != 0;
	seg.exec = (ph->flags & PF_X) != 0;
	status = elf_overlap_check(p, &seg);
	if (status != RAE_OK)
		return status;
	if (p->out->segment_count >= ELF_MAX_SEGMENTS)
		return elf_segment_fail(p, RAE_ERR_UNSUPPORTED,
					": more than %d non-empty PT_LOAD segments",
					ELF_MAX_SEGMENTS);
	p->out->segments[p->out->segment_count++] = seg;
	return RAE_OK;
}

/* Checks one program header of any type; ones the loader has no use for pass. */
static rae_status_t elf_phdr_parse(elf_parser_t *p, const elf_phdr_t *ph)
{
	switch (ph->type) {
	case PT_LOAD: return elf_load_parse(p, ph);
	case PT_INTERP:
		return elf_segment_fail(p, RAE_ERR_UNSUPPORTED,
					": the program needs a dynamic linker (PT_INTERP), which "
					"RaeenOS does not have");
	case PT_DYNAMIC:
		/* A static-pie's start-up code applies its own relocations; in an
		 * ET_EXEC, dynamic sections only mean shared libraries. */
		if (!p->out->pie)
			return elf_segment_fail(p, RAE_ERR_UNSUPPORTED,
						": an ET_EXEC with dynamic sections needs shared "
						"libraries, which RaeenOS does not have");
		p->out->has_dynamic = true;
		return elf_file_range_check(p, ph);
	case PT_GNU_STACK:
		p->out->stack_flags_exec = ph->flags & PF_X;
		if (p->out->stack_flags_exec != 0)
			return elf_segment_fail(p, RAE_ERR_UNSUPPORTED,
						": asks for an executable stack (PF_X), which "
						"RaeenOS refuses");
		return RAE_OK;
	case PT_TLS:
		/* The thread library copies the TLS image out of the file. */
		if (ph->filesz > ph->memsz)
			return elf_segment_fail(
			    p, RAE_ERR_INVALID, ": filesz 0x%llx is larger than memsz 0x%llx",
			    (unsigned long long)ph->filesz, (unsigned long long)ph->memsz);
		return elf_file_range_check(p, ph);
	default:
		/* PT_NOTE, PT_PHDR, PT_GNU_RELRO, PT_GNU_PROPERTY, ...: nothing to map. */
		return RAE_OK;
	}
}

/* Checks the ELF header; on success *phoff and *phnum locate a program header
 * table that lies wholly inside the file. */
static rae_status_t elf_header_parse(elf_parser_t *p, uint64_t *phoff, unsigned *phnum)
{
	const uint8_t *f = p->file;
	uint16_t type, machine, ehsize, phentsize, count;
	uint32_t version;
	uint64_t table_bytes;

	if (p->head_len < ELF_EHDR_SIZE)
		return elf_fail(p, RAE_ERR_TRUNCATED,
				"header: the file is %llu bytes, smaller than the %d-byte ELF64 "
				"header",
				(unsigned long long)p->size, ELF_EHDR_SIZE);
	if (f[0] != 0x7f || f[1] != 'E' || f[2] != 'L' || f[3] != 'F')
		return elf_fail(p, RAE_ERR_INVALID,
				"header: bad magic %02x %02x %02x %02x (expected 7f 45 4c 46)",
				f[0], f[1], f[2], f[3]);
	if (f[EI_CLASS] == ELFCLASS32)
		return elf_fail(p, RAE_ERR_UNSUPPORTED,
				"header: EI_CLASS 1 is a 32-bit ELF; only ELF64 is supported");
	if (f[EI_CLASS] != ELFCLASS64)
		return elf_fail(p, RAE_ERR_INVALID, "header: EI_CLASS %u is not 1 or 2",
				f[EI_CLASS]);
	if (f[EI_DATA] == ELFDATA2MSB)
		return elf_fail(p, RAE_ERR_UNSUPPORTED,
				"header: EI_DATA 2 is big endian; only little endian is "
				"supported");
	if (f[EI_DATA] != ELFDATA2LSB)
		return elf_fail(p, RAE_ERR_INVALID, "header: EI_DATA %u is not 1 or 2", f[EI_DATA]);
	if (f[EI_VERSION] != EV_CURRENT)
		return elf_fail(p, RAE_ERR_INVALID, "header: EI_VERSION %u is not 1",
				f[EI_VERSION]);

	type = elf_read_u16(f + EH_TYPE);
	if (type != ET_EXEC && type != ET_DYN)
		return elf_fail(p, RAE_ERR_UNSUPPORTED,
				"header: e_type %u (%s) is not ET_EXEC (2) or ET_DYN (3)", type,
				type == ET_REL    ? "ET_REL, an object file"
				: type == ET_CORE ? "ET_CORE, a core dump"
						  : "unknown");
	p->out->pie = type == ET_DYN;
	machine = elf_read_u16(f + EH_MACHINE);
	if (machine != EM_X86_64)
		return elf_fail(p, RAE_ERR_UNSUPPORTED, "header: e_machine %u is not x86-64 (62)",
				machine);
	version = elf_read_u32(f + EH_VERSION);
	if (version != EV_CURRENT)
		return elf_fail(p, RAE_ERR_INVALID, "header: e_version %u is not 1", version);
	ehsize = elf_read_u16(f + EH_EHSIZE);
	if (ehsize < ELF_EHDR_SIZE)
		return elf_fail(p, RAE_ERR_INVALID, "header: e_ehsize %u is less than %d", ehsize,
				ELF_EHDR_SIZE);
	phentsize = elf_read_u16(f + EH_PHENTSIZE);
	if (phentsize != ELF_PHDR_SIZE)
		return elf_fail(p, RAE_ERR_INVALID, "header: e_phentsize %u is not %d", phentsize,
				ELF_PHDR_SIZE);

	count = elf_read_u16(f + EH_PHNUM);
	if (count == 0)
		return elf_fail(p, RAE_ERR_INVALID,
				"header: e_phnum is 0; an executable needs program headers");
	if (count == ELF_PN_XNUM)
		return elf_fail(p, RAE_ERR_UNSUPPORTED,
				"header: e_phnum is PN_XNUM (0xffff, count kept in section 0), "
				"which is not supported");
	if (count > ELF_PHNUM_MAX)
		return elf_fail(p, RAE_ERR_UNSUPPORTED,
				"header: e_phnum %u is more than the %d program headers allowed",
				count, ELF_PHNUM_MAX);

	*phoff = elf_read_u64(f + EH_PHOFF);
	table_bytes = (uint64_t)count * ELF_PHDR_SIZE;
	if (table_bytes > UINT64_MAX - *phoff)
		return elf_fail(p, RAE_ERR_INVALID,
				"header: e_phoff 0x%llx + %u program headers x %d bytes overflows",
				(unsigned long long)*phoff, count, ELF_PHDR_SIZE);
	if (*phoff + table_bytes > p->size)
		return elf_fail(p, RAE_ERR_TRUNCATED,
				"header: program headers at e_phoff 0x%llx + %u x %d bytes run "
				"past the end of the 0x%llx-byte file",
				(unsigned long long)*phoff, count, ELF_PHDR_SIZE,
				(unsigned long long)p->size);
	if (*phoff + table_bytes > p->head_len)
		return elf_fail(p, RAE_ERR_UNSUPPORTED,
				"header: program headers at e_phoff 0x%llx + %u x %d bytes lie "
				"past the first 0x%llx bytes, which is all the loader reads "
				"for headers",
				(unsigned long long)*phoff, count, ELF_PHDR_SIZE,
				(unsigned long long)p->head_len);
	*phnum = count;
	return RAE_OK;
}

/* The checks that need every segment: entry point, span, PIE placement. */
static rae_status_t elf_image_check(elf_parser_t *p)
{
	elf_image_t *out = p->out;
	uint64_t lowest = UINT64_MAX;
	uint64_t highest = 0;
	bool entry_ok = false;

	if (out->segment_count == 0)
		return elf_fail(p, RAE_ERR_INVALID, "image: no non-empty PT_LOAD segment");
	for (unsigned i = 0; i < out->segment_count; i++) {
		const elf_segment_t *seg = &out->segments[i];
		uint64_t start = elf_page_floor(seg->vaddr);
		uint64_t end = elf_page_ceil(seg->vaddr + seg->memsz);

		lowest = start < lowest ? start : lowest;
		highest = end > highest ? end : highest;
		if (seg->exec && out->entry >= seg->vaddr && out->entry - seg->vaddr < seg->memsz)
			entry_ok = true;
	}
	out->lowest_vaddr = lowest;
	out->image_span = highest - lowest;
	if (!entry_ok)
		return elf_fail(p, RAE_ERR_INVALID,
				"header: e_entry 0x%llx is not inside an executable PT_LOAD "
				"segment",
				(unsigned long long)out->entry);
	if (out->pie && lowest >= ELF_PIE_MAX_LOWEST_VADDR)
		return elf_fail(p, RAE_ERR_UNSUPPORTED,
				"image: ET_DYN lowest segment at 0x%llx; it must start below "
				"0x%llx",
				(unsigned long long)lowest, ELF_PIE_MAX_LOWEST_VADDR);
	if (out->pie && out->image_span > ELF_PIE_MAX_SPAN)
		return elf_fail(p, RAE_ERR_UNSUPPORTED,
				"image: ET_DYN spans 0x%llx bytes, more than the 0x%llx allowed",
				(unsigned long long)out->image_span, ELF_PIE_MAX_SPAN);
	return RAE_OK;
}

/*
 * The rules, in the order they are checked:
 *   header  64-bit, little endian, version 1, ET_EXEC or ET_DYN, x86-64,
 *           e_ehsize >= 64, e_phentsize 56, e_phnum 1..64, table inside the file;
 *   any     PT_INTERP anywhere is refused first (no dynamic linker);
 *   PT_LOAD filesz <= memsz; empty ones skipped; file bytes inside the file;
 *           end at or below ELF_USER_END; ET_EXEC from ELF_EXEC_MIN_VADDR;
 *           p_align 0, 1 or a power of two >= 4096 with vaddr = offset mod it;
 *           not W+X; no page shared with another; at most ELF_MAX_SEGMENTS;
 *   others  PT_DYNAMIC only in ET_DYN, PT_DYNAMIC and PT_TLS inside the file,
 *           PT_GNU_STACK not executable, the rest ignored;
 *   image   a PT_LOAD exists, e_entry in an executable one, and an ET_DYN
 *           starts below ELF_PIE_MAX_LOWEST_VADDR and spans <= ELF_PIE_MAX_SPAN.
 */
rae_status_t elf_parse(const void *file, size_t size, elf_image_t *out, char *err, size_t err_len)
{
	return elf_parse_head(file, size, size, out, err, err_len);
}

rae_status_t elf_parse_head(const void *head, size_t head_len, size_t size, elf_image_t *out,
			    char *err, size_t err_len)
{
	elf_parser_t p;
	elf_phdr_t ph;
	uint64_t phoff = 0;
	unsigned phnum = 0;
	rae_status_t status;

	memset(&p, 0, sizeof(p));
	p.file = head;
	p.head_len = head_len < size ? head_len : size;
	p.size = size;
	p.out = out;
	p.err = err;
	p.err_len = err_len;
	if (err != NULL && err_len > 0)
		err[0] = '\0';
	if (out == NULL)
		return elf_fail(&p, RAE_ERR_INVALID, "parser: no elf_image_t to fill");
	memset(out, 0, sizeof(*out));
	if (head == NULL && size > 0)
		return elf_fail(&p, RAE_ERR_INVALID, "parser: file pointer is NULL");

	status = elf_header_parse(&p, &phoff, &phnum);
	if (status != RAE_OK)
		return status;
	out->entry = elf_read_u64(p.file + EH_ENTRY);

	/* A dynamically linked program is the likeliest wrong input; say so
	 * before any complaint about its other headers. */
	for (p.index = 0; p.index < phnum; p.index++) {
		elf_phdr_read(&p, phoff, p.index, &ph);
		p.type = ph.type;
		if (ph.type == PT_INTERP)
			return elf_phdr_parse(&p, &ph);
	}
	for (p.index = 0; p.index < phnum; p.index++) {
		elf_phdr_read(&p, phoff, p.index, &ph);
		p.type = ph.type;
		status = elf_phdr_parse(&p, &ph);
		if (status != RAE_OK)
			return status;
	}
	return elf_image_check(&p);
}
