/* Writes through a null pointer: the kernel must kill this program, print
 * one line about it, and carry on. */
#include <rae.h>

int main(uint64_t arg)
{
	volatile int *volatile p = (int *)(uintptr_t)arg; /* 0 */
	rae_puts("fault: about to write to address 0\n");
	*p = 1;
	rae_puts("fault: still alive (wrong)\n");
	return 0;
}
