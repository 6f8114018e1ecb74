/* Kernel tests of the x86_64 CPU set-up: protections, GDT/TSS/IST, the IDT
 * returning from a recoverable trap, and the boot page tables. */
#include <arch/x86_64/apic/lapic.h>
#include <arch/x86_64/apic/vectors.h>
#include <arch/x86_64/cpu/features.h>
#include <arch/x86_64/cpu/gdt.h>
#include <arch/x86_64/cpu/interrupt.h>
#include <arch/x86_64/cpu/regs.h>
#include <debug/ksym.h>
#include <hal/cpu.h>
#include <hal/paging.h>
#include <string.h>
#include <test/ktest.h>

static bool mapped(uintptr_t va)
{
	return hal_pt_query(hal_pt_root(), va, NULL, NULL);
}

KTEST(cpu_protections_match_cpuid)
{
	uint32_t r[4];
	uint64_t cr4 = cpu_read_cr4();

	cpu_cpuid(0x80000001u, 0, r);
	KTEST_EXPECT_EQ(t, !!(cpu_rdmsr(MSR_EFER) & EFER_NXE), !!(r[3] & (1u << 20)));
	KTEST_EXPECT(t, cpu_read_cr0() & CR0_WP);
	cpu_cpuid(7, 0, r);
	KTEST_EXPECT_EQ(t, !!(cr4 & CR4_SMEP), !!(r[1] & (1u << 7)));
	KTEST_EXPECT_EQ(t, !!(cr4 & CR4_SMAP), !!(r[1] & (1u << 20)));
	KTEST_EXPECT_EQ(t, !!(cr4 & CR4_UMIP), !!(r[2] & (1u << 2)));
	KTEST_EXPECT(t, !(cr4 & CR4_FSGSBASE)); /* off by design (features.c) */
	/* With SMAP on, the kernel runs with RFLAGS.AC clear. */
	KTEST_EXPECT(t, !(cpu_read_rflags() & RFLAGS_AC));
}

KTEST(gdt_tss_loaded)
{
	uint16_t cs, ds, tr;
	__asm__ volatile("mov %%cs, %0; mov %%ds, %1; str %2" : "=r"(cs), "=r"(ds), "=r"(tr));
	KTEST_EXPECT_EQ(t, cs, GDT_KERNEL_CODE);
	KTEST_EXPECT_EQ(t, ds, GDT_KERNEL_DATA);
	KTEST_EXPECT_EQ(t, tr, GDT_TSS);
	for (int i = IST_DOUBLE_FAULT; i <= IST_MACHINE_CHECK; i++) {
		uint64_t top = boot_cpu_tables.tss.ist[i - 1];
		KTEST_EXPECT(t, top != 0 && (top & 15) == 0);
		KTEST_EXPECT(t, mapped(top - 8));
	}
	/* The three IST stacks are distinct. */
	KTEST_EXPECT(t, boot_cpu_tables.tss.ist[0] != boot_cpu_tables.tss.ist[1] &&
			    boot_cpu_tables.tss.ist[1] != boot_cpu_tables.tss.ist[2]);
}

KTEST(breakpoint_trap_returns)
{
	uint64_t before = exception_breakpoint_count;
	__asm__ volatile("int3");
	__asm__ volatile("int3");
	KTEST_EXPECT_EQ(t, exception_breakpoint_count, before + 2);
	uintptr_t off;
	const char *name = ksym_lookup(exception_breakpoint_rip, &off);
	KTEST_EXPECT(t, name && strcmp(name, "ktest_breakpoint_trap_returns") == 0);
}

/* An NMI can arrive while the user's GS base is loaded in kernel mode (the
 * first instruction of syscall_entry, or between an exit path's SWAPGS and
 * its SYSRET): the entry must find the kernel's per-CPU data all the same
 * (isr.S's paranoid path), or the handler reads through the user's base
 * and the kernel faults. This opens that window on purpose and enters the
 * NMI vector inside it twice: with INT 2 (the same IDT entry and stub, on
 * every machine) and, when there is a local APIC, with a real NMI the CPU
 * sends itself. */
KTEST(nmi_while_the_user_gs_base_is_loaded)
{
	bool apic = interrupt_lapic_ready;
	uint32_t self = apic ? lapic_id() : 0;
	uint64_t before = exception_nmi_count;
	bool irq = hal_irq_save();
	__asm__ volatile("swapgs" ::: "memory");
	/* Nothing here may touch per-CPU data: lapic_send_ipi uses globals. */
	__asm__ volatile("int $2" ::: "memory");
	if (apic) {
		lapic_send_ipi(self, LAPIC_ICR_NMI);
		for (unsigned spin = 0; spin < 10000000 && exception_nmi_count == before + 1;
		     spin++)
			__asm__ volatile("pause");
	}
	__asm__ volatile("swapgs" ::: "memory");
	hal_irq_restore(irq);
	KTEST_EXPECT_EQ(t, exception_nmi_count, before + (apic ? 2 : 1));
}

KTEST(low_memory_unmapped)
{
	/* The kernel's tables map no low memory: NULL and user addresses fault. */
	KTEST_EXPECT(t, !mapped(0));
	KTEST_EXPECT(t, !mapped(0x200000));
	KTEST_EXPECT(t, !mapped(0x00007ffffffff000ull));
	KTEST_EXPECT(t, !mapped(0x8000000000000000ull)); /* non-canonical */
	KTEST_EXPECT(t, mapped((uintptr_t)&boot_cpu_tables.tss));
	KTEST_EXPECT(t, mapped(direct_map_base + 0x200000));
}
