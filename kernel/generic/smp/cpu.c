/* The table of CPUs. */
#include <hal/cpu.h>
#include <smp/cpu.h>

cpu_t cpus[CPU_MAX];
unsigned cpu_possible_count = 1;
volatile unsigned cpu_online_count = 1;
bool cpu_percpu_ready;

cpu_t *cpu_by_hw_id(uint32_t hw_id)
{
	for (unsigned i = 0; i < cpu_possible_count; i++) {
		if (cpus[i].hw_id == hw_id)
			return &cpus[i];
	}
	return NULL;
}
