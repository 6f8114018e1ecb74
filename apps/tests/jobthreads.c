/* Creates threads until the kernel refuses, then reports how many it got
 * (exit status), or 100 if the refusal was not RAE_ERR_LIMIT. */
#include <rae.h>

static void idle_thread(uint64_t arg)
{
	(void)arg;
	rae_sleep_ns(50000000);
	rae_thread_exit(0);
}

int main(uint64_t arg)
{
	(void)arg;
	int created = 0;
	int64_t last;
	while ((last = rae_sys_thread_create(idle_thread, 0, 0)) > 0 && created < 50)
		created++;
	return last == RAE_ERR_LIMIT ? created : 100;
}
