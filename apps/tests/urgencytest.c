/* A busy server takes a waiting real-time caller before time-sharing
 * callers that queued earlier (endpoint.c: callers wait in order of
 * urgency). One process, all threads on CPU 0:
 *   the server receives call A and holds it until told to go on;
 *   time-sharing caller B queues behind it, then real-time caller C;
 *   the server answers A and receives again: it must get C, then B.
 * With first-come-first-served queues it would get B first, and a
 * real-time caller could wait behind any number of time-sharing ones. */
#include <rae.h>

#define SETTLE_NS 50000000ull /* for a caller to reach the queue */
#define TAG_A     1
#define TAG_B     2
#define TAG_C     3

static rae_handle_t ep, go;
static volatile int b_done, c_done;

static int fail(const char *what)
{
	rae_puts("urgencytest: FAIL: ");
	rae_puts(what);
	rae_puts("\n");
	return 1;
}

static void caller(uint64_t tag)
{
	if (tag == TAG_C && rae_set_rt(1000000, 10000000) != RAE_OK)
		rae_thread_exit(1); /* 1 ms every 10 ms */
	rae_msg_t m = {.tag = tag};
	int64_t st = rae_ipc_call(ep, &m, 5000000000ull);
	if (tag == TAG_B)
		b_done = st == RAE_OK ? 1 : -1;
	else if (tag == TAG_C)
		c_done = st == RAE_OK ? 1 : -1;
	rae_thread_exit(st == RAE_OK ? 0 : 1);
}

/* Receives one call; its tag, or -1. */
static int64_t serve_one(void)
{
	rae_msg_t m = {0};
	if (rae_ipc_receive(ep, &m, 5000000000ull) != RAE_OK)
		return -1;
	int64_t tag = (int64_t)m.tag;
	if (tag == TAG_A)
		rae_notify_wait(go, 5000000000ull); /* "busy" until the test says go */
	rae_msg_t r = {.tag = RAE_OK};
	rae_ipc_reply(&r);
	return tag;
}

static volatile int64_t served[3];

static void server(uint64_t arg)
{
	(void)arg;
	for (int i = 0; i < 3; i++)
		served[i] = serve_one();
	rae_thread_exit(0);
}

int main(uint64_t arg)
{
	(void)arg;
	if (rae_set_affinity(1) != RAE_OK)
		return fail("pin to CPU 0");
	if (rae_endpoint_create(&ep) != RAE_OK || rae_notify_create(&go) != RAE_OK)
		return fail("create the endpoint and the notification");
	rae_handle_t s, a, b, c;
	if (rae_thread_create(server, 0, 0, &s) != RAE_OK ||
	    rae_thread_create(caller, TAG_A, 0, &a) != RAE_OK)
		return fail("start the server and caller A");
	rae_sleep_ns(SETTLE_NS); /* A is in service, the server holds it */
	rae_status_t made_b = rae_thread_create(caller, TAG_B, 0, &b);
	rae_sleep_ns(SETTLE_NS); /* B queued first */
	rae_status_t made_c = rae_thread_create(caller, TAG_C, 0, &c);
	rae_sleep_ns(SETTLE_NS); /* then C */
	if (made_b != RAE_OK || made_c != RAE_OK)
		return fail("start callers B and C");
	rae_notify_signal(go, 1);
	int code = 0;
	if (rae_thread_join(s, &code) != RAE_OK)
		return fail("join the server");
	rae_thread_join(a, NULL);
	rae_thread_join(b, NULL);
	rae_thread_join(c, NULL);
	if (served[0] != TAG_A || b_done != 1 || c_done != 1)
		return fail("every call answered");
	if (served[1] != TAG_C || served[2] != TAG_B)
		return fail("the real-time caller was served before the time-sharing one");
	rae_puts("urgencytest: the real-time caller went ahead of the queue\n");
	return 0;
}
