/* Privileged and hostile instructions from user mode, each in a child of
 * its own: every one must end only that child (RAE_EXIT_KILLED_FAULT from
 * the CPU's exception, or RAE_EXIT_KILLED when the parent kills a child that
 * spins or blocks), never the kernel. The parent (started by the kernel
 * test hostile_privileged_instructions) runs this same program as each
 * child, handing it a page that names its case. */
#include <rae.h>
#include <stdbool.h>

#define CHILD_MAGIC 0x70726976ull /* "priv" */

typedef struct {
	uint64_t magic;
	uint64_t which;
	volatile uint64_t reached; /* the child got this far: set before the instruction */
} child_page_t;

/* What must become of a case's child. */
enum {
	FAULT,   /* killed for the CPU exception */
	UMIP,    /* FAULT under UMIP, else the instruction runs and it exits 0 */
	SURVIVE, /* unprivileged after all: runs, exits 0 */
	ENDS,    /* either: the point is the kernel living on */
	SPINS,   /* runs until killed: the parent's KILL must end it */
};

/* What the instructions point at (named from their assembly). */
uint8_t scratch[64] __attribute__((aligned(16), used));

#define ASM(name, text)                                                                            \
	static void name(void)                                                                     \
	{                                                                                          \
		__asm__ volatile(text ::: "memory", "rax", "rcx", "rdx", "rsi", "rdi", "r12");     \
	}

ASM(op_cli, "cli")
ASM(op_sti, "sti")
ASM(op_hlt, "hlt")
ASM(op_in_80, "inb $0x80, %%al")
ASM(op_out_80, "outb %%al, $0x80")
ASM(op_in_serial, "movw $0x3f8, %%dx; inb %%dx, %%al")
ASM(op_out_pci, "movw $0xcf8, %%dx; movl $0x80000000, %%eax; outl %%eax, %%dx")
ASM(op_in_kbd, "inb $0x64, %%al")
ASM(op_ins, "movw $0x80, %%dx; leaq scratch(%%rip), %%rdi; insb")
ASM(op_outs, "movw $0x80, %%dx; leaq scratch(%%rip), %%rsi; outsb")
ASM(op_popf_iopl_in, "pushfq; orq $0x3000, (%%rsp); popfq; inb $0x80, %%al")
ASM(op_rdmsr, "movl $0xc0000080, %%ecx; rdmsr")
ASM(op_wrmsr, "movl $0xc0000082, %%ecx; xorl %%eax, %%eax; xorl %%edx, %%edx; wrmsr")
ASM(op_lgdt, "lgdt scratch(%%rip)")
ASM(op_lidt, "lidt scratch(%%rip)")
ASM(op_lldt, "xorl %%eax, %%eax; lldt %%ax")
ASM(op_ltr, "movw $0x28, %%ax; ltr %%ax")
ASM(op_read_cr0, "movq %%cr0, %%rax")
ASM(op_read_cr3, "movq %%cr3, %%rax")
ASM(op_write_cr3, "xorl %%eax, %%eax; movq %%rax, %%cr3")
ASM(op_write_cr4, "xorl %%eax, %%eax; movq %%rax, %%cr4")
ASM(op_write_cr8, "movl $15, %%eax; movq %%rax, %%cr8")
ASM(op_read_dr7, "movq %%dr7, %%rax")
ASM(op_invlpg, "invlpg scratch(%%rip)")
ASM(op_invpcid, "xorl %%eax, %%eax; invpcid scratch(%%rip), %%rax")
ASM(op_swapgs, "swapgs")
ASM(op_wbinvd, "wbinvd")
ASM(op_invd, "invd")
ASM(op_clts, "clts")
ASM(op_lmsw, "xorl %%eax, %%eax; lmsw %%ax")
ASM(op_sysret, "sysretq")
ASM(op_sysexit, "sysexit")
ASM(op_sysenter, "sysenter")
ASM(op_iretq_ring0, "movq %%rsp, %%rax; pushq $0x10; pushq %%rax; pushfq; pushq $0x08; "
		    "leaq 1f(%%rip), %%rax; pushq %%rax; iretq; 1:")
ASM(op_lret_ring0, "pushq $0x08; leaq 1f(%%rip), %%rax; pushq %%rax; lretq; 1:")
ASM(op_load_ss_kernel, "movw $0x10, %%ax; movw %%ax, %%ss")
ASM(op_load_ds_kernel, "movw $0x10, %%ax; movw %%ax, %%ds; movw %%ax, %%es")
ASM(op_int_80, "int $0x80")
ASM(op_int_timer, "int $0x20")
ASM(op_int_30, "int $0x30")
ASM(op_int_f0, "int $0xf0")
ASM(op_int_fe, "int $0xfe")
ASM(op_int_ff, "int $0xff")
ASM(op_int_nmi, "int $2")
ASM(op_int_df, "int $8")
ASM(op_int_pf, "int $14")
ASM(op_int3, "int3")
ASM(op_icebp, ".byte 0xf1")
ASM(op_into, ".byte 0xce")
ASM(op_ud2, "ud2")
ASM(op_rdpmc, "xorl %%ecx, %%ecx; rdpmc")
ASM(op_xsetbv, "xorl %%ecx, %%ecx; movl $3, %%eax; xorl %%edx, %%edx; xsetbv")
ASM(op_wrfsbase, "xorl %%eax, %%eax; wrfsbase %%rax")
ASM(op_wrgsbase, "xorl %%eax, %%eax; wrgsbase %%rax")
ASM(op_monitor, "leaq scratch(%%rip), %%rax; xorl %%ecx, %%ecx; xorl %%edx, %%edx; monitor")
ASM(op_mwait, "xorl %%eax, %%eax; xorl %%ecx, %%ecx; mwait")
ASM(op_vmcall, "vmcall")
ASM(op_xsaves, "xorl %%eax, %%eax; xorl %%edx, %%edx; xsaves scratch(%%rip)")
ASM(op_sgdt, "sgdt scratch(%%rip)")
ASM(op_sidt, "sidt scratch(%%rip)")
ASM(op_sldt, "sldt %%ax")
ASM(op_str, "str %%ax")
ASM(op_smsw, "smsw %%ax")
/* A system call on a stack pointer into the kernel half, and with the trap
 * flag set: the kernel must use its own stack and not trip over TF. */
ASM(op_syscall_kernel_rsp, "movq %%rsp, %%r12; movabsq $0xffff800000001000, %%rsp; "
			   "movl $13, %%eax; syscall; movq %%r12, %%rsp")
ASM(op_syscall_tf, "pushfq; orq $0x100, (%%rsp); popfq; movl $13, %%eax; syscall; "
		   "pushfq; andq $~0x100, (%%rsp); popfq")
/* Spinners: never a system call, interrupts "off" as far as user mode can
 * say so (POPF cannot clear IF at IOPL 0: the timer still comes). */
ASM(op_spin, "1: jmp 1b")
ASM(op_spin_popf, "pushfq; andq $~0x200, (%%rsp); popfq; 1: pause; jmp 1b")

static void spin_thread(uint64_t arg)
{
	(void)arg;
	op_spin();
}

static void op_spin_threads(void)
{
	for (int i = 0; i < 8; i++)
		rae_sys_thread_create(spin_thread, 0, 0);
	op_spin();
}

static void op_block_futex(void)
{
	static volatile uint32_t word;
	for (;;)
		rae_futex_wait(&word, 0, RAE_TIMEOUT_NEVER);
}

static void op_block_receive(void)
{
	rae_handle_t ep;
	rae_endpoint_create(&ep);
	rae_msg_t m = {0};
	for (;;)
		rae_ipc_receive(ep, &m, RAE_TIMEOUT_NEVER);
}

static void op_block_pipe(void)
{
	rae_handle_t ends[2];
	char c;
	rae_pipe_create(ends);
	for (;;)
		rae_pipe_read(ends[0], &c, 1, RAE_TIMEOUT_NEVER);
}

static void op_block_notify(void)
{
	rae_handle_t n;
	rae_notify_create(&n);
	for (;;)
		rae_notify_wait(n, RAE_TIMEOUT_NEVER);
}

typedef struct {
	const char *name;
	void (*run)(void);
	int expect;
} op_case_t;

static const op_case_t cases[] = {
    {"cli", op_cli, FAULT},
    {"sti", op_sti, FAULT},
    {"hlt", op_hlt, FAULT},
    {"in 0x80", op_in_80, FAULT},
    {"out 0x80", op_out_80, FAULT},
    {"in COM1", op_in_serial, FAULT},
    {"out PCI config", op_out_pci, FAULT},
    {"in keyboard", op_in_kbd, FAULT},
    {"insb", op_ins, FAULT},
    {"outsb", op_outs, FAULT},
    {"popf IOPL 3, then in", op_popf_iopl_in, FAULT},
    {"rdmsr", op_rdmsr, FAULT},
    {"wrmsr LSTAR", op_wrmsr, FAULT},
    {"lgdt", op_lgdt, FAULT},
    {"lidt", op_lidt, FAULT},
    {"lldt", op_lldt, FAULT},
    {"ltr", op_ltr, FAULT},
    {"mov cr0 to rax", op_read_cr0, FAULT},
    {"mov cr3 to rax", op_read_cr3, FAULT},
    {"mov to cr3", op_write_cr3, FAULT},
    {"mov to cr4", op_write_cr4, FAULT},
    {"mov to cr8", op_write_cr8, FAULT},
    {"mov dr7 to rax", op_read_dr7, FAULT},
    {"invlpg", op_invlpg, FAULT},
    {"invpcid", op_invpcid, FAULT},
    {"swapgs", op_swapgs, FAULT},
    {"wbinvd", op_wbinvd, FAULT},
    {"invd", op_invd, FAULT},
    {"clts", op_clts, FAULT},
    {"lmsw", op_lmsw, FAULT},
    {"sysret", op_sysret, FAULT},
    {"sysexit", op_sysexit, FAULT},
    {"sysenter", op_sysenter, FAULT},
    {"iretq to ring 0", op_iretq_ring0, FAULT},
    {"lret to ring 0", op_lret_ring0, FAULT},
    {"mov kernel selector to ss", op_load_ss_kernel, FAULT},
    {"mov kernel selector to ds", op_load_ds_kernel, ENDS},
    {"int 0x80", op_int_80, FAULT},
    {"int 0x20 (timer vector)", op_int_timer, FAULT},
    {"int 0x30", op_int_30, FAULT},
    {"int 0xf0", op_int_f0, FAULT},
    {"int 0xfe", op_int_fe, FAULT},
    {"int 0xff", op_int_ff, FAULT},
    {"int 2 (NMI)", op_int_nmi, FAULT},
    {"int 8 (double fault)", op_int_df, FAULT},
    {"int 14 (page fault)", op_int_pf, FAULT},
    {"int3", op_int3, FAULT},
    {"icebp", op_icebp, FAULT},
    {"into", op_into, FAULT},
    {"ud2", op_ud2, FAULT},
    {"rdpmc", op_rdpmc, FAULT},
    {"xsetbv", op_xsetbv, FAULT},
    {"wrfsbase", op_wrfsbase, FAULT},
    {"wrgsbase", op_wrgsbase, FAULT},
    {"monitor", op_monitor, FAULT},
    {"mwait", op_mwait, FAULT},
    {"vmcall", op_vmcall, FAULT},
    {"xsaves", op_xsaves, FAULT},
    {"sgdt", op_sgdt, UMIP},
    {"sidt", op_sidt, UMIP},
    {"sldt", op_sldt, UMIP},
    {"str", op_str, UMIP},
    {"smsw", op_smsw, UMIP},
    {"syscall on a kernel stack pointer", op_syscall_kernel_rsp, SURVIVE},
    {"syscall with the trap flag", op_syscall_tf, ENDS},
    {"spin", op_spin, SPINS},
    {"spin after popf without IF", op_spin_popf, SPINS},
    {"spin in 9 threads", op_spin_threads, SPINS},
    {"block in FUTEX_WAIT", op_block_futex, SPINS},
    {"block in IPC_RECEIVE", op_block_receive, SPINS},
    {"block in PIPE_READ", op_block_pipe, SPINS},
    {"block in NOTIFY_WAIT", op_block_notify, SPINS},
};
#define CASES (sizeof(cases) / sizeof(cases[0]))

static bool cpu_has_umip(void)
{
	uint32_t a = 7, b, c = 0, d;
	__asm__ volatile("cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(d));
	return (c >> 2) & 1;
}

static int child(child_page_t *page)
{
	if (page->which >= CASES)
		return 2;
	page->reached = 1;
	cases[page->which].run();
	return 0;
}

#define MS 1000000ull

/* Waits up to `ms` for the child; RAE_ERR_TIMED_OUT if it still runs. */
static int64_t wait_for(rae_handle_t h, int *status, uint64_t ms)
{
	uint64_t end = rae_clock_ns() + ms * MS;
	for (;;) {
		int64_t r = rae_wait_nohang(h, status);
		if (r != RAE_ERR_TIMED_OUT || rae_clock_ns() > end)
			return r;
		rae_sleep_ns(MS);
	}
}

static bool run_case(unsigned i, bool umip)
{
	const op_case_t *c = &cases[i];
	int64_t mem = rae_sys_mem_create(4096, 0);
	int64_t at = mem > 0 ? rae_mem_map((rae_handle_t)mem, RAE_PROT_READ | RAE_PROT_WRITE) : mem;
	if (at < 0) {
		rae_printf("privop: %s: no page (%ld)\n", c->name, (long)at);
		return false;
	}
	child_page_t *page = (child_page_t *)(uintptr_t)at;
	page->magic = CHILD_MAGIC;
	page->which = i;
	int64_t h = rae_sys_spawn_with("bin/privop", (rae_handle_t)mem, 0);
	if (h < 0) {
		rae_printf("privop: %s: spawn failed (%ld)\n", c->name, (long)h);
		rae_mem_unmap((uint64_t)at);
		return false;
	}
	int status = -1;
	int expect = c->expect;
	if (expect == UMIP)
		expect = umip ? FAULT : SURVIVE;
	bool ok;
	if (expect == SPINS) {
		/* Let it get going, see it still runs, then it must die of KILL. */
		for (uint64_t end = rae_clock_ns() + 2000 * MS;
		     !page->reached && rae_clock_ns() < end;)
			rae_sleep_ns(MS);
		rae_sleep_ns(20 * MS);
		bool running = rae_wait_nohang(h, &status) == RAE_ERR_TIMED_OUT;
		rae_kill(h);
		int64_t r = wait_for((rae_handle_t)h, &status, 5000);
		ok = running && r == RAE_OK && status == RAE_EXIT_KILLED;
		if (r == RAE_ERR_TIMED_OUT)
			rae_printf("privop: %s: still running 5 s after KILL\n", c->name);
	} else {
		int64_t r = wait_for((rae_handle_t)h, &status, 5000);
		if (r == RAE_ERR_TIMED_OUT) {
			rae_kill(h);
			wait_for((rae_handle_t)h, &status, 5000);
			rae_printf("privop: %s: hung (killed)\n", c->name);
			ok = false;
		} else if (expect == FAULT) {
			ok = status == RAE_EXIT_KILLED_FAULT;
		} else if (expect == SURVIVE) {
			ok = status == 0;
		} else {
			ok = status == 0 || status == RAE_EXIT_KILLED_FAULT;
		}
	}
	bool reached = page->reached;
	ok = ok && reached;
	rae_printf("privop: %s %s: status 0x%x%s\n", ok ? "ok" : "FAIL", c->name, status,
		   reached ? "" : " (never reached the instruction)");
	rae_handle_close((rae_handle_t)h);
	rae_mem_unmap((uint64_t)at);
	return ok;
}

int main(uint64_t arg)
{
	if (arg) {
		int64_t at = rae_mem_map((rae_handle_t)arg, RAE_PROT_READ | RAE_PROT_WRITE);
		if (at < 0 || ((child_page_t *)(uintptr_t)at)->magic != CHILD_MAGIC)
			return 3;
		return child((child_page_t *)(uintptr_t)at);
	}
	bool umip = cpu_has_umip();
	unsigned failed = 0;
	rae_system_info_t before, after;
	rae_system_info(&before);
	for (unsigned i = 0; i < CASES; i++) {
		if (!run_case(i, umip))
			failed++;
	}
	rae_system_info(&after);
	rae_printf("privop: %u cases, %u failed (UMIP %s); free pages %lu before, %lu after\n",
		   (unsigned)CASES, failed, umip ? "on" : "off", (unsigned long)before.free_pages,
		   (unsigned long)after.free_pages);
	return failed ? 1 : 0;
}
