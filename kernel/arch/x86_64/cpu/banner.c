/* The x86_64 lines of the boot banner: CPU identity and which protections
 * are switched on right now. */
#include <arch/x86_64/cpu/features.h>
#include <arch/x86_64/cpu/regs.h>
#include <arch/x86_64/mm/kaslr.h>
#include <console/kprintf.h>
#include <hal/banner.h>

const char *hal_arch_name(void)
{
	return "x86_64";
}

static const char *on_off(bool on)
{
	return on ? "on" : "off";
}

void hal_banner_print(void)
{
	const cpu_features_t *f = &cpu_features;
	kprintf("cpu: %s, %s (family %u model %u stepping %u)%s\n", f->vendor,
		f->brand[0] ? f->brand : "no brand string", f->family, f->model, f->stepping,
		f->hypervisor ? ", under a hypervisor" : "");

	uint64_t cr0 = cpu_read_cr0(), cr4 = cpu_read_cr4(), efer = cpu_rdmsr(MSR_EFER);
	kprintf("protections: NX %s, WP %s, SMEP %s, SMAP %s, UMIP %s, FSGSBASE %s\n",
		on_off(efer & EFER_NXE), on_off(cr0 & CR0_WP), on_off(cr4 & CR4_SMEP),
		on_off(cr4 & CR4_SMAP), on_off(cr4 & CR4_UMIP), on_off(cr4 & CR4_FSGSBASE));
	kprintf("cpu features: x2APIC %s, TSC-deadline %s, invariant TSC %s, RDRAND %s, "
		"RDSEED %s, PCID %s, XSAVE %s, MWAIT %s\n",
		on_off(f->x2apic), on_off(f->tsc_deadline), on_off(f->invariant_tsc),
		on_off(f->rdrand), on_off(f->rdseed), on_off(f->pcid), on_off(f->xsave),
		on_off(f->monitor));
}

void hal_banner_layout(void)
{
	const kaslr_layout_t *l = &kaslr_layout;
	if (!l->enabled)
		kprintf("kaslr: off (kernel at its link address)\n");
	else
		kprintf("kaslr: on, entropy from %s\n", kaslr_entropy_name(l->entropy));
	/* The bases are secrets worth keeping off the console unless asked. */
	if (l->show)
		kprintf(
		    "kaslr: kernel base 0x%016lx, direct map base 0x%016lx, kernel area 0x%016lx\n",
		    l->kernel_base, l->direct_map_base, l->area_base);
}
