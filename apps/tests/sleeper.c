/* Sleeps for a long time; proctest kills it. */
#include <rae.h>

int main(uint64_t arg)
{
	(void)arg;
	for (;;)
		rae_sleep_ns(1000000000ull);
}
