/* What lib/librae/startup.c, built into the runtime, takes from librae's
 * lib.c; the C library has the memory routines. */
#include <string.h>
#include <rae.h>

size_t rae_strlen(const char *s)
{
	return strlen(s);
}
