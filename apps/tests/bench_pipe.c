/* Pipe round trip, as Linux's peer benchmark does it: one byte down a pipe
 * to a child process and one byte back up another, both on CPU 0, timed
 * with the TSC (guest instructions under -icount):
 *   user_pipe_round_trip (compare linux.pipe_round_trip). */
#include <rae.h>

#define SAMPLES   10000
#define ROLE_DOWN (RAE_ROLE_PRIVATE + 1)
#define ROLE_UP   (RAE_ROLE_PRIVATE + 2)

static uint64_t samples[SAMPLES];

/* The child: echoes every byte until end of file. */
static int echo(rae_handle_t ep)
{
	static rae_startup_t s;
	if (rae_startup_receive(ep, &s, RAE_TIMEOUT_NEVER) != RAE_OK)
		return 10;
	rae_handle_t down = rae_startup_take(&s, ROLE_DOWN), up = rae_startup_take(&s, ROLE_UP);
	rae_set_affinity(1);
	char c;
	while (rae_pipe_read(down, &c, 1, RAE_TIMEOUT_NEVER) == 1) {
		if (rae_pipe_write(up, &c, 1, RAE_TIMEOUT_NEVER) != 1)
			return 11;
	}
	return 0;
}

int main(uint64_t arg)
{
	if (arg)
		return echo((rae_handle_t)arg);
	rae_set_affinity(1);
	rae_handle_t down[2], up[2];
	if (rae_pipe_create(down) != RAE_OK || rae_pipe_create(up) != RAE_OK)
		return 1;
	rae_handle_t give[2] = {down[0], up[1]};
	uint16_t roles[2] = {ROLE_DOWN, ROLE_UP};
	const char *const argv[] = {"bench_pipe", NULL};
	rae_handle_t child;
	if (rae_spawn_start(0, 0, 0, "bin/bench_pipe", 0, argv, NULL, give, roles, 2, &child) !=
	    RAE_OK)
		return 2;
	char c = 'x';
	for (int i = -100; i < SAMPLES; i++) {
		uint64_t t0 = rae_rdtsc();
		if (rae_pipe_write(down[1], &c, 1, RAE_TIMEOUT_NEVER) != 1 ||
		    rae_pipe_read(up[0], &c, 1, RAE_TIMEOUT_NEVER) != 1)
			return 3;
		if (i >= 0)
			samples[i] = rae_rdtsc() - t0;
	}
	rae_bench_report("user_pipe_round_trip", samples, SAMPLES);
	rae_handle_close(down[1]); /* end of file: the child ends */
	int status = -1;
	rae_wait(child, &status);
	return status;
}
