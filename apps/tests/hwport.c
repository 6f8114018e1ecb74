/* The I/O port half of hwtest. Started without a handle, it reads port
 * 0x71 with no access and must be killed for the fault. Started with an
 * I/O port handle, it enables it and reads port 0x71: it lives (exit 0)
 * when the handle covers that port and is killed when it does not, even
 * if it covers 0x70, which shares the bitmap byte. */
#include <rae.h>

int main(uint64_t arg)
{
	if (arg && rae_ioport_enable((rae_handle_t)arg) != RAE_OK)
		return 1;
	volatile uint8_t v = rae_inb(0x71);
	(void)v;
	return 0;
}
