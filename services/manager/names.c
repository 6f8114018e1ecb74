/* The name service (abi/rae/services.h): LOOKUP hands a caller a badged
 * handle to a service's endpoint if the service's manifest lists the
 * caller as a client; LIST reports every service's state; KILL ends a
 * service's instance for one of its operators. The caller is
 * known by the badge of its handle to the name service (its service id). */
#include "manager.h"

/* The caller's name, or NULL for a badge that names no service. */
static const char *caller_name(uint64_t badge)
{
	return badge >= 1 && badge <= service_count ? services[badge - 1].m.name : NULL;
}

/* The service a request's buffer names (RAE_ERR_INVALID for a malformed
 * name, RAE_ERR_NOT_FOUND for an unknown one), and the caller's name
 * (NULL for a badge that names no service). */
static rae_status_t named_service(const rae_msg_t *call, const char *buf, service_t **out,
				  const char **caller)
{
	char name[RAE_SVC_NAME_MAX];
	size_t len = strnlen(buf, call->buf_len);
	if (len == 0 || len >= sizeof(name))
		return RAE_ERR_INVALID;
	memcpy(name, buf, len);
	name[len] = '\0';
	for (unsigned i = 0; i < service_count; i++) {
		if (strcmp(services[i].m.name, name) == 0) {
			*out = &services[i];
			*caller = caller_name(call->badge);
			return RAE_OK;
		}
	}
	return RAE_ERR_NOT_FOUND;
}

static rae_status_t lookup(rae_msg_t *call, const char *buf, rae_msg_t *reply)
{
	service_t *s;
	const char *caller;
	rae_status_t st = named_service(call, buf, &s, &caller);
	if (st != RAE_OK)
		return st;
	if (!caller || !svc_manifest_allows(&s->m, caller))
		return RAE_ERR_ACCESS_DENIED;
	/* The service tells its clients apart by this badge. */
	st =
	    rae_handle_mint(s->endpoint, RAE_RIGHT_WRITE | RAE_RIGHT_DUPLICATE | RAE_RIGHT_TRANSFER,
			    call->badge, &reply->handles[0]);
	if (st != RAE_OK)
		return st;
	reply->handle_count = 1;
	reply->words[0] = s->id;
	return RAE_OK;
}

/* Kills a service's running instance for one of its operators; the
 * supervisor then treats the end as any other (restart policy, backoff). */
static rae_status_t kill_service(const rae_msg_t *call, const char *buf)
{
	service_t *s;
	const char *caller;
	rae_status_t st = named_service(call, buf, &s, &caller);
	if (st != RAE_OK)
		return st;
	if (!caller || !svc_manifest_operated_by(&s->m, caller))
		return RAE_ERR_ACCESS_DENIED;
	svc_lock();
	st = s->process != RAE_HANDLE_INVALID ? (rae_status_t)rae_kill(s->process)
					      : RAE_ERR_NOT_FOUND;
	svc_unlock();
	if (st == RAE_OK)
		say("%s kills %s (pid %llu) on request", caller, s->m.name,
		    (unsigned long long)s->pid);
	return st;
}

bool manager_shutting_down;

/* Stops every service but the caller, the last started first, and keeps
 * them down (RAE_SVC_SHUTDOWN): the ACPI service asks before it powers off
 * or resets the machine. Blocks the name service while it waits, which is
 * what a shutdown wants anyway. */
static rae_status_t shutdown_services(const rae_msg_t *call, rae_msg_t *reply)
{
	const char *caller = caller_name(call->badge);
	if (!caller || !(services[call->badge - 1].m.grants & SVC_GRANT_SHUTDOWN))
		return RAE_ERR_ACCESS_DENIED;
	say("%s asks for a shutdown: stopping every other service", caller);
	svc_lock();
	manager_shutting_down = true;
	svc_unlock();
	uint64_t stopped = 0, deadline = rae_clock_ns() + RAE_SVC_SHUTDOWN_WAIT_NS;
	for (unsigned i = service_count; i-- > 0;) {
		service_t *s = &services[i];
		if (s->id == call->badge)
			continue;
		svc_lock();
		bool running = s->process != RAE_HANDLE_INVALID;
		if (running)
			rae_kill(s->process);
		svc_unlock();
		if (!running)
			continue;
		/* Its supervisor waits for the end, closes the handle and, with
		 * manager_shutting_down set, leaves it stopped. */
		for (;;) {
			svc_lock();
			bool ended = s->process == RAE_HANDLE_INVALID;
			svc_unlock();
			if (ended)
				break;
			if (rae_clock_ns() >= deadline)
				return RAE_ERR_TIMED_OUT;
			rae_sleep_ns(1000000);
		}
		stopped++;
	}
	say("every service stopped (%llu) for the shutdown", (unsigned long long)stopped);
	reply->words[0] = stopped;
	return RAE_OK;
}

static rae_status_t list(const rae_msg_t *call, rae_msg_t *reply)
{
	static rae_svc_info_t out[RAE_SVC_LIST_MAX];
	uint64_t first = call->words[0], now = rae_clock_ns();
	unsigned n = 0;
	svc_lock();
	for (uint64_t i = first; i < service_count && n < RAE_SVC_LIST_MAX; i++, n++) {
		const service_t *s = &services[i];
		rae_svc_info_t *r = &out[n];
		memset(r, 0, sizeof(*r));
		memcpy(r->name, s->m.name, sizeof(r->name));
		r->state = s->state;
		r->restarts = s->restarts;
		r->pid = s->pid;
		r->uptime_ns = s->state == RAE_SVC_RUNNING ? now - s->started_ns : 0;
		r->last_exit = s->last_exit;
		r->hangs = s->hangs;
	}
	svc_unlock();
	reply->buf = (uint64_t)(uintptr_t)out;
	reply->buf_len = n * (uint32_t)sizeof(out[0]);
	reply->words[0] = n;
	reply->words[1] = service_count;
	return RAE_OK;
}

void names_serve(void)
{
	static char buf[RAE_IPC_BUF_MAX];
	for (;;) {
		rae_msg_t call = {.buf = (uint64_t)(uintptr_t)buf, .buf_cap = sizeof(buf)};
		if (rae_ipc_receive(manager_names, &call, RAE_TIMEOUT_NEVER) != RAE_OK)
			continue;
		/* Requests carry no handles: whatever came is dropped. */
		for (uint32_t i = 0; i < call.handle_count; i++)
			rae_handle_close(call.handles[i]);
		if (call.flags & RAE_MSG_ONEWAY)
			continue;
		rae_msg_t reply = {0};
		rae_status_t st;
		switch (call.tag) {
		case RAE_SVC_LOOKUP: st = lookup(&call, buf, &reply); break;
		case RAE_SVC_LIST: st = list(&call, &reply); break;
		case RAE_SVC_KILL: st = kill_service(&call, buf); break;
		case RAE_SVC_SHUTDOWN: st = shutdown_services(&call, &reply); break;
		default: st = RAE_ERR_UNSUPPORTED; break;
		}
		reply.tag = (uint64_t)(int64_t)st;
		/* A caller gone meanwhile: the kernel closes the handle sent. */
		rae_ipc_reply(&reply);
	}
}
