/* Platform bring-up on x86_64: reads the ACPI tables (a malformed one is
 * reported and skipped; without a MADT the machine runs on one CPU with
 * the PIC left masked), then the local APIC and IOAPICs, the TSC and the
 * per-CPU timers, and starts the application processors. */
#include <arch/x86_64/apic/ioapic.h>
#include <arch/x86_64/apic/lapic.h>
#include <arch/x86_64/apic/vectors.h>
#include <arch/x86_64/cpu/gdt.h>
#include <arch/x86_64/cpu/regs.h>
#include <arch/x86_64/pic.h>
#include <arch/x86_64/platform.h>
#include <arch/x86_64/smp/smp.h>
#include <arch/x86_64/time/tsc.h>
#include <cmdline.h>
#include <hal/context.h>
#include <console/kprintf.h>
#include <hal/cpu.h>
#include <hal/platform.h>
#include <kernel.h>
#include <panic.h>
#include <mm/vmm.h>
#include <smp/cpu.h>
#include <smp/smp.h>
#include <time/timer.h>

platform_t platform;

void syscall_cpu_init(tss_t *tss);

static const void *acpi_map(void *ctx, uint64_t phys, size_t len)
{
	(void)ctx;
	/* Tables normally sit in RAM the direct map covers; some firmware
	 * puts them in reserved memory, which gets a mapping of its own. */
	const void *p = phys_to_virt(phys, len);
	return p ? p : vmm_map_phys(phys, len, VM_READ);
}

static bool acpi_find_rsdp_legacy(acpi_rsdp_info_t *out, char *err, size_t err_len)
{
	/* The EBDA's first KiB, then the BIOS area 0xe0000-0xfffff. */
	const uint16_t *ebda_seg = acpi_map(NULL, 0x40e, 2);
	if (ebda_seg && *ebda_seg) {
		uint64_t ebda = (uint64_t)*ebda_seg << 4;
		const void *area = acpi_map(NULL, ebda, 1024);
		if (area && acpi_find_rsdp_in(area, 1024, ebda, out, err, err_len) == RAE_OK)
			return true;
	}
	const void *bios = acpi_map(NULL, 0xe0000, 0x20000);
	return bios && acpi_find_rsdp_in(bios, 0x20000, 0xe0000, out, err, err_len) == RAE_OK;
}

static void acpi_keep_for_export(void);

static void acpi_load(void)
{
	char err[160];
	platform_t *p = &platform;

	if (cmdline_has(boot_info.cmdline, "acpi=off")) {
		kprintf("acpi: disabled on the command line\n");
		return;
	}
	bool found =
	    boot_info.rsdp_length && acpi_rsdp_validate(boot_info.rsdp, boot_info.rsdp_length,
							&p->rsdp, err, sizeof(err)) == RAE_OK;
	if (!found && boot_info.rsdp_length)
		kprintf("acpi: the loader's RSDP is invalid: %s\n", err);
	if (!found && boot_info.firmware == BOOT_FIRMWARE_BIOS)
		found = acpi_find_rsdp_legacy(&p->rsdp, err, sizeof(err));
	if (!found) {
		kprintf("acpi: no RSDP; one CPU, no IOAPIC\n");
		return;
	}
	if (acpi_tables_init(&p->tables, &p->rsdp, acpi_map, NULL, err, sizeof(err)) != RAE_OK) {
		kprintf("acpi: unusable %s: %s\n", p->rsdp.root_is_xsdt ? "XSDT" : "RSDT", err);
		return;
	}
	p->acpi_ok = true;
	for (uint32_t i = 0; i < p->tables.diag_count; i++)
		kprintf("acpi: skipped: %s\n", p->tables.diag[i]);

	const acpi_table_entry_t *e;
	if ((e = acpi_table_entry_find(&p->tables, "APIC", 0))) {
		p->has_madt =
		    acpi_madt_parse(e->table, e->length, &p->madt, err, sizeof(err)) == RAE_OK;
		if (!p->has_madt)
			kprintf("acpi: MADT rejected: %s\n", err);
	}
	if ((e = acpi_table_entry_find(&p->tables, "HPET", 0))) {
		p->has_hpet =
		    acpi_hpet_parse(e->table, e->length, &p->hpet, err, sizeof(err)) == RAE_OK;
		if (!p->has_hpet)
			kprintf("acpi: HPET rejected: %s\n", err);
	}
	if ((e = acpi_table_entry_find(&p->tables, "MCFG", 0))) {
		p->has_mcfg =
		    acpi_mcfg_parse(e->table, e->length, &p->mcfg, err, sizeof(err)) == RAE_OK;
		if (!p->has_mcfg)
			kprintf("acpi: MCFG rejected: %s\n", err);
	}
	if ((e = acpi_table_entry_find(&p->tables, "FACP", 0))) {
		p->has_fadt =
		    acpi_fadt_parse(e->table, e->length, &p->fadt, err, sizeof(err)) == RAE_OK;
		if (!p->has_fadt)
			kprintf("acpi: FADT rejected: %s\n", err);
	}
	acpi_keep_for_export();
}

/* Maps the table of signature sig at phys, header first: the FADT's DSDT
 * and FACS, which no root table lists. Returns the mapping and sets *len,
 * or NULL for one that looks wrong. Boot only (a mapping is never undone). */
static const void *acpi_map_fadt_target(uint64_t phys, const char *sig, uint32_t min_len,
					uint32_t *len)
{
	const uint8_t *h = phys ? acpi_map(NULL, phys, 8) : NULL;
	if (!h || memcmp(h, sig, 4) != 0)
		return NULL;
	uint32_t n = acpi_read_u32(h + ACPI_SDT_LENGTH_OFFSET);
	if (n < min_len || n > ACPI_TABLE_MAX_LENGTH)
		return NULL;
	*len = n;
	return acpi_map(NULL, phys, n);
}

/* What hal_acpi_tables hands out besides the root table's list: the RSDP,
 * the root table, the DSDT and the FACS, mapped once at boot
 * (acpi_keep_for_export) and never changed afterwards. */
static hal_acpi_table_t acpi_export[4];
static unsigned acpi_export_count;

static void acpi_keep_for_export(void)
{
	const platform_t *p = &platform;
	/* The loader's copy of the RSDP when it gave one (its address is then
	 * unknown), else the one found in the BIOS area. 36 bytes even for
	 * ACPI 1.0's 20-byte RSDP: ACPICA maps the larger structure whatever
	 * the revision (the loader's copy is that long). */
	uint32_t len = ACPI_RSDP_V2_SIZE;
	const void *rsdp = p->rsdp.phys ? acpi_map(NULL, p->rsdp.phys, len) : boot_info.rsdp;
	const void *root = acpi_map(NULL, p->tables.root_phys, p->tables.root_length);
	if (!rsdp || !root)
		return;
	acpi_export[0] = (hal_acpi_table_t){p->rsdp.phys, len, {'R', 'S', 'D', ' '}, rsdp};
	acpi_export[1] = (hal_acpi_table_t){p->tables.root_phys, p->tables.root_length, {0}, root};
	memcpy(acpi_export[1].signature, root, 4);
	unsigned n = 2;
	const void *t;
	if (p->has_fadt &&
	    (t = acpi_map_fadt_target(p->fadt.dsdt_phys, "DSDT", ACPI_SDT_HEADER_SIZE, &len)))
		acpi_export[n++] =
		    (hal_acpi_table_t){p->fadt.dsdt_phys, len, {'D', 'S', 'D', 'T'}, t};
	if (p->has_fadt && (t = acpi_map_fadt_target(p->fadt.facs_phys, "FACS", 64, &len)))
		acpi_export[n++] =
		    (hal_acpi_table_t){p->fadt.facs_phys, len, {'F', 'A', 'C', 'S'}, t};
	acpi_export_count = n;
}

unsigned hal_acpi_tables(hal_acpi_table_t *out, unsigned max)
{
	const platform_t *p = &platform;
	unsigned n = 0;
	if (!p->acpi_ok || acpi_export_count < 2 || max < acpi_export_count)
		return 0;
	out[n++] = acpi_export[0];
	out[n++] = acpi_export[1];
	for (uint32_t i = 0; i < p->tables.count && n < max - (acpi_export_count - 2); i++) {
		const acpi_table_entry_t *e = &p->tables.tables[i];
		out[n] = (hal_acpi_table_t){e->phys, e->length, {0}, e->table};
		memcpy(out[n++].signature, e->signature, 4);
	}
	for (unsigned i = 2; i < acpi_export_count; i++)
		out[n++] = acpi_export[i];
	return n;
}

void hal_machine_reset(void)
{
	static const struct __attribute__((packed)) {
		uint16_t limit;
		uint64_t base;
	} no_idt = {0, 0};
	__asm__ volatile("cli; lidt %0; int3" : : "m"(no_idt) : "memory");
	for (;;)
		__asm__ volatile("hlt");
}

static void on_timer(interrupt_frame_t *f, void *arg)
{
	(void)f;
	(void)arg;
	timer_interrupt();
}

static void on_call_ipi(interrupt_frame_t *f, void *arg)
{
	(void)f;
	(void)arg;
	smp_handle_call_ipi();
}

static void on_reschedule_ipi(interrupt_frame_t *f, void *arg)
{
	(void)f;
	(void)arg;
	smp_handle_reschedule_ipi();
}

static void on_lapic_error(interrupt_frame_t *f, void *arg)
{
	(void)arg;
	kprintf("apic: local APIC error interrupt on CPU %u (RIP 0x%lx)\n", this_cpu()->id, f->rip);
}

/* Routes the ISA interrupts the boot path knows about (PIT/HPET legacy
 * IRQ 0, keyboard 1, COM1 4, mouse 12) masked to the boot CPU, with the
 * MADT's overrides; drivers unmask what they claim. */
static void ioapic_setup(void)
{
	platform_t *p = &platform;
	for (uint32_t i = 0; i < p->madt.ioapic_count; i++) {
		const acpi_madt_ioapic_t *io = &p->madt.ioapics[i];
		if (ioapic_add(io->id, io->address, io->gsi_base) != RAE_OK)
			kprintf("apic: cannot map IOAPIC %u at 0x%x\n", io->id, io->address);
	}
	static const uint8_t isa_irqs[] = {0, 1, 4, 12};
	for (unsigned i = 0; i < sizeof(isa_irqs); i++) {
		uint32_t gsi, mps;
		uint8_t vector;
		if (acpi_madt_irq_to_gsi(&p->madt, isa_irqs[i], &gsi, &mps) != RAE_OK ||
		    vector_alloc(&vector) != RAE_OK)
			continue;
		/* acpi_madt_irq_to_gsi decodes the override into ACPI_IRQ_* bits. */
		unsigned flags = 0;
		if (mps & ACPI_IRQ_LEVEL)
			flags |= IOAPIC_LEVEL;
		if (mps & ACPI_IRQ_ACTIVE_LOW)
			flags |= IOAPIC_ACTIVE_LOW;
		if (ioapic_route(gsi, vector, cpus[0].hw_id, flags, true) != RAE_OK) {
			vector_free(vector);
			continue;
		}
		p->isa_routes[p->isa_route_count].irq = isa_irqs[i];
		p->isa_routes[p->isa_route_count].gsi = gsi;
		p->isa_routes[p->isa_route_count].vector = vector;
		p->isa_routes[p->isa_route_count].flags = flags;
		p->isa_route_count++;
	}
}

static void cpus_from_madt(void)
{
	const acpi_madt_t *m = &platform.madt;
	uint32_t self = lapic_id();
	cpus[0].hw_id = self;
	unsigned n = 1;
	for (uint32_t i = 0; i < m->cpu_count && n < CPU_MAX; i++) {
		if (!m->cpus[i].enabled || m->cpus[i].apic_id == self)
			continue;
		/* Without x2APIC mode, xAPIC IPIs reach only 8-bit ids. */
		if (!lapic_x2apic_mode() && m->cpus[i].apic_id > 0xfe)
			continue;
		cpus[n].self = &cpus[n];
		cpus[n].id = n;
		cpus[n].hw_id = m->cpus[i].apic_id;
		n++;
	}
	cpu_possible_count = n;
}

void platform_init(void)
{
	cpus[0].self = &cpus[0];
	cpus[0].id = 0;
	cpus[0].online = true;
	hal_percpu_init(&cpus[0]);
	cpu_percpu_ready = true;
	hal_fpu_cpu_init();
	syscall_cpu_init(&boot_cpu_tables.tss);

	acpi_load();

	if (!platform.has_madt) {
		/* Nothing describes the interrupt controllers: stay on the 8259
		 * and the PIT, one CPU. */
		tsc_calibrate_legacy();
		interrupt_set_handler(VEC_PIC_BASE + 0, on_timer, NULL);
		timer_cpu_init();
		pic_unmask(0);
		hal_irq_enable();
		return;
	}

	uint64_t lapic_phys = platform.madt.lapic_address;
	if (lapic_init_boot(lapic_phys, !cmdline_has(boot_info.cmdline, "x2apic=off")) != RAE_OK)
		panic("apic: cannot map the local APIC");
	interrupt_set_handler(VEC_LAPIC_TIMER, on_timer, NULL);
	interrupt_set_handler(VEC_IPI_CALL, on_call_ipi, NULL);
	interrupt_set_handler(VEC_IPI_RESCHEDULE, on_reschedule_ipi, NULL);
	interrupt_set_handler(VEC_LAPIC_ERROR, on_lapic_error, NULL);
	interrupt_lapic_ready = true;
	cpus[0].hw_id = lapic_id();

	ioapic_setup();
	cpus_from_madt();

	tsc_calibrate(platform.has_hpet ? platform.hpet.base_address : 0,
		      !cmdline_has(boot_info.cmdline, "tsc_deadline=off"));
	timer_cpu_init();
	hal_irq_enable();
}

void platform_start_aps(void)
{
	if (platform.has_madt && !cmdline_has(boot_info.cmdline, "nosmp"))
		smp_start_aps();
}

void hal_platform_report(void)
{
	platform_t *p = &platform;
	if (p->acpi_ok)
		kprintf("acpi: %s rev %u (OEM %s), %u tables%s%s%s%s, %u skipped\n",
			p->rsdp.root_is_xsdt ? "XSDT" : "RSDT", p->rsdp.revision, p->rsdp.oem_id,
			p->tables.count, p->has_madt ? ", MADT" : "", p->has_hpet ? ", HPET" : "",
			p->has_mcfg ? ", MCFG" : "", p->has_fadt ? ", FADT" : "",
			p->tables.skipped);
	if (interrupt_lapic_ready)
		kprintf("apic: %s mode, %u IOAPIC(s), %u ISA IRQs routed (masked)\n",
			lapic_x2apic_mode() ? "x2APIC" : "xAPIC", ioapic_count(),
			p->isa_route_count);
	else
		kprintf("apic: not used (no MADT); legacy 8259 interrupts\n");
	kprintf("time: TSC %lu.%03lu MHz (against the %s), invariant TSC %s, timer %s\n",
		tsc_info.tsc_hz / 1000000, (tsc_info.tsc_hz / 1000) % 1000, tsc_info.reference,
		tsc_info.invariant ? "yes" : "no", tsc_timer_source_name());
	kprintf("smp: %u of %u CPUs online\n", cpu_online_count, cpu_possible_count);
}

static bool phys_overlaps(uint64_t base, uint64_t size, uint64_t dev, uint64_t dev_size)
{
	return base < dev + dev_size && dev < base + size;
}

bool hal_phys_range_kernel_device(uint64_t base, uint64_t size)
{
	const platform_t *p = &platform;
	/* The local APIC of every CPU answers at the same address. */
	uint64_t lapic = cpu_rdmsr(0x1bu) & 0x000ffffffffff000ull;
	if (phys_overlaps(base, size, lapic, 0x1000))
		return true;
	if (p->has_madt) {
		for (uint32_t i = 0; i < p->madt.ioapic_count; i++) {
			if (phys_overlaps(base, size, p->madt.ioapics[i].address, 0x1000))
				return true;
		}
	}
	return p->has_hpet && phys_overlaps(base, size, p->hpet.base_address, 0x1000);
}

static void on_test_device_irq(interrupt_frame_t *f, void *arg)
{
	(void)f;
	(void)arg;
}

bool hal_test_device_interrupts(bool on)
{
	/* The PIT is free once the LAPIC drives the timers: channel 0 as a
	 * 1 kHz rate generator on ISA IRQ 0, through the IOAPIC. */
	const platform_t *p = &platform;
	if (!interrupt_lapic_ready || p->isa_route_count == 0 || p->isa_routes[0].irq != 0)
		return false;
	uint8_t vector = p->isa_routes[0].vector;
	if (on) {
		interrupt_set_handler(vector, on_test_device_irq, NULL);
		uint16_t count = 1193;
		outb(0x43, 0x34); /* channel 0, lobyte/hibyte, mode 2 */
		outb(0x40, count & 0xff);
		outb(0x40, count >> 8);
	}
	ioapic_set_masked(p->isa_routes[0].gsi, !on);
	if (!on)
		interrupt_set_handler(vector, NULL, NULL);
	return true;
}

void hal_shield_cpu(unsigned cpu)
{
	if (interrupt_lapic_ready && cpu < cpu_possible_count)
		ioapic_retarget(cpus[cpu].hw_id, cpus[0].hw_id);
}
