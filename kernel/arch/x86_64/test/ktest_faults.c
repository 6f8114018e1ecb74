/* The negative tests: each deliberately raises one exception in kernel mode
 * so the harness can check the report (vector, error code, CR2, registers,
 * symbolized backtrace) and that the panic exits the machine. Selected only
 * by name (test=fault_pf), never by test=all. */
#include <stdint.h>
#include <test/ktest.h>

/* Opaque to the optimizer, so the faulting operations are really emitted. */
static volatile uintptr_t fault_address_low = 0x10;
static volatile uintptr_t fault_address_noncanonical = 0x8000000000000000ull;
static volatile int fault_divisor;
static volatile int fault_dividend = 1000;
static volatile int fault_sink;

KTEST_FAULT(fault_pf)
{
	uint64_t v = *(volatile uint64_t *)fault_address_low;
	KTEST_EXPECT(t, v == 0 && false); /* not reached */
}

KTEST_FAULT(fault_gp)
{
	uint64_t v = *(volatile uint64_t *)fault_address_noncanonical;
	KTEST_EXPECT(t, v == 0 && false);
}

KTEST_FAULT(fault_ud)
{
	__asm__ volatile("ud2");
	KTEST_EXPECT(t, false);
}

KTEST_FAULT(fault_de)
{
	fault_sink = fault_dividend / fault_divisor;
	KTEST_EXPECT(t, false);
}
