/* ELF64 executable parser for the process loader: checks an untrusted x86-64
 * ELF file and describes the segments to map; it maps nothing itself. */
#ifndef PROC_ELF_H
#define PROC_ELF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <rae/status.h>

/* The most PT_LOAD segments one image may have; real programs use 2 to 5. */
#define ELF_MAX_SEGMENTS 16

/* Segments must end at or below this: the top of the lower canonical half. */
#define ELF_USER_END 0x0000800000000000ull

/* An ET_EXEC segment may start no lower, so page 0 (NULL) and the pages just
 * above it stay unmapped and a stray NULL dereference faults. */
#define ELF_EXEC_MIN_VADDR 0x10000ull

/* Position-independent (ET_DYN) images: the lowest segment must start below
 * 2 GiB and the whole image span at most 1 GiB, so the loader can place it
 * anywhere without worrying about absurd layouts. */
#define ELF_PIE_MAX_LOWEST_VADDR 0x80000000ull
#define ELF_PIE_MAX_SPAN         0x40000000ull

/* One PT_LOAD segment: memsz bytes at vaddr, the first filesz of them copied
 * from the file at offset, the rest zero. */
typedef struct {
	uint64_t vaddr; /* for ET_DYN relative to the load base 0 */
	uint64_t memsz, filesz, offset;
	bool read, write, exec; /* never both write and exec */
} elf_segment_t;

typedef struct {
	bool pie;       /* ET_DYN */
	uint64_t entry; /* relative for PIE */
	unsigned segment_count;
	elf_segment_t segments[ELF_MAX_SEGMENTS]; /* non-empty PT_LOADs in file order */
	/* Page-rounded end of the highest segment, from the lowest page-rounded
	 * start; what the loader must reserve. */
	uint64_t image_span;
	uint64_t lowest_vaddr; /* page-aligned start of the lowest segment */
	bool has_dynamic;      /* PT_DYNAMIC (static-pie relocates itself) */
	/* PF_X of PT_GNU_STACK. An executable stack is rejected, so this is
	 * nonzero only in the image left behind by that failure. */
	uint64_t stack_flags_exec;
} elf_image_t;

/*
 * Parses and validates the ELF64 executable of size bytes at file into *out.
 *
 * file may be unaligned and is never read outside [file, file + size). Only
 * static x86-64 little-endian ET_EXEC and ET_DYN (static-pie) images are
 * accepted; see elf.c for every rule. *out is zeroed first; on success it
 * holds at least one segment, and entry lies in an executable one.
 *
 * Returns RAE_OK, or on failure a one-line reason in err (when err_len > 0)
 * naming the header or segment at fault, *out partially filled, and:
 *   RAE_ERR_TRUNCATED   something runs past the end of the file;
 *   RAE_ERR_INVALID     malformed or self-contradictory ELF;
 *   RAE_ERR_UNSUPPORTED well-formed, but not something RaeenOS runs (32-bit,
 *                       big endian, other machines, ET_REL/ET_CORE, dynamic
 *                       linking, W+X segments, executable stack, limits).
 */
rae_status_t elf_parse(const void *file, size_t size, elf_image_t *out, char *err, size_t err_len);

/* As elf_parse, for a file of `size` bytes of which only the first
 * `head_len` are at `head` (a copy the loader made): the ELF header and the
 * program header table must lie inside them (RAE_ERR_UNSUPPORTED if not);
 * segments are checked against `size`. */
rae_status_t elf_parse_head(const void *head, size_t head_len, size_t size, elf_image_t *out,
			    char *err, size_t err_len);

#endif
