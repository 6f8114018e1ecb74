/* hal/console.h on x86_64: the COM1 16550 UART. */
#include <arch/x86_64/serial.h>
#include <hal/console.h>

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
