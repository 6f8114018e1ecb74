/* A thousand kills (KILLLOOP_ROUNDS), each of a bin/killtest child on its
 * way into, or already in, one of the waits it knows (killtest.h): the
 * kill comes at once after the child has its orders, after a yield, after
 * 50 us or after 2 ms, so it lands anywhere between the child's last check
 * and its sleep. Every child must end within a second of its kill, with
 * the killed status. Exits with the number of failed rounds. */
#include <rae.h>

#include "killtest.h"

#define KILLLOOP_ROUNDS 1000
#define KILL_DEADLINE   (1000 * MS)

static int failures;

static void fail(int round, int mode, const char *what)
{
	failures++;
	rae_printf("killloop: FAILED round %d (%s): %s\n", round, mode_names[mode], what);
}

/* Waits a little, in a way that depends on the round. */
static void delay(int round)
{
	switch (round % 4) {
	case 0: break;
	case 1: rae_yield(); break;
	case 2: rae_sleep_ns(50000); break;
	case 3: rae_sleep_ns(2 * MS); break;
	}
}

static void kill_round(int round, int mode)
{
	rae_handle_t ep = RAE_HANDLE_INVALID, give = RAE_HANDLE_INVALID;
	rae_handle_t child = RAE_HANDLE_INVALID, ended = RAE_HANDLE_INVALID;
	rae_endpoint_create(&ep);
	rae_handle_dup(ep, RAE_RIGHT_WRITE | RAE_RIGHT_TRANSFER, &give);
	rae_spawn_with("bin/killtest", give, 0, &child);
	rae_notify_create(&ended);
	if (!(ep > 0 && give > 0 && child > 0 && ended > 0)) {
		fail(round, mode, "start a child");
		if (child > 0)
			rae_kill(child);
		goto out;
	}
	rae_process_watch(child, ended, 1);
	rae_msg_t m = {0};
	if (rae_ipc_receive(ep, &m, 5000 * MS) != RAE_OK) {
		fail(round, mode, "the child asks for its orders");
		rae_kill(child);
		goto out;
	}
	m = (rae_msg_t){.tag = RAE_OK};
	m.words[0] = (uint64_t)mode;
	rae_ipc_reply(&m);
	delay(round);
	if (rae_kill(child) != RAE_OK)
		fail(round, mode, "KILL");
	if (rae_notify_wait(ended, KILL_DEADLINE) != 1)
		fail(round, mode, "the child ends within a second of the kill");
	int status = -1;
	if (rae_wait_nohang(child, &status) != RAE_OK || status != RAE_EXIT_KILLED)
		fail(round, mode, "its status says it was killed");
out:
	if (child > 0)
		rae_handle_close(child);
	if (ended > 0)
		rae_handle_close(ended);
	if (ep > 0)
		rae_handle_close(ep);
}

int main(uint64_t arg)
{
	(void)arg;
	uint64_t t0 = rae_clock_ns();
	for (int round = 0, mode = 0; round < KILLLOOP_ROUNDS; round++) {
		/* WAIT needs a second child to wait for: bin/killtest covers it. */
		if (mode == MODE_WAIT_PROCESS)
			mode++;
		kill_round(round, mode);
		mode = (mode + 1) % MODE_COUNT;
		if ((round + 1) % 100 == 0)
			rae_printf("# killloop: %d kills\n", round + 1);
		if (failures > 10)
			break; /* enough said */
	}
	rae_printf("killloop: %d kills, %d failed, %llu ms\n", KILLLOOP_ROUNDS, failures,
		   (unsigned long long)((rae_clock_ns() - t0) / MS));
	return failures;
}
