/* Kernel tests of devices: a user driver on QEMU's edu device
 * (bin/devtest: device objects, DMA memory, MSI, a driver killed mid-DMA;
 * a run of its own with the device added), the spreading of message
 * vectors over CPUs, the sharing of level-triggered lines, and the
 * configuration write rules. */
#include <hal/irq.h>
#include <hal/msi.h>
#include <object/device.h>
#include <pci/pci_caps.h>
#include <smp/cpu.h>
#include <test/ktest.h>
#include <test/ktest_user.h>

KTEST_OWN_RUN(user_pci_devices)
{
	KTEST_EXPECT_EQ(t, ktest_run_with_root(t, "bin/devtest", 0), 0);
}

KTEST(msi_cpu_choice_spreads)
{
	bool eligible[4] = {true, true, false, true};
	unsigned load[4] = {0, 0, 0, 0};
	unsigned picks[4] = {0};
	/* Twelve messages over three eligible CPUs: four each, none on the
	 * isolated one. */
	for (int i = 0; i < 12; i++) {
		unsigned c = hal_msi_cpu_choose(4, eligible, load);
		KTEST_EXPECT(t, c < 4);
		if (c >= 4)
			return;
		load[c]++;
		picks[c]++;
	}
	KTEST_EXPECT_EQ(t, picks[0], 4);
	KTEST_EXPECT_EQ(t, picks[1], 4);
	KTEST_EXPECT_EQ(t, picks[2], 0);
	KTEST_EXPECT_EQ(t, picks[3], 4);
	/* The least loaded wins; the lowest number on a tie. */
	unsigned skewed[4] = {5, 2, 0, 2};
	KTEST_EXPECT_EQ(t, hal_msi_cpu_choose(4, eligible, skewed), 1);
	bool none[4] = {false, false, false, false};
	KTEST_EXPECT_EQ(t, hal_msi_cpu_choose(4, none, load), 4);
}

static void ktest_msi_fire(void *arg)
{
	(void)arg;
}

KTEST(msi_vectors_spread_and_come_back)
{
	if (!hal_msi_available()) {
		hal_msi_t msi;
		KTEST_EXPECT_EQ(t, hal_msi_claim(ktest_msi_fire, NULL, &msi), RAE_ERR_UNSUPPORTED);
		return;
	}
	/* One message per online CPU lands on each of them once (nothing
	 * else holds messages while tests run), never an isolated one. */
	enum { CLAIMS = 8 };
	hal_msi_t msi[CLAIMS];
	unsigned per_cpu[CPU_MAX] = {0};
	unsigned n = 0;
	unsigned eligible = 0;
	for (unsigned i = 0; i < cpu_possible_count && i < CPU_MAX; i++)
		eligible += cpus[i].online && !cpus[i].isolated;
	for (; n < CLAIMS; n++) {
		if (!KTEST_EXPECT_EQ(t, hal_msi_claim(ktest_msi_fire, NULL, &msi[n]), RAE_OK))
			break;
		KTEST_EXPECT(t, msi[n].cpu < CPU_MAX && !cpus[msi[n].cpu].isolated);
		KTEST_EXPECT_EQ(t, msi[n].data, msi[n].vector);
		KTEST_EXPECT_EQ(t, msi[n].address,
				0xfee00000ull | (uint64_t)cpus[msi[n].cpu].hw_id << 12);
		per_cpu[msi[n].cpu]++;
	}
	unsigned most = 0, least = CLAIMS;
	for (unsigned i = 0; i < cpu_possible_count && i < CPU_MAX; i++) {
		if (!cpus[i].online || cpus[i].isolated)
			continue;
		most = per_cpu[i] > most ? per_cpu[i] : most;
		least = per_cpu[i] < least ? per_cpu[i] : least;
	}
	KTEST_EXPECT(t, eligible > 0 && most - least <= 1);
	for (unsigned i = 0; i < n; i++)
		hal_msi_release(&msi[i]);
	/* More rounds than there are device vectors: each release frees its
	 * vector. */
	unsigned ok = 0;
	for (int i = 0; i < 300; i++) {
		hal_msi_t one;
		if (hal_msi_claim(ktest_msi_fire, NULL, &one) != RAE_OK)
			break;
		hal_msi_release(&one);
		ok++;
	}
	KTEST_EXPECT_EQ(t, ok, 300);
}

KTEST(level_lines_are_shared)
{
	/* A PCI-style line: GSI 16 up is no ISA line, level, active low
	 * (QEMU's IOAPIC has 24 inputs). */
	uint32_t gsi = 19;
	unsigned level = HAL_IRQ_LEVEL | HAL_IRQ_ACTIVE_LOW;
	int a, b, c;
	if (!hal_irq_lines_available()) {
		KTEST_EXPECT_EQ(t, hal_irq_claim(gsi, level, ktest_msi_fire, &a),
				RAE_ERR_UNSUPPORTED);
		return;
	}
	if (!KTEST_EXPECT_EQ(t, hal_irq_claim(gsi, level, ktest_msi_fire, &a), RAE_OK))
		return;
	KTEST_EXPECT_EQ(t, hal_irq_claim(gsi, level, ktest_msi_fire, &b), RAE_OK);
	KTEST_EXPECT_EQ(t, hal_irq_claim(gsi, level, ktest_msi_fire, &b), RAE_ERR_BUSY);
	KTEST_EXPECT_EQ(t, hal_irq_claim(gsi, HAL_IRQ_LEVEL, ktest_msi_fire, &c), RAE_ERR_BUSY);
	KTEST_EXPECT_EQ(t, hal_irq_claim(gsi, 0, ktest_msi_fire, &c), RAE_ERR_BUSY);
	hal_irq_unmask(gsi, &a);
	hal_irq_release(gsi, &a);
	KTEST_EXPECT_EQ(t, hal_irq_claim(gsi, level, ktest_msi_fire, &c), RAE_OK);
	hal_irq_release(gsi, &b);
	hal_irq_release(gsi, &c);
	/* All gone: an edge claim takes the line now, and a second is refused. */
	KTEST_EXPECT_EQ(t, hal_irq_claim(gsi, 0, ktest_msi_fire, &a), RAE_OK);
	KTEST_EXPECT_EQ(t, hal_irq_claim(gsi, 0, ktest_msi_fire, &b), RAE_ERR_BUSY);
	hal_irq_release(gsi, &a);
}
