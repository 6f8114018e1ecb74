/* CPU identification through CPUID, and turning on the protection features
 * the CPU offers (NX, WP, SMEP, SMAP, UMIP; FSGSBASE stays off). */
#include <arch/x86_64/cpu/features.h>
#include <arch/x86_64/cpu/regs.h>
#include <hal/usercopy.h>
#include <string.h>

cpu_features_t cpu_features;
uint8_t hal_user_access_has_smap;

static void brand_trim(char *s)
{
	/* Brand strings are padded with leading spaces on some CPUs. */
	size_t start = 0, len = strlen(s);
	while (s[start] == ' ')
		start++;
	memmove(s, s + start, len - start + 1);
	len = strlen(s);
	while (len > 0 && s[len - 1] == ' ')
		s[--len] = '\0';
}

void cpu_features_detect(void)
{
	cpu_features_t *f = &cpu_features;
	uint32_t r[4];

	memset(f, 0, sizeof(*f));
	cpu_cpuid(0, 0, r);
	uint32_t max_leaf = r[0];
	memcpy(f->vendor + 0, &r[1], 4);
	memcpy(f->vendor + 4, &r[3], 4);
	memcpy(f->vendor + 8, &r[2], 4);
	f->vendor[12] = '\0';

	if (max_leaf >= 1) {
		cpu_cpuid(1, 0, r);
		uint32_t family = (r[0] >> 8) & 0xf, model = (r[0] >> 4) & 0xf;
		if (family == 0xf)
			family += (r[0] >> 20) & 0xff;
		if (family == 0x6 || family >= 0xf)
			model |= ((r[0] >> 16) & 0xf) << 4;
		f->family = family;
		f->model = model;
		f->stepping = r[0] & 0xf;
		f->monitor = r[2] & (1u << 3);
		f->pcid = r[2] & (1u << 17);
		f->x2apic = r[2] & (1u << 21);
		f->tsc_deadline = r[2] & (1u << 24);
		f->xsave = r[2] & (1u << 26);
		f->rdrand = r[2] & (1u << 30);
		f->hypervisor = r[2] & (1u << 31);
	}
	if (max_leaf >= 7) {
		cpu_cpuid(7, 0, r);
		f->fsgsbase = r[1] & (1u << 0);
		f->smep = r[1] & (1u << 7);
		f->rdseed = r[1] & (1u << 18);
		f->smap = r[1] & (1u << 20);
		f->umip = r[2] & (1u << 2);
		f->pku = r[2] & (1u << 3);
	}

	cpu_cpuid(0x80000000u, 0, r);
	uint32_t max_ext = r[0];
	if (max_ext >= 0x80000001u) {
		cpu_cpuid(0x80000001u, 0, r);
		f->nx = r[3] & (1u << 20);
		f->pdpe1gb = r[3] & (1u << 26);
	}
	if (max_ext >= 0x80000004u) {
		for (uint32_t i = 0; i < 3; i++) {
			cpu_cpuid(0x80000002u + i, 0, r);
			memcpy(f->brand + 16 * i, r, 16);
		}
		f->brand[48] = '\0';
		brand_trim(f->brand);
	}
	if (max_ext >= 0x80000007u) {
		cpu_cpuid(0x80000007u, 0, r);
		f->invariant_tsc = r[3] & (1u << 8);
	}
}

void cpu_protections_enable(void)
{
	const cpu_features_t *f = &cpu_features;

	if (f->nx)
		cpu_wrmsr(MSR_EFER, cpu_rdmsr(MSR_EFER) | EFER_NXE);
	cpu_write_cr0(cpu_read_cr0() | CR0_WP);

	uint64_t cr4 = cpu_read_cr4();
	if (f->smep)
		cr4 |= CR4_SMEP;
	if (f->smap)
		cr4 |= CR4_SMAP;
	hal_user_access_has_smap = f->smap;
	if (f->umip)
		cr4 |= CR4_UMIP;
	/* CR4.FSGSBASE stays off even where the CPU has it: user code then sets
	 * its FS base only through SET_TLS_BASE, which records it, so a thread
	 * switch never reads the bases back (about 20 instructions less per
	 * switch), and user code cannot plant a GS base for the kernel's SWAPGS
	 * paths to trip on. The kernel itself does not use the instructions. */
	cpu_write_cr4(cr4);
}
