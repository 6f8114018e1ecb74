/* The x86_64 side of user mode: SYSCALL set-up, the first entry of a user
 * thread, what changes at every thread switch (TSS.RSP0, CR3, the I/O
 * permission bitmap, the user's FS and GS bases), and random numbers for
 * user ASLR. */
#include <arch/x86_64/cpu/features.h>
#include <arch/x86_64/cpu/fpu.h>
#include <arch/x86_64/cpu/gdt.h>
#include <arch/x86_64/cpu/regs.h>
#include <hal/context.h>
#include <hal/cpu.h>
#include <hal/ioport.h>
#include <hal/paging.h>
#include <hal/time.h>
#include <mm/usercopy.h>
#include <proc/process.h>
#include <sched/thread.h>
#include <smp/cpu.h>
#include <string.h>

#define MSR_STAR  0xc0000081u
#define MSR_LSTAR 0xc0000082u
#define MSR_FMASK 0xc0000084u
#define EFER_SCE  (1ull << 0)
/* Cleared on entry: interrupts, trap, direction, alignment check (SMAP's
 * AC must never leak into the kernel), nested task. */
#define SYSCALL_FMASK 0x47700ull

extern char syscall_entry[];
NORETURN void user_enter(uintptr_t rip, uintptr_t rsp, uint64_t arg);

/* This CPU's TSS (RSP0 is where interrupts from user mode land), with its
 * I/O bitmap right behind it. */
static tss_t *cpu_tss[CPU_MAX];
/* The page tables each CPU runs on, for targeted TLB shootdowns; written
 * by that CPU before it loads them. */
static volatile paddr_t cpu_root[CPU_MAX];
/* The io_seq of the bitmap copied into each CPU's TSS (0: none). Only that
 * CPU touches its entry, with interrupts off. */
static uint64_t cpu_io_seq[CPU_MAX];
/* The user FS base loaded on each CPU. Only that CPU touches its entry,
 * with interrupts off; a switch writes the MSR only when the next thread's
 * base differs. */
static uint64_t cpu_fs_base[CPU_MAX];

paddr_t hal_pt_root_on(unsigned cpu)
{
	return cpu < CPU_MAX ? cpu_root[cpu] : 0;
}

/* Points this CPU's TSS at `p`'s I/O bitmap (copied in when it changed),
 * or past the TSS limit when p has none. Interrupts off. */
static void io_bitmap_install(cpu_t *c, process_t *p)
{
	tss_t *tss = cpu_tss[c->id];
	if (!tss)
		return;
	uint8_t *bm = p ? __atomic_load_n(&p->io_bitmap, __ATOMIC_ACQUIRE) : NULL;
	if (!bm) {
		tss->iomap_base = TSS_IOMAP_OFF;
		return;
	}
	uint64_t seq = __atomic_load_n(&p->io_seq, __ATOMIC_ACQUIRE);
	if (cpu_io_seq[c->id] != seq) {
		memcpy((uint8_t *)(tss + 1), bm, IO_BITMAP_BYTES);
		cpu_io_seq[c->id] = seq;
	}
	tss->iomap_base = TSS_IOMAP_ON;
}

void hal_io_bitmap_reload(void)
{
	cpu_t *c = this_cpu();
	io_bitmap_install(c, c->current ? c->current->proc : NULL);
}

/* Loads next's user FS base where it differs from the one this CPU holds.
 * User code cannot change its FS or GS base itself (CR4.FSGSBASE stays
 * off, features.c): only SET_TLS_BASE can, which records it, so nothing is
 * read back at a switch, and the user GS base is 0 for every thread.
 * Interrupts off. */
static void user_bases_switch(cpu_t *c, thread_t *next)
{
	if (next->proc && next->user_fs_base != cpu_fs_base[c->id]) {
		cpu_wrmsr(MSR_FS_BASE, next->user_fs_base);
		cpu_fs_base[c->id] = next->user_fs_base;
	}
}

int hal_user_set_tls_base(uint64_t base)
{
	if (base >= USER_SPACE_END)
		return RAE_ERR_INVALID; /* wrmsr would fault on a non-canonical one */
	bool irq = hal_irq_save();
	cpu_t *c = this_cpu();
	c->current->user_fs_base = base;
	cpu_wrmsr(MSR_FS_BASE, base);
	cpu_fs_base[c->id] = base;
	hal_irq_restore(irq);
	return RAE_OK;
}

void hal_thread_switch(cpu_t *c, thread_t *prev, thread_t *next)
{
	user_bases_switch(c, next);
	tss_t *tss = cpu_tss[c->id];
	process_t *p = next->proc;
	paddr_t root = p ? p->as->root : kernel_pt_root;
	/* Each CPU loads CR3 only here (and at boot, to kernel_pt_root), so
	 * cpu_root says what it holds; stored before the serializing load. */
	if (cpu_root[c->id] != root) {
		cpu_root[c->id] = root;
		/* hal_pt_switch, inline on the IPC path: serializing. */
		__asm__ volatile("mov %0, %%cr3" : : "r"(root) : "memory");
	}
	if (likely(tss)) { /* none in early boot: no user mode yet */
		tss->rsp[0] = next->kstack_top;
		if (p && __atomic_load_n(&p->io_bitmap, __ATOMIC_ACQUIRE))
			io_bitmap_install(c, p);
		else if (tss->iomap_base != TSS_IOMAP_OFF)
			tss->iomap_base = TSS_IOMAP_OFF; /* no port access (the usual case) */
	}
	fpu_switch(prev->fpu, next->fpu);
	hal_context_switch(&prev->ctx_sp, next->ctx_sp);
}

void syscall_cpu_init(tss_t *tss)
{
	cpu_t *c = this_cpu();
	cpu_tss[c->id] = tss;
	cpu_wrmsr(MSR_EFER, cpu_rdmsr(MSR_EFER) | EFER_SCE);
	/* SYSCALL: CS 0x08, SS 0x10. SYSRET (64-bit): CS 0x18+16, SS 0x18+8. */
	cpu_wrmsr(MSR_STAR, ((uint64_t)GDT_USER_CODE32 << 48) | ((uint64_t)GDT_KERNEL_CODE << 32));
	cpu_wrmsr(MSR_LSTAR, (uint64_t)(uintptr_t)syscall_entry);
	cpu_wrmsr(MSR_FMASK, SYSCALL_FMASK);
	cpu_fs_base[c->id] = cpu_rdmsr(MSR_FS_BASE);
}

void user_thread_main(void *arg)
{
	(void)arg;
	thread_t *self = thread_current();
	if (!self->proc)
		thread_exit(0);
	bool irq = hal_irq_save();
	(void)irq;
	cpu_t *c = this_cpu();
	c->syscall_stack = self->kstack_top;
	if (cpu_tss[c->id])
		cpu_tss[c->id]->rsp[0] = self->kstack_top;
	cpu_root[c->id] = self->proc->as->root;
	if (hal_pt_root() != self->proc->as->root)
		hal_pt_switch(self->proc->as->root);
	io_bitmap_install(c, self->proc);
	/* Killed before it first ran: it never reaches user mode. A kill
	 * from here on interrupts it there (thread_kill_wake). */
	process_check_killed();
	user_enter(self->user_rip, self->user_rsp, self->user_arg);
}

static uint64_t aslr_mix(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ull;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

uint64_t aslr_random(void);

uint64_t aslr_random(void)
{
	static uint64_t state;
	uint64_t v = 0;
	uint8_t ok = 0;
	if (cpu_features.rdrand)
		__asm__ volatile("rdrand %0; setc %1" : "=r"(v), "=qm"(ok));
	state = aslr_mix(state ^ v ^ hal_timestamp() ^ (ok ? 0 : 0x5bd1e995));
	return state;
}
