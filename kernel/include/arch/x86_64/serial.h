/* 16550 UART driver, polled, for the kernel's serial console. */
#ifndef ARCH_X86_64_SERIAL_H
#define ARCH_X86_64_SERIAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SERIAL_COM1 0x3f8

/* Programs the UART at `port` for 115200 8N1 with FIFOs. Returns false when
 * no working UART answers there (a loopback self-test fails). */
bool serial_init(uint16_t port);
void serial_write(uint16_t port, const char *s, size_t len);

#endif
