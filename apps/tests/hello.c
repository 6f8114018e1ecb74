/* The smallest user program: prints who it is and exits with 42. */
#include <rae.h>

static const char *const greeting[] = {"hello from user space", ", pid "};

int main(uint64_t arg)
{
	(void)arg;
	rae_puts(greeting[0]); /* a relocated pointer: crt0 applied it */
	rae_puts(greeting[1]);
	rae_put_dec(rae_getpid());
	rae_puts("\n");
	return 42;
}
