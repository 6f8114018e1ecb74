/* bin/svctest: the service manager's end-to-end test, started by the
 * manager itself from the test manifests (tests/rootfs/etc/services-test/, booted
 * with services=etc/services,etc/services-test). Modes, by argument:
 *   (none)  the client: looks up echo, calls it, has it crash, sees the
 *           call fail and the next one reach the restarted instance, and
 *           checks the manager's table (restarts, blocked services, a
 *           service that crashes too often, one that stopped), pings vfs
 *           and console, has hangd (the health-check test service) be
 *           slow, deadlock and spin, and sees the manager leave it alone,
 *           then kill and restart it; then runs bin/services. Ends with
 *           "svctest: done: P passed, F failed".
 *   nosy    a service echo's manifest does not list: its lookup must be
 *           refused. Exits 0 when it is.
 *   crash   receives its start-up messages, then faults.
 * The harness (tools/test/services.py) checks the log. */
#include <rae_services.h>

#include "echo.h"
#include "hang.h"

#define CALL_NS   5000000000ull    /* for a receiver to take a call */
#define SETTLE_NS 5000000000ull    /* for the crashing service to be marked failed */
#define ROLE_ECHO RAE_ROLE_PRIVATE /* the first endpoint its manifest grants */
/* hang.svc: pinged every 250 ms, killed when a ping waits 2 s. */
#define HANG_INTERVAL_NS 250000000ull
#define HANG_DEADLINE_NS 2000000000ull
#define HANG_SLOW_MS     700 /* slower than two intervals, well within the deadline */
/* For a hang to be seen and the service back: an interval, the deadline,
 * the backoff, and room for a loaded host. */
#define HANG_NOTICE_NS 15000000000ull

static unsigned passed, failed;

/* One console line; rae_printf writes it at once, so other processes'
 * lines never land inside it. */
#define say(fmt, ...) rae_printf(fmt "\n", ##__VA_ARGS__)

static void check(int ok, const char *what)
{
	say("svctest: %s: %s", ok ? "ok" : "FAIL", what);
	if (ok)
		passed++;
	else
		failed++;
}

static int same(const char *a, const char *b)
{
	return strcmp(a, b) == 0;
}

static rae_svc_info_t rows[RAE_SVC_LIST_MAX];
static unsigned row_count;

static void read_table(rae_handle_t svc)
{
	unsigned total = 0;
	int64_t n = rae_service_list(svc, 0, rows, RAE_SVC_LIST_MAX, &total, CALL_NS);
	row_count = n > 0 ? (unsigned)n : 0;
}

/* The row of service name (after read_table), or NULL. */
static const rae_svc_info_t *row(const char *name)
{
	for (unsigned i = 0; i < row_count; i++) {
		if (same(rows[i].name, name))
			return &rows[i];
	}
	return NULL;
}

/* Whether service name reaches state within SETTLE_NS. */
static int settles(rae_handle_t svc, const char *name, uint32_t state)
{
	uint64_t until = rae_clock_ns() + SETTLE_NS;
	do {
		read_table(svc);
		const rae_svc_info_t *r = row(name);
		if (r && r->state == state)
			return 1;
		rae_sleep_ns(20000000);
	} while (rae_clock_ns() < until);
	return 0;
}

static int64_t ping(rae_handle_t ep, uint64_t word, rae_msg_t *m)
{
	static char text[] = "hello";
	*m = (rae_msg_t){.tag = ECHO_PING,
			 .buf = (uint64_t)(uintptr_t)text,
			 .buf_len = 5,
			 .buf_cap = sizeof(text)};
	m->words[0] = word;
	int64_t st = rae_ipc_call(ep, m, CALL_NS);
	return st == RAE_OK ? (int64_t)m->tag : st;
}

static void check_echo(rae_handle_t svc, rae_handle_t granted)
{
	rae_handle_t echo = RAE_HANDLE_INVALID, again = RAE_HANDLE_INVALID;
	check(rae_service_lookup(svc, "echo", &echo, CALL_NS) == RAE_OK, "echo is found");
	rae_msg_t m;
	check(ping(echo, 41, &m) == RAE_OK && m.words[0] == 42 && m.buf_len == 5,
	      "echo answers a call");
	uint64_t first_pid = m.words[1], my_badge = m.words[2];
	read_table(svc);
	const rae_svc_info_t *me = row("svctest");
	check(me && my_badge == (uint64_t)(me - rows) + 1,
	      "echo sees the caller's service id as the badge");
	check(ping(granted, 1, &m) == RAE_OK && m.words[2] == my_badge,
	      "the endpoint granted by the manifest reaches echo too");

	rae_msg_t crash = {.tag = ECHO_CRASH};
	int64_t st = rae_ipc_call(echo, &crash, CALL_NS);
	check(st == RAE_ERR_PEER_CLOSED,
	      "a call in flight when echo crashes fails with PEER_CLOSED");
	check(ping(echo, 99, &m) == RAE_OK && m.words[0] == 100,
	      "the same handle reaches echo again after its restart");
	check(m.words[1] != first_pid, "a new instance answered");
	check(rae_service_lookup(svc, "echo", &again, CALL_NS) == RAE_OK && again != echo,
	      "a second lookup gives another handle");
	check(ping(again, 7, &m) == RAE_OK && m.words[0] == 8, "which reaches echo as well");
	settles(svc, "echo", RAE_SVC_RUNNING); /* the table lags the instance */
	const rae_svc_info_t *e = row("echo");
	check(e && e->state == RAE_SVC_RUNNING && e->restarts == 1 && e->pid == m.words[1] &&
		  e->last_exit == RAE_EXIT_KILLED_FAULT,
	      "the table shows echo running again, restarted once, after a fault");

	/* An operator (echo.svc: operators = svctest) kills it; restart =
	 * always brings it back behind the same endpoint. */
	check(rae_service_kill(svc, "cycle-a", CALL_NS) == RAE_ERR_ACCESS_DENIED,
	      "only a service's operators may kill it");
	check(rae_service_kill(svc, "no-such-service", CALL_NS) == RAE_ERR_NOT_FOUND,
	      "killing an unknown service: not found");
	uint64_t before = m.words[1];
	check(rae_service_kill(svc, "echo", CALL_NS) == RAE_OK, "an operator kills echo");
	/* The kill is asynchronous: a call may still reach the old instance,
	 * or fail with PEER_CLOSED when it dies holding it. */
	int fresh = 0;
	for (uint64_t until = rae_clock_ns() + SETTLE_NS; !fresh && rae_clock_ns() < until;)
		fresh = ping(echo, 5, &m) == RAE_OK && m.words[0] == 6 && m.words[1] != before;
	check(fresh, "a new instance answers on the same handle after the kill");
	settles(svc, "echo", RAE_SVC_RUNNING); /* the table lags the instance */
	e = row("echo");
	check(e && e->restarts == 2 && e->last_exit == RAE_EXIT_KILLED,
	      "the table shows the kill and the second restart");
	rae_handle_close(echo);
	rae_handle_close(again);
}

static void check_lookups(rae_handle_t svc)
{
	rae_handle_t h = RAE_HANDLE_INVALID;
	check(rae_service_lookup(svc, "no-such-service", &h, CALL_NS) == RAE_ERR_NOT_FOUND,
	      "an unknown name is not found");
	check(rae_service_lookup(svc, "", &h, CALL_NS) == RAE_ERR_INVALID,
	      "an empty name is refused");
	rae_msg_t m = {.tag = 0x77};
	check(rae_ipc_call(svc, &m, CALL_NS) == RAE_OK &&
		  (rae_status_t)(int64_t)m.tag == RAE_ERR_UNSUPPORTED,
	      "an unknown request is refused");
	check(rae_service_lookup(svc, "cycle-a", &h, CALL_NS) == RAE_ERR_ACCESS_DENIED,
	      "a service that lists no clients cannot be looked up");
}

static void check_table(rae_handle_t svc)
{
	read_table(svc);
	const rae_svc_info_t *a = row("cycle-a"), *b = row("cycle-b"), *c = row("cycle-c");
	check(a && b && a->state == RAE_SVC_FAILED && b->state == RAE_SVC_FAILED && !a->pid &&
		  !b->pid && a->last_exit == -1,
	      "services on a dependency cycle are not started");
	check(c && c->state == RAE_SVC_FAILED && c->last_exit == -1,
	      "nor is a service that needs one");
	const rae_svc_info_t *missing = row("missing-dep");
	check(missing && missing->state == RAE_SVC_FAILED,
	      "a service that needs an undefined one is not started");
	check(!row("broken"), "a malformed manifest defines no service");
	check(settles(svc, "crashy", RAE_SVC_FAILED), "a service that keeps crashing is failed");
	const rae_svc_info_t *crashy = row("crashy");
	check(crashy && crashy->restarts == 2 && crashy->last_exit == RAE_EXIT_KILLED_FAULT,
	      "after max-restarts (2) restarts");
	check(settles(svc, "nosy", RAE_SVC_STOPPED) && row("nosy")->last_exit == 0 &&
		  row("nosy")->restarts == 0,
	      "nosy was refused echo and stopped (restart = never)");
	check(settles(svc, "echo", RAE_SVC_RUNNING) && row("echo")->uptime_ns > 0,
	      "a running service has an uptime");
}

/* Calls hangd; returns the reply's tag, or the call's error. */
static int64_t hang_call(rae_handle_t h, uint64_t tag, uint64_t word, rae_msg_t *m,
			 uint64_t timeout_ns)
{
	*m = (rae_msg_t){.tag = tag};
	m->words[0] = word;
	int64_t st = rae_ipc_call(h, m, timeout_ns);
	return st == RAE_OK ? (int64_t)m->tag : st;
}

/* Waits until hangd's instance has answered more than `pings` pings;
 * returns its pid then, 0 if it never does. */
static uint64_t pinged_beyond(rae_handle_t h, uint64_t pings)
{
	rae_msg_t m;
	for (uint64_t until = rae_clock_ns() + HANG_NOTICE_NS; rae_clock_ns() < until;) {
		if (hang_call(h, HANG_STATUS, 0, &m, HANG_NOTICE_NS) == RAE_OK &&
		    m.words[0] > pings)
			return m.words[1];
		rae_sleep_ns(HANG_INTERVAL_NS);
	}
	return 0;
}

/* The health check (hang.svc): the manager pings hangd; slow is left
 * alone, a deadlock and an endless loop are killed and restarted, and the
 * new instance is pinged again. */
static void check_health(rae_handle_t svc)
{
	rae_handle_t h = RAE_HANDLE_INVALID;
	rae_msg_t m;
	check(rae_service_lookup(svc, "hang", &h, CALL_NS) == RAE_OK, "hang is found");
	uint64_t pid = pinged_beyond(h, 1);
	check(pid != 0, "the manager pings a service that declares a health check");

	check(hang_call(h, HANG_STATUS, 0, &m, CALL_NS) == RAE_OK, "hang answers a call");
	uint64_t pings = m.words[0];
	check(hang_call(h, HANG_SLOW, HANG_SLOW_MS, &m, CALL_NS) == RAE_OK,
	      "hang answers a call after being busy for 700 ms");
	check(hang_call(h, HANG_STATUS, 0, &m, CALL_NS) == RAE_OK && m.words[1] == pid &&
		  m.words[0] > pings,
	      "a service slower than its interval but within its deadline is not killed");
	read_table(svc);
	const rae_svc_info_t *r = row("hang");
	check(r && r->state == RAE_SVC_RUNNING && r->restarts == 0 && r->hangs == 0,
	      "the table shows no hang after the slow call");

	uint64_t t0 = rae_clock_ns();
	check(hang_call(h, HANG_DEADLOCK, 0, &m, CALL_NS) == RAE_ERR_PEER_CLOSED,
	      "a call that deadlocks hang ends with PEER_CLOSED when the manager kills it");
	uint64_t took = rae_clock_ns() - t0;
	check(took >= HANG_DEADLINE_NS && took < HANG_NOTICE_NS,
	      "the deadlock is noticed no sooner than the deadline, and in time");
	uint64_t next = pinged_beyond(h, 0);
	check(next != 0 && next != pid, "a new instance answers calls and pings again");
	settles(svc, "hang", RAE_SVC_RUNNING);
	r = row("hang");
	check(r && r->restarts == 1 && r->hangs == 1 && r->last_exit == RAE_EXIT_KILLED,
	      "the table shows the hang: restarted once, killed");

	check(hang_call(h, HANG_SPIN, 0, &m, CALL_NS) == RAE_OK, "hang starts an endless loop");
	uint64_t last = pinged_beyond(h, 0);
	check(last != 0 && last != next,
	      "an endless loop is killed and the new instance answers pings again");
	settles(svc, "hang", RAE_SVC_RUNNING);
	r = row("hang");
	check(r && r->restarts == 2 && r->hangs == 2, "the table counts both hangs");
	rae_handle_close(h);
}

/* The real services answer the health check (their manifests declare one). */
static void check_pings(rae_handle_t vfs, rae_handle_t console)
{
	rae_msg_t m = {.tag = RAE_SVC_PING};
	m.words[0] = 77;
	check(rae_ipc_call(vfs, &m, CALL_NS) == RAE_OK && m.tag == RAE_OK && m.words[0] == 77,
	      "vfs answers RAE_SVC_PING");
	m = (rae_msg_t){.tag = RAE_SVC_PING};
	m.words[0] = 78;
	check(rae_ipc_call(console, &m, CALL_NS) == RAE_OK && m.tag == RAE_OK && m.words[0] == 78,
	      "console answers RAE_SVC_PING");
}

/* bin/services, given this process's name-service handle. Started from
 * the initrd the manager granted: by path, a process the kernel did not
 * start is refused. */
static void check_services_tool(rae_handle_t svc, rae_handle_t initrd)
{
	check(rae_sys_spawn("bin/services") == RAE_ERR_ACCESS_DENIED,
	      "spawning by path is refused (no ambient authority)");
	rae_handle_t give[] = {svc};
	uint16_t roles[] = {RAE_ROLE_SERVICES};
	const char *const argv[] = {"services", NULL};
	uint64_t off, size;
	check(rae_initrd_find(initrd, "bin/no-such-tool", &off, &size) == RAE_ERR_NOT_FOUND,
	      "a program missing from the initrd is not found");
	rae_handle_t p;
	rae_status_t st =
	    rae_initrd_spawn_start(initrd, "bin/services", 0, argv, NULL, give, roles, 1, &p);
	int status = -1;
	check(st == RAE_OK && rae_wait(p, &status) == RAE_OK && status == 0,
	      "bin/services prints the table");
}

static int client(rae_startup_t *s)
{
	rae_handle_t svc = rae_startup_take(s, RAE_ROLE_SERVICES);
	rae_handle_t granted = rae_startup_take(s, ROLE_ECHO);
	rae_handle_t initrd = rae_startup_take(s, RAE_ROLE_INITRD);
	check(svc != RAE_HANDLE_INVALID && granted != RAE_HANDLE_INVALID &&
		  initrd != RAE_HANDLE_INVALID,
	      "the manager gave the name service, the granted endpoint and the initrd");
	check(s->envp[0] && same(s->envp[0], "RAE_SERVICE=svctest"),
	      "the environment names the service");
	check_lookups(svc);
	check_echo(svc, granted);
	check_table(svc);
	check_pings(rae_startup_take(s, RAE_ROLE_VFS), rae_startup_take(s, RAE_ROLE_CONSOLE));
	check_health(svc);
	check_services_tool(svc, initrd);
	say("svctest: done: %u passed, %u failed", passed, failed);
	return failed != 0;
}

/* A service echo's manifest does not list as a client. */
static int nosy(rae_startup_t *s)
{
	rae_handle_t svc = rae_startup_take(s, RAE_ROLE_SERVICES), echo;
	rae_status_t st = rae_service_lookup(svc, "echo", &echo, CALL_NS);
	say("svctest nosy: lookup of echo: %s", rae_status_name(st));
	return st == RAE_ERR_ACCESS_DENIED ? 0 : 1;
}

int main(uint64_t arg)
{
	static rae_startup_t s;
	if (rae_startup_receive((rae_handle_t)arg, &s, CALL_NS) != RAE_OK) {
		say("svctest: no start-up messages");
		return 1;
	}
	if (s.argc > 1 && same(s.argv[1], "nosy"))
		return nosy(&s);
	if (s.argc > 1 && same(s.argv[1], "crash")) {
		volatile int *volatile p = (int *)(uintptr_t)0;
		*p = 1;
	}
	return client(&s);
}
