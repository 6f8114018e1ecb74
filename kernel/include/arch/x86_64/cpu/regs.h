/* x86_64 control registers, MSRs, CPUID and port I/O as inline functions. */
#ifndef ARCH_X86_64_CPU_REGS_H
#define ARCH_X86_64_CPU_REGS_H

#include <stdint.h>

#define CR0_PE       (1ull << 0)
#define CR0_WP       (1ull << 16)
#define CR0_PG       (1ull << 31)
#define CR4_PAE      (1ull << 5)
#define CR4_UMIP     (1ull << 11)
#define CR4_FSGSBASE (1ull << 16)
#define CR4_SMEP     (1ull << 20)
#define CR4_SMAP     (1ull << 21)

#define MSR_EFER           0xc0000080u
#define MSR_FS_BASE        0xc0000100u
#define MSR_GS_BASE        0xc0000101u
#define MSR_KERNEL_GS_BASE 0xc0000102u
#define EFER_LME           (1ull << 8)
#define EFER_NXE           (1ull << 11)

#define RFLAGS_IF (1ull << 9)
#define RFLAGS_AC (1ull << 18)

#define DEFINE_CR_ACCESS(n)                                                                        \
	static inline uint64_t cpu_read_cr##n(void)                                                \
	{                                                                                          \
		uint64_t v;                                                                        \
		__asm__ volatile("mov %%cr" #n ", %0" : "=r"(v));                                  \
		return v;                                                                          \
	}                                                                                          \
	static inline void cpu_write_cr##n(uint64_t v)                                             \
	{                                                                                          \
		__asm__ volatile("mov %0, %%cr" #n : : "r"(v) : "memory");                         \
	}
DEFINE_CR_ACCESS(0)
DEFINE_CR_ACCESS(2)
DEFINE_CR_ACCESS(3)
DEFINE_CR_ACCESS(4)
#undef DEFINE_CR_ACCESS

static inline uint64_t cpu_rdmsr(uint32_t msr)
{
	uint32_t lo, hi;
	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return ((uint64_t)hi << 32) | lo;
}

static inline void cpu_wrmsr(uint32_t msr, uint64_t v)
{
	__asm__ volatile("wrmsr" : : "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)));
}

static inline void cpu_cpuid(uint32_t leaf, uint32_t subleaf, uint32_t out[4])
{
	__asm__ volatile("cpuid"
			 : "=a"(out[0]), "=b"(out[1]), "=c"(out[2]), "=d"(out[3])
			 : "a"(leaf), "c"(subleaf));
}

static inline uint64_t cpu_read_rflags(void)
{
	uint64_t f;
	__asm__ volatile("pushfq; popq %0" : "=r"(f));
	return f;
}

static inline void outb(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline uint8_t inb(uint16_t port)
{
	uint8_t v;
	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline void outl(uint16_t port, uint32_t v)
{
	__asm__ volatile("outl %0, %1" : : "a"(v), "Nd"(port));
}

/* A short delay for old ISA devices (the PIC): a write to an unused port. */
static inline void io_wait(void)
{
	outb(0x80, 0);
}

#endif
