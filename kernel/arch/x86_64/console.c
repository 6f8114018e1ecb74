/* hal/console.h on x86_64: the COM1 16550 UART, and the console devices a
 * user-space console service takes over (COM1 and IRQ 4, the PS/2
 * keyboard's ports and IRQ 1). */
#include <arch/x86_64/platform.h>
#include <arch/x86_64/serial.h>
#include <hal/console.h>
#include <hal/irq.h>

#define SERIAL_PORTS     8
#define SERIAL_ISA_IRQ   4
#define PS2_DATA_PORT    0x60
#define PS2_STATUS_PORT  0x64
#define PS2_KEYBOARD_IRQ 1

static bool console_ready;

void hal_console_init(void)
{
	if (!console_ready)
		console_ready = serial_init(SERIAL_COM1);
}

void hal_console_write(const char *s, size_t len)
{
	if (console_ready)
		serial_write(SERIAL_COM1, s, len);
}

static uint32_t console_gsi(uint8_t isa_irq)
{
	uint32_t gsi;
	unsigned flags;
	if (hal_irq_isa_to_gsi(isa_irq, &gsi, &flags) != RAE_OK)
		return RAE_CONSOLE_NO_GSI;
	return gsi;
}

void hal_console_describe(rae_console_hw_t *hw)
{
	hw->serial_port = SERIAL_COM1;
	hw->serial_ports = SERIAL_PORTS;
	hw->kbd_data_port = PS2_DATA_PORT;
	hw->kbd_status_port = PS2_STATUS_PORT;
	hw->serial_isa_irq = SERIAL_ISA_IRQ;
	hw->kbd_isa_irq = PS2_KEYBOARD_IRQ;
	hw->serial_gsi = console_gsi(SERIAL_ISA_IRQ);
	hw->kbd_gsi = console_gsi(PS2_KEYBOARD_IRQ);
}

void hal_console_handover(bool to_service)
{
	irq_lines_lend_isa(SERIAL_ISA_IRQ, to_service);
	irq_lines_lend_isa(PS2_KEYBOARD_IRQ, to_service);
	/* The service may have left receive interrupts and other settings
	 * on; the kernel's console is polled with interrupts off. */
	if (!to_service && console_ready)
		serial_init(SERIAL_COM1);
}
