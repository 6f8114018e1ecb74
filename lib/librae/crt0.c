/* Program start-up for static position-independent executables: apply the
 * program's own relative relocations (the kernel maps it at a random base),
 * call main, exit with its result. Nothing here may use an absolute
 * address before the relocations are done. */
#include <rae.h>

#define DT_NULL           0
#define DT_RELA           7
#define DT_RELASZ         8
#define R_X86_64_RELATIVE 8

typedef struct {
	int64_t tag;
	uint64_t val;
} elf_dyn_t;

typedef struct {
	uint64_t offset, info;
	int64_t addend;
} elf_rela_t;

extern const char __ehdr_start[] __attribute__((visibility("hidden")));
extern elf_dyn_t _DYNAMIC[] __attribute__((visibility("hidden")));

__attribute__((used)) void rae_start_c(uint64_t arg);

__attribute__((used)) void rae_start_c(uint64_t arg)
{
	uintptr_t base = (uintptr_t)__ehdr_start;
	uint64_t rela = 0, relasz = 0;
	for (elf_dyn_t *d = _DYNAMIC; d->tag != DT_NULL; d++) {
		if (d->tag == DT_RELA)
			rela = d->val;
		else if (d->tag == DT_RELASZ)
			relasz = d->val;
	}
	for (uint64_t off = 0; off + sizeof(elf_rela_t) <= relasz; off += sizeof(elf_rela_t)) {
		const elf_rela_t *r = (const elf_rela_t *)(base + rela + off);
		if ((r->info & 0xffffffff) == R_X86_64_RELATIVE)
			*(uint64_t *)(base + r->offset) = base + (uint64_t)r->addend;
	}
	rae_exit(main(arg));
}

__asm__(".text\n"
	".globl _start\n"
	"_start:\n"
	"	xorl %ebp, %ebp\n"
	"	andq $-16, %rsp\n"
	"	call rae_start_c\n"
	"	ud2\n");
