/* Extended CPU state (x87, SSE, AVX): enabled per CPU, saved and restored
 * eagerly on every thread switch with XSAVE/XRSTOR, or FXSAVE/FXRSTOR where
 * XSAVE is absent. Eager because lazy switching (trap on first use) leaks
 * one thread's registers to another on CPUs with speculative execution
 * (LazyFP, CVE-2018-3665), and games use SIMD in nearly every time slice
 * anyway. The kernel itself never touches these registers
 * (-mgeneral-regs-only). */
#include <arch/x86_64/cpu/features.h>
#include <arch/x86_64/cpu/fpu.h>
#include <arch/x86_64/cpu/regs.h>
#include <hal/context.h>
#include <string.h>

#define CR0_MP         (1ull << 1)
#define CR0_EM         (1ull << 2)
#define CR0_TS         (1ull << 3)
#define CR4_OSFXSR     (1ull << 9)
#define CR4_OSXMMEXCPT (1ull << 10)
#define CR4_OSXSAVE    (1ull << 18)

#define XCR0_X87 (1ull << 0)
#define XCR0_SSE (1ull << 1)
#define XCR0_AVX (1ull << 2)

#define FXSAVE_SIZE 512

uint64_t fpu_xcr0;
static size_t area_size = FXSAVE_SIZE;

static void xsetbv(uint32_t reg, uint64_t v)
{
	__asm__ volatile("xsetbv" : : "c"(reg), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)));
}

void hal_fpu_cpu_init(void)
{
	cpu_write_cr0((cpu_read_cr0() & ~(CR0_EM | CR0_TS)) | CR0_MP);
	uint64_t cr4 = cpu_read_cr4() | CR4_OSFXSR | CR4_OSXMMEXCPT;
	if (cpu_features.xsave)
		cr4 |= CR4_OSXSAVE;
	cpu_write_cr4(cr4);
	if (!cpu_features.xsave)
		return;
	if (!fpu_xcr0) {
		/* The components the CPU supports, of those RaeenOS saves. */
		uint32_t r[4];
		cpu_cpuid(0xd, 0, r);
		uint64_t supported = ((uint64_t)r[3] << 32) | r[0];
		fpu_xcr0 = supported & (XCR0_X87 | XCR0_SSE | XCR0_AVX);
	}
	xsetbv(0, fpu_xcr0);
	uint32_t r[4];
	cpu_cpuid(0xd, 0, r);
	area_size = r[1]; /* EBX: bytes for the components enabled in XCR0 */
}

size_t hal_fpu_area_size(void)
{
	return area_size;
}

size_t hal_fpu_area_align(void)
{
	return 64;
}

void hal_fpu_area_init(void *area)
{
	/* All-zero with XSTATE_BV = 0 means "initial state" to XRSTOR; the
	 * legacy part still supplies FCW and MXCSR, so give the defaults
	 * (all exceptions masked). */
	uint8_t *a = area;
	memset(a, 0, area_size);
	uint16_t fcw = 0x037f;
	uint32_t mxcsr = 0x1f80;
	memcpy(a + 0, &fcw, sizeof(fcw));
	memcpy(a + 24, &mxcsr, sizeof(mxcsr));
}

void hal_fpu_save(void *area)
{
	if (cpu_features.xsave)
		__asm__ volatile("xsave64 (%0)"
				 :
				 : "r"(area), "a"((uint32_t)fpu_xcr0),
				   "d"((uint32_t)(fpu_xcr0 >> 32))
				 : "memory");
	else
		__asm__ volatile("fxsave64 (%0)" : : "r"(area) : "memory");
}

void hal_fpu_restore(const void *area)
{
	if (cpu_features.xsave)
		__asm__ volatile("xrstor64 (%0)"
				 :
				 : "r"(area), "a"((uint32_t)fpu_xcr0),
				   "d"((uint32_t)(fpu_xcr0 >> 32))
				 : "memory");
	else
		__asm__ volatile("fxrstor64 (%0)" : : "r"(area) : "memory");
}

uintptr_t hal_context_init(uintptr_t stack_top, struct thread *t)
{
	extern char context_thread_start[];
	uint64_t *sp = (uint64_t *)(stack_top & ~15ull);
	*--sp = 0; /* fake return address: backtraces end here */
	*--sp = (uint64_t)(uintptr_t)context_thread_start;
	*--sp = 0;                      /* rbp */
	*--sp = 0;                      /* rbx */
	*--sp = (uint64_t)(uintptr_t)t; /* r12 */
	*--sp = 0;                      /* r13 */
	*--sp = 0;                      /* r14 */
	*--sp = 0;                      /* r15 */
	return (uintptr_t)sp;
}
