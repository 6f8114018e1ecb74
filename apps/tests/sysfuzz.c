/* Random system calls with random arguments, many times: none may crash
 * the kernel. Calls that would end this process or block for long are
 * left out (exit, thread exit, thread create at a random address, long
 * sleeps or waits, spawning); everything else, and numbers beyond the
 * table, goes in, with handles this program really holds and addresses of
 * its real mappings (for MEM_UNMAP) among the random arguments. It holds
 * no resource, so every hardware call must be refused. */
#include <rae.h>

#define DEFAULT_CALLS 100000

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint64_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static char scratch[256];
static char info_sink[512];  /* where SYSTEM_INFO lands instead of scratch */
static uint64_t handles[16]; /* values create calls returned: real handles */
static uint64_t mappings[8]; /* addresses MEM_MAP returned */

static uint64_t random_arg(void)
{
	switch (next() % 10) {
	case 9: return mappings[next() % 8];
	case 8: return handles[next() % 16];
	case 0: return 0;
	case 1: return next() % 64;
	case 2: return (uint64_t)(uintptr_t)scratch + next() % 512;        /* ours, and just past */
	case 3: return 0xffff800000000000ull + (next() & 0xffffffffffull); /* kernel half */
	case 4: return 0x0000800000000000ull - (next() % 64);              /* top of user half */
	case 5: return next() | 0x8000000000000000ull;
	default: return next();
	}
}

int main(uint64_t arg)
{
	uint64_t calls = arg ? arg : DEFAULT_CALLS, errors = 0;
	rng ^= rae_clock_ns();
	rae_ipc_set_timeout(100000); /* the register calls wait at most 0.1 ms */
	for (uint64_t i = 0; i < calls; i++) {
		uint64_t nr = next() % (RAE_SYS_COUNT + 8);
		uint64_t a = random_arg(), b = random_arg(), c = random_arg(), r10 = random_arg();
		switch (nr) {
		case RAE_SYS_PROCESS_EXIT:
		case RAE_SYS_THREAD_EXIT:
		case RAE_SYS_THREAD_CREATE: continue;
		case RAE_SYS_SLEEP:
			a %= 1000; /* at most a microsecond */
			break;
		case RAE_SYS_SET_RT:
			/* Keep real-time budgets generous enough to finish. */
			if (a && b)
				a = b;
			break;
		case RAE_SYS_DEBUG_WRITE:
			b %= 8; /* a few bytes of noise at most */
			break;
		case RAE_SYS_IPC_CALL:
		case RAE_SYS_IPC_SEND:
		case RAE_SYS_IPC_RECEIVE:
			c %= 100000; /* bounded waits: nobody else is there */
			break;
		case RAE_SYS_NOTIFY_WAIT: b %= 100000; break;
		case RAE_SYS_FUTEX_WAIT: c %= 100000; break;
		case RAE_SYS_IPC_SET_TIMEOUT:
			/* The register calls below wait at most this (never forever). */
			a %= 100000;
			break;
		case RAE_SYS_SPAWN_WITH: continue; /* could start a program that waits forever */
		case RAE_SYS_SYSTEM_INFO:
			/* Its text would reach the console through DEBUG_WRITE's
			 * random reads of scratch. */
			if (a >= (uint64_t)(uintptr_t)scratch &&
			    a < (uint64_t)(uintptr_t)scratch + 512)
				a = (uint64_t)(uintptr_t)info_sink;
			break;
		case RAE_SYS_PIPE_CREATE:
			if (next() % 4 == 0)
				a = (uint64_t)(uintptr_t)scratch; /* a real pipe, kept below */
			break;
		case RAE_SYS_PIPE_READ:
		case RAE_SYS_PIPE_WRITE:
			/* Bounded waits (the timeout is the fourth argument). */
			r10 = next() % 100000;
			break;
		case RAE_SYS_WAIT:
			/* Only without waiting: a process handle from JOB_PROCESS
			 * could name one that never ends. */
			c = RAE_WAIT_NOHANG;
			break;
		default: break;
		}
		int64_t r = rae_syscall6(nr, a, b, c, r10, random_arg(), random_arg());
		if (r < 0)
			errors++;
		else if (nr == RAE_SYS_ENDPOINT_CREATE || nr == RAE_SYS_NOTIFY_CREATE ||
			 nr == RAE_SYS_HANDLE_DUP || nr == RAE_SYS_HANDLE_MINT ||
			 nr == RAE_SYS_MEM_CREATE)
			handles[next() % 16] = (uint64_t)r;
		else if (nr == RAE_SYS_PIPE_CREATE && a == (uint64_t)(uintptr_t)scratch) {
			/* Its ends, for the pipe calls among the random ones. */
			rae_handle_t ends[2];
			memcpy(ends, scratch, sizeof(ends));
			handles[next() % 16] = ends[0];
			handles[next() % 16] = ends[1];
		} else if (nr == RAE_SYS_MEM_MAP)
			mappings[next() % 8] = (uint64_t)r;
		else if (nr >= RAE_SYS_RESOURCE_CREATE && nr <= RAE_SYS_IOPORT_ENABLE &&
			 nr != RAE_SYS_MEM_UNMAP) {
			/* Without a resource no hardware call can succeed. */
			rae_puts("sysfuzz: a hardware call succeeded without a resource\n");
			return 1;
		}
	}
	rae_set_rt(0, 0);
	rae_set_affinity(~0ull);
	rae_puts("sysfuzz: ");
	rae_put_dec((int64_t)calls);
	rae_puts(" random system calls made, ");
	rae_put_dec((int64_t)errors);
	rae_puts(" returned an error; kernel still up\n");
	return 0;
}
