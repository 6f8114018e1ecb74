/* Bringing up application processors: the trampoline below 1 MiB, a
 * temporary address space that maps it, INIT-SIPI-SIPI, and the AP's own
 * CPU set-up (GDT/TSS/IST, IDT, protections, per-CPU base, LAPIC, timer). */
#include <arch/x86_64/apic/lapic.h>
#include <arch/x86_64/cpu/features.h>
#include <arch/x86_64/cpu/gdt.h>
#include <arch/x86_64/cpu/interrupt.h>
#include <arch/x86_64/cpu/regs.h>
#include <arch/x86_64/smp/smp.h>
#include <console/kprintf.h>
#include <hal/context.h>
#include <hal/cpu.h>
#include <sched/sched.h>
#include <hal/paging.h>
#include <hal/smp.h>
#include <hal/time.h>
#include <mm/kmalloc.h>
#include <mm/pmm.h>
#include <mm/vmm.h>
#include <smp/cpu.h>
#include <smp/smp.h>
#include <string.h>
#include <time/clock.h>
#include <time/timer.h>

typedef struct {
	uint64_t cr3, stack, entry, arg, nx;
} smp_trampoline_params_t;

typedef struct {
	cpu_tables_t tables;
	uintptr_t ist_top[3];
	uintptr_t stack_top;
} cpu_arch_t;

extern const char smp_trampoline_start[], smp_trampoline_end[], smp_trampoline_params[];
extern paddr_t kernel_pt_root;
void x86_pat_init(void);
void syscall_cpu_init(tss_t *tss);
void idt_load(void);

#define AP_START_TIMEOUT_NS 1000000000ull

void hal_send_ipi(uint32_t hw_id, hal_ipi_t ipi)
{
	uint32_t vector = ipi == HAL_IPI_CALL ? VEC_IPI_CALL : VEC_IPI_RESCHEDULE;
	lapic_send_ipi(hw_id, LAPIC_ICR_FIXED | vector);
}

static NORETURN void ap_entry(cpu_t *c)
{
	cpu_arch_t *a = c->arch;
	hal_pt_switch(kernel_pt_root);
	gdt_load(&a->tables, a->ist_top);
	idt_load();
	hal_percpu_init(c);
	cpu_protections_enable();
	cpu_write_cr4(cpu_read_cr4() | (1ull << 7)); /* PGE */
	x86_pat_init();
	hal_fpu_cpu_init();
	syscall_cpu_init(&a->tables.tss);
	lapic_init_ap();
	timer_cpu_init();
	__atomic_store_n(&c->online, true, __ATOMIC_RELEASE);
	__atomic_fetch_add(&cpu_online_count, 1, __ATOMIC_ACQ_REL);
	sched_run_ap();
}

static paddr_t dma32_page_zeroed(void)
{
	paddr_t pa = pmm_alloc_pages_in(PMM_ZONE_DMA32, 0, RAE_MEM_KERNEL_OTHER);
	if (pa)
		memset(phys_to_virt_unchecked(pa), 0, PAGE_SIZE);
	return pa;
}

/* Page-table pages of the temporary address space, to free afterwards:
 * its PML4 and the three tables that map the trampoline page. */
static void temp_tables_free(paddr_t pml4)
{
	uint64_t *l4 = phys_to_virt_unchecked(pml4);
	paddr_t l3 = l4[0] & 0x000ffffffffff000ull;
	uint64_t *p3 = phys_to_virt_unchecked(l3);
	paddr_t l2 = p3[0] & 0x000ffffffffff000ull;
	uint64_t *p2 = phys_to_virt_unchecked(l2);
	paddr_t l1 = p2[0] & 0x000ffffffffff000ull;
	pmm_free_pages(l1, 0);
	pmm_free_pages(l2, 0);
	pmm_free_pages(l3, 0);
	pmm_free_pages(pml4, 0);
}

static bool ap_prepare(cpu_t *c)
{
	cpu_arch_t *a = kzalloc(sizeof(*a));
	if (!a)
		return false;
	for (int i = 0; i < 3; i++) {
		a->ist_top[i] = kstack_alloc();
		if (!a->ist_top[i])
			return false;
	}
	a->stack_top = kstack_alloc();
	if (!a->stack_top)
		return false;
	c->arch = a;
	return true;
}

/* The wait between INIT and the first STARTUP IPI: the MultiProcessor
 * Specification's 10 ms, which integrated APICs do not need; Linux skips it
 * for the same processors (Intel family 6, AMD and Hygon from family 0xf).
 * Under QEMU -icount it was 10 million instructions of every boot. */
static uint64_t ap_init_delay_ns(void)
{
	const cpu_features_t *f = &cpu_features;
	bool intel = strcmp(f->vendor, "GenuineIntel") == 0;
	bool amd = strcmp(f->vendor, "AuthenticAMD") == 0 || strcmp(f->vendor, "HygonGenuine") == 0;
	if ((intel && f->family == 6) || (amd && f->family >= 0xf))
		return 0;
	return 10000000; /* 10 ms */
}

#define AP_POLL_NS 20000 /* 20 us between looks at a starting CPU */

static void ap_poll_tick(ktimer_t *t, void *arg)
{
	(void)t;
	(void)arg;
}

/* Waits until `c` is online or `ns` pass, halted between short timer ticks
 * rather than spinning: under QEMU's single-threaded TCG a spinning CPU
 * keeps the starting one from running until its time slice ends (22
 * million instructions of every -icount boot), and on hardware halting
 * costs nothing. With interrupts off (nothing would end the halt) it
 * spins. */
static void ap_wait_online(cpu_t *c, uint64_t ns)
{
	uint64_t start = clock_monotonic_ns();
	ktimer_t tick = {0};
	while (!__atomic_load_n(&c->online, __ATOMIC_ACQUIRE) &&
	       clock_monotonic_ns() - start < ns) {
		/* Armed with interrupts off and halted with sti; hlt, so a tick
		 * that is already due wakes the hlt instead of passing before it. */
		if (!hal_irq_save()) {
			__asm__ volatile("pause");
			continue;
		}
		timer_start(&tick, hal_timestamp() + clock_ns_to_ticks(AP_POLL_NS), ap_poll_tick,
			    NULL);
		if (!__atomic_load_n(&c->online, __ATOMIC_ACQUIRE))
			hal_cpu_idle();
		hal_irq_enable();
		timer_cancel(&tick);
	}
}

static bool ap_start(cpu_t *c, paddr_t temp_root, volatile smp_trampoline_params_t *params)
{
	cpu_arch_t *a = c->arch;
	params->cr3 = temp_root;
	params->stack = a->stack_top;
	params->entry = (uintptr_t)&ap_entry;
	params->arg = (uintptr_t)c;
	params->nx = cpu_features.nx;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);

	lapic_send_ipi(c->hw_id, LAPIC_ICR_INIT | LAPIC_ICR_LEVEL_ASSERT);
	hal_delay_ns(ap_init_delay_ns());
	for (int attempt = 0; attempt < 2 && !c->online; attempt++) {
		lapic_send_ipi(c->hw_id, LAPIC_ICR_STARTUP | (uint32_t)(TRAMPOLINE_PHYS >> 12));
		/* 200 us, then 1 s */
		ap_wait_online(c, attempt == 0 ? 200000 : AP_START_TIMEOUT_NS);
	}
	return c->online;
}

void smp_start_aps(void)
{
	if (cpu_possible_count <= 1)
		return;
	size_t tramp_size = (size_t)(smp_trampoline_end - smp_trampoline_start);
	uint8_t *tramp = vmm_map_phys(TRAMPOLINE_PHYS, PAGE_SIZE, VM_READ | VM_WRITE);
	paddr_t temp_root = dma32_page_zeroed();
	if (!tramp || !temp_root) {
		kprintf("smp: cannot set up the trampoline; running on one CPU\n");
		return;
	}
	memcpy(tramp, smp_trampoline_start, tramp_size);
	volatile smp_trampoline_params_t *params =
	    (volatile smp_trampoline_params_t *)(tramp +
						 (smp_trampoline_params - smp_trampoline_start));

	/* The temporary space: the trampoline page at its physical address
	 * (read and execute), and the kernel's upper half shared as is. */
	uint64_t *l4 = phys_to_virt_unchecked(temp_root);
	const uint64_t *k4 = phys_to_virt_unchecked(kernel_pt_root);
	for (int i = 256; i < 512; i++)
		l4[i] = k4[i];
	if (hal_pt_map(temp_root, TRAMPOLINE_PHYS, TRAMPOLINE_PHYS, PAGE_SIZE, VM_READ | VM_EXEC,
		       false, dma32_page_zeroed) != RAE_OK) {
		kprintf("smp: cannot map the trampoline; running on one CPU\n");
		return;
	}

	for (unsigned i = 1; i < cpu_possible_count; i++) {
		cpu_t *c = &cpus[i];
		if (!ap_prepare(c) || !ap_start(c, temp_root, params))
			kprintf("smp: CPU %u (APIC ID %u) did not start\n", i, c->hw_id);
	}
	temp_tables_free(temp_root);
	vmm_free((uintptr_t)tramp);
	tlb_shootdown((uintptr_t)tramp, PAGE_SIZE);
}
