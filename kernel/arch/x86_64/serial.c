/* 16550 UART, polled. The kernel's serial console and the panic path. */
#include <arch/x86_64/cpu/regs.h>
#include <arch/x86_64/serial.h>

#define UART_DATA 0
#define UART_IER  1
#define UART_FCR  2
#define UART_LCR  3
#define UART_MCR  4
#define UART_LSR  5
#define UART_DLL  0
#define UART_DLM  1

#define LSR_THR_EMPTY 0x20
#define LCR_DLAB      0x80
#define LCR_8N1       0x03

/* Give up on a stuck transmitter rather than hang the kernel. */
#define SERIAL_SPIN_LIMIT 100000

bool serial_init(uint16_t port)
{
	outb(port + UART_IER, 0x00);
	outb(port + UART_LCR, LCR_DLAB);
	outb(port + UART_DLL, 1); /* 115200 baud */
	outb(port + UART_DLM, 0);
	outb(port + UART_LCR, LCR_8N1);
	outb(port + UART_FCR, 0xc7); /* enable and clear FIFOs, 14-byte threshold */

	/* Loopback self-test: a missing UART reads back 0xff. */
	outb(port + UART_MCR, 0x1e);
	outb(port + UART_DATA, 0xae);
	if (inb(port + UART_DATA) != 0xae)
		return false;
	outb(port + UART_MCR, 0x0b); /* DTR, RTS, OUT2; loopback off */
	return true;
}

static void serial_put(uint16_t port, char c)
{
	for (unsigned spin = 0; spin < SERIAL_SPIN_LIMIT; spin++) {
		if (inb(port + UART_LSR) & LSR_THR_EMPTY)
			break;
		__asm__ volatile("pause");
	}
	outb(port + UART_DATA, (uint8_t)c);
}

void serial_write(uint16_t port, const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '\n')
			serial_put(port, '\r');
		serial_put(port, s[i]);
	}
}
