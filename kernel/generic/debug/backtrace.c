/* Frame-pointer backtraces. Every step is checked against the page tables
 * first, so a corrupt frame chain ends the trace instead of faulting. */
#include <console/kprintf.h>
#include <debug/backtrace.h>
#include <debug/ksym.h>
#include <hal/cpu.h>

size_t backtrace_collect(uintptr_t fp, uintptr_t *pcs, size_t max)
{
	size_t n = 0;
	while (n < max && fp != 0) {
		if ((fp & 7) != 0 || !hal_vaddr_readable(fp, 16))
			break;
		const uintptr_t *frame = (const uintptr_t *)fp;
		uintptr_t next = frame[0], ret = frame[1];
		if (ret == 0)
			break;
		pcs[n++] = ret;
		/* Stacks grow down, so callers' frames lie at higher addresses. */
		if (next <= fp)
			break;
		fp = next;
	}
	return n;
}

void backtrace_print(uintptr_t pc, uintptr_t fp)
{
	uintptr_t pcs[BACKTRACE_MAX_FRAMES];
	char sym[96];
	size_t n = backtrace_collect(fp, pcs, BACKTRACE_MAX_FRAMES);

	kprintf("backtrace:\n");
	ksym_format(pc, sym, sizeof(sym));
	kprintf("  #0 0x%016lx %s\n", pc, sym);
	for (size_t i = 0; i < n; i++) {
		/* A return address points after the call; look up the call. */
		ksym_format(pcs[i] - 1, sym, sizeof(sym));
		kprintf("  #%zu 0x%016lx %s\n", i + 1, pcs[i], sym);
	}
}
