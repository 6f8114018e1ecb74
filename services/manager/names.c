/* The name service (abi/rae/services.h): LOOKUP hands a caller a badged
 * handle to a service's endpoint if the service's manifest lists the
 * caller as a client; LIST reports every service's state; KILL ends a
 * service's instance for one of its operators. The caller is
 * known by the badge of its handle to the name service (its service id). */
#include "manager.h"
#include <rae/names_contract.h>

/* The caller's name, or NULL for a badge that names no service. */
static const char *caller_name(uint64_t badge)
{
	return badge >= 1 && badge <= service_count ? services[badge - 1].m.name : NULL;
}

/* The service `name` names (RAE_ERR_NOT_FOUND for an unknown one), and the
 * caller's name (NULL for a badge that names no service). The contract
 * has checked its length (1 to RAE_SVC_NAME_MAX - 1 bytes, no NUL). */
static rae_status_t named_service(const rae_msg_t *call, const char *name, uint32_t len,
				  service_t **out, const char **caller)
{
	for (unsigned i = 0; i < service_count; i++) {
		if (strncmp(services[i].m.name, name, len) == 0 &&
		    services[i].m.name[len] == '\0') {
			*out = &services[i];
			*caller = caller_name(call->badge);
			return RAE_OK;
		}
	}
	return RAE_ERR_NOT_FOUND;
}

static int64_t lookup(void *ctx, const rae_msg_t *call, names_lookup_request_t *q,
		      names_lookup_reply_t *rep)
{
	(void)ctx;
	service_t *s;
	const char *caller;
	rae_status_t st = named_service(call, q->name, q->name_len, &s, &caller);
	if (st != RAE_OK)
		return st;
	if (!caller || !svc_manifest_allows(&s->m, caller))
		return RAE_ERR_ACCESS_DENIED;
	/* The service tells its clients apart by this badge. */
	st =
	    rae_handle_mint(s->endpoint, RAE_RIGHT_WRITE | RAE_RIGHT_DUPLICATE | RAE_RIGHT_TRANSFER,
			    call->badge, &rep->endpoint);
	if (st != RAE_OK)
		return st;
	rep->id = s->id;
	return RAE_OK;
}

/* Kills a service's running instance for one of its operators; the
 * supervisor then treats the end as any other (restart policy, backoff). */
static int64_t kill_service(void *ctx, const rae_msg_t *call, names_kill_request_t *q,
			    names_kill_reply_t *rep)
{
	(void)ctx;
	(void)rep;
	service_t *s;
	const char *caller;
	rae_status_t st = named_service(call, q->name, q->name_len, &s, &caller);
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
static int64_t shutdown_services(void *ctx, const rae_msg_t *call, names_shutdown_request_t *q,
				 names_shutdown_reply_t *rep)
{
	(void)ctx;
	(void)q;
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
	rep->stopped = stopped;
	return RAE_OK;
}

static int64_t list(void *ctx, const rae_msg_t *call, names_list_request_t *q,
		    names_list_reply_t *rep)
{
	(void)ctx;
	(void)call;
	static rae_svc_info_t out[RAE_SVC_LIST_MAX];
	uint64_t now = rae_clock_ns();
	unsigned n = 0;
	svc_lock();
	for (uint64_t i = q->first; i < service_count && n < RAE_SVC_LIST_MAX; i++, n++) {
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
	rep->services = out;
	rep->services_count = n;
	rep->total = service_count;
	return RAE_OK;
}

static const names_handlers_t names_handlers = {
    .lookup = lookup,
    .list = list,
    .kill = kill_service,
    .shutdown = shutdown_services,
};

void names_serve(void)
{
	static char buf[RAE_IPC_BUF_MAX];
	for (;;) {
		rae_msg_t call = {.buf = (uint64_t)(uintptr_t)buf, .buf_cap = sizeof(buf)};
		if (rae_ipc_receive(manager_names, &call, RAE_TIMEOUT_NEVER) != RAE_OK)
			continue;
		if (call.flags & RAE_MSG_ONEWAY) {
			for (uint32_t i = 0; i < call.handle_count; i++)
				rae_handle_close(call.handles[i]);
			continue;
		}
		rae_msg_t reply;
		names_dispatch(&names_handlers, NULL, &call, &reply);
		/* A caller gone meanwhile: the kernel closes the handle sent. */
		rae_ipc_reply(&reply);
	}
}
