/* Program start for C programs built with tools/raeen-cc. The kernel starts
 * a process at _start with one argument in rdi (a handle, or 0) and a bare
 * stack. This applies the program's own relative relocations (a static PIE
 * at a random base), receives the start-up set over that handle (arguments,
 * environment, named handles: abi/rae/startup.h) and builds what musl's
 * __libc_start_main expects: argc, argv, envp and the auxiliary vector
 * (AT_PHDR for the TLS image, AT_PAGESZ, AT_RANDOM, AT_HWCAP...), after
 * setting up what the starter passed on (inherit.c). Nothing
 * here may use an absolute address before the relocations are done. */
#include <elf.h>
#include <rae.h>

extern const char __ehdr_start[] __attribute__((visibility("hidden")));
extern Elf64_Dyn _DYNAMIC[] __attribute__((visibility("hidden")));
extern char _start[] __attribute__((visibility("hidden")));

int main(int, char **, char **);
int __libc_start_main(int (*)(int, char **, char **), int, char **, void (*)(void), void (*)(void),
		      void (*)(void));

/* Lives as long as the program: argv and envp point into it. */
static rae_startup_t startup;
static uint8_t at_random[16];

rae_startup_t *rae_posix_startup(void);
void rae_posix_inherit(void *startup);
__attribute__((used, noreturn)) void rae_posix_start(uint64_t arg);

/* The start-up set the program was given (its handles can be taken with
 * rae_startup_take); empty when it was started without one. */
rae_startup_t *rae_posix_startup(void)
{
	return &startup;
}

static void crt_fail(const char *msg, size_t len)
{
	rae_debug_write(msg, len);
	rae_exit(127);
}

/* R_X86_64_RELATIVE only: anything else means the program was not linked
 * as raeen-cc links it. */
static void crt_relocate(uintptr_t base)
{
	uint64_t rela = 0, relasz = 0;
	for (Elf64_Dyn *d = _DYNAMIC; d->d_tag != DT_NULL; d++) {
		if (d->d_tag == DT_RELA)
			rela = d->d_un.d_ptr;
		else if (d->d_tag == DT_RELASZ)
			relasz = d->d_un.d_val;
	}
	for (uint64_t off = 0; off + sizeof(Elf64_Rela) <= relasz; off += sizeof(Elf64_Rela)) {
		const Elf64_Rela *r = (const Elf64_Rela *)(base + rela + off);
		if (ELF64_R_TYPE(r->r_info) != R_X86_64_RELATIVE) {
			static const char msg[] = "crt: a relocation other than RELATIVE\n";
			crt_fail(msg, sizeof(msg) - 1);
		}
		*(uint64_t *)(base + r->r_offset) = base + (uint64_t)r->r_addend;
	}
}

static uint64_t cpu_hwcap(void)
{
	uint32_t a = 1, b, c = 0, d;
	__asm__ volatile("cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(d));
	return d; /* Linux's AT_HWCAP on x86: CPUID 1 EDX */
}

#define AUX_PAIRS 16

void rae_posix_start(uint64_t arg)
{
	uintptr_t base = (uintptr_t)__ehdr_start;
	crt_relocate(base);

	static char *fallback_argv[] = {"program", NULL};
	startup.argv = startup.envp = startup.pointers;
	if (arg) {
		rae_status_t st =
		    rae_startup_receive((rae_handle_t)arg, &startup, RAE_STARTUP_TIMEOUT_NS);
		if (st != RAE_OK) {
			static const char msg[] = "crt: no start-up set on the first handle\n";
			rae_debug_write(msg, sizeof(msg) - 1);
			startup.argc = 0;
			startup.envp = startup.pointers;
			startup.pointers[0] = NULL;
		}
	}
	/* The file system, the console and the descriptors the starter gave
	 * (lib/posix/inherit.h); the runtime's options leave argv here. */
	rae_posix_inherit(&startup);
	int argc = startup.argc;
	char **argv = startup.argv, **envp = startup.envp;
	if (argc == 0) {
		argc = 1;
		argv = fallback_argv;
	}
	int envc = 0;
	while (envp[envc])
		envc++;

	rae_random(at_random, sizeof(at_random));
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)base;
	const size_t aux[AUX_PAIRS * 2] = {
	    AT_PHDR,   base + eh->e_phoff,
	    AT_PHENT,  eh->e_phentsize,
	    AT_PHNUM,  eh->e_phnum,
	    AT_PAGESZ, 4096,
	    AT_BASE,   0,
	    AT_ENTRY,  (size_t)_start,
	    AT_UID,    0,
	    AT_EUID,   0,
	    AT_GID,    0,
	    AT_EGID,   0,
	    AT_SECURE, 0,
	    AT_RANDOM, (size_t)at_random,
	    AT_HWCAP,  cpu_hwcap(),
	    AT_EXECFN, (size_t)argv[0],
	    AT_NULL,   0,
	};

	/* argv, NULL, envp, NULL, auxv: one block, as a Linux stack holds it. */
	size_t vec[RAE_STARTUP_STRINGS_MAX + 4 + AUX_PAIRS * 2];
	size_t n = 0;
	for (int i = 0; i < argc; i++)
		vec[n++] = (size_t)argv[i];
	vec[n++] = 0;
	for (int i = 0; i < envc; i++)
		vec[n++] = (size_t)envp[i];
	vec[n++] = 0;
	for (unsigned i = 0; i < sizeof(aux) / sizeof(aux[0]); i++)
		vec[n++] = aux[i];
	__libc_start_main(main, argc, (char **)vec, 0, 0, 0);
	__builtin_unreachable();
}

__asm__(".text\n"
	".globl _start\n"
	".hidden _start\n"
	"_start:\n"
	"	xorl %ebp, %ebp\n"
	"	andq $-16, %rsp\n"
	"	call rae_posix_start\n"
	"	ud2\n");
