/* Kernel tests of the x86 interrupt controllers: IOAPIC routes follow the
 * MADT overrides, and the vector allocator hands out each vector once. */
#include <arch/x86_64/apic/ioapic.h>
#include <arch/x86_64/apic/vectors.h>
#include <arch/x86_64/platform.h>
#include <test/ktest.h>

KTEST(ioapic_isa_routes_follow_madt)
{
	const platform_t *p = &platform;
	if (!p->has_madt) {
		KTEST_EXPECT_EQ(t, ioapic_count(), 0);
		return;
	}
	KTEST_EXPECT(t, ioapic_count() >= 1);
	KTEST_EXPECT_EQ(t, p->isa_route_count, 4);
	for (unsigned i = 0; i < p->isa_route_count; i++) {
		uint32_t gsi, mps;
		uint64_t e;
		KTEST_EXPECT_EQ(t, acpi_madt_irq_to_gsi(&p->madt, p->isa_routes[i].irq, &gsi, &mps),
				RAE_OK);
		KTEST_EXPECT_EQ(t, gsi, p->isa_routes[i].gsi);
		if (!KTEST_EXPECT_EQ(t, ioapic_read_route(gsi, &e), RAE_OK))
			continue;
		KTEST_EXPECT_EQ(t, e & 0xff, p->isa_routes[i].vector);
		KTEST_EXPECT(t, e & (1ull << 16)); /* masked until a driver claims it */
		bool level = (mps & ACPI_MPS_TRIGGER_MASK) == ACPI_MPS_TRIGGER_LEVEL;
		bool low = (mps & ACPI_MPS_POLARITY_MASK) == ACPI_MPS_POLARITY_LOW;
		KTEST_EXPECT_EQ(t, !!(e & (1ull << 15)), level);
		KTEST_EXPECT_EQ(t, !!(e & (1ull << 13)), low);
	}
	/* QEMU's MADT sends ISA IRQ 0 to GSI 2. */
	KTEST_EXPECT_EQ(t, p->isa_routes[0].gsi, 2);
}

KTEST(vector_allocator)
{
	uint8_t got[VEC_DEVICE_LAST - VEC_DEVICE_FIRST + 1];
	unsigned n = 0;
	uint8_t v;
	while (n < sizeof(got) && vector_alloc(&v) == RAE_OK)
		got[n++] = v;
	KTEST_EXPECT_EQ(t, vector_alloc(&v), RAE_ERR_NO_MEMORY);
	for (unsigned i = 0; i < n; i++) {
		KTEST_EXPECT(t, got[i] >= VEC_DEVICE_FIRST && got[i] <= VEC_DEVICE_LAST);
		for (unsigned j = i + 1; j < n; j++)
			KTEST_EXPECT(t, got[i] != got[j]);
	}
	for (unsigned i = 0; i < n; i++)
		vector_free(got[i]);
	KTEST_EXPECT_EQ(t, vector_alloc(&v), RAE_OK);
	vector_free(v);
}
