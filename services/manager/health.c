/* Health checks: for each service whose manifest declares
 * health-interval-ms, a thread calls RAE_SVC_PING on the service's endpoint
 * that often, with health-deadline-ms as the call's timeout. An instance
 * that lets the ping wait longer (a deadlock, an endless loop) is killed;
 * its supervisor thread then sees it end and restarts it as it would a
 * crashed one (supervisor.c), as MINIX 3's reincarnation server does.
 *
 * The ping queues behind the calls that came before it, like any client's,
 * and is answered at once when its turn comes, so real clients are never
 * held up by it; a service busy for less than the deadline is left alone.
 * The deadline bounds the wait to be received: a service that takes the
 * ping answers it in the same pass of its loop (abi/rae/services.h). */
#include "manager.h"

#define MS 1000000ull

/* What the watch knows of the instance it pings. */
typedef struct {
	bool running;
	bool gone; /* stopped or failed: no instance will come again */
	uint64_t pid;
	uint64_t started_ns;
} instance_t;

static instance_t instance_of(service_t *s)
{
	instance_t i;
	svc_lock();
	i.running = s->state == RAE_SVC_RUNNING && s->process != RAE_HANDLE_INVALID;
	i.gone = s->state == RAE_SVC_STOPPED || s->state == RAE_SVC_FAILED;
	i.pid = s->pid;
	i.started_ns = s->started_ns;
	svc_unlock();
	return i;
}

/* Kills the instance with pid if it still runs: another one may have
 * taken its place while the ping waited. Returns whether it killed. */
static bool kill_hung(service_t *s, uint64_t pid)
{
	bool same;
	svc_lock();
	same = s->state == RAE_SVC_RUNNING && s->process != RAE_HANDLE_INVALID && s->pid == pid;
	if (same) {
		s->hung = true;
		s->hangs++;
	}
	svc_unlock();
	if (!same)
		return false;
	say("%s did not answer its health check in %llu ms; %s", s->m.name,
	    (unsigned long long)s->m.health_deadline_ms,
	    s->m.restart == SVC_RESTART_NEVER ? "killing it (restart = never)" : "restarting");
	/* Under the lock: the supervisor closes the handle when the instance
	 * ends. If this one ended meanwhile, the kill finds it dead. */
	svc_lock();
	if (s->process != RAE_HANDLE_INVALID && s->pid == pid)
		rae_kill(s->process);
	svc_unlock();
	return true;
}

static void watch(uint64_t arg)
{
	service_t *s = (service_t *)(uintptr_t)arg;
	const uint64_t interval = s->m.health_interval_ms * MS;
	const uint64_t deadline = s->m.health_deadline_ms * MS;
	uint64_t seq = 0;
	for (;;) {
		rae_sleep_ns(interval);
		instance_t i = instance_of(s);
		if (i.gone)
			rae_thread_exit(0);
		/* A new instance gets a full interval to reach its loop. */
		if (!i.running || rae_clock_ns() - i.started_ns < interval)
			continue;
		rae_msg_t ping = {.tag = RAE_SVC_PING};
		ping.words[0] = ++seq;
		int64_t st = rae_ipc_call(s->endpoint, &ping, deadline);
		/* Answered (whatever the tag), or PEER_CLOSED: the instance
		 * ended holding the ping, and the supervisor has seen it. */
		if (st != RAE_ERR_TIMED_OUT)
			continue;
		kill_hung(s, i.pid);
	}
}

rae_status_t service_watch_health(service_t *s)
{
	if (!s->m.health_interval_ms)
		return RAE_OK;
	rae_handle_t thread;
	return rae_thread_create(watch, (uint64_t)(uintptr_t)s, 0, &thread);
}
