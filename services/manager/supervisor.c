/* Starting services and keeping them running: each instance starts from the
 * initrd object (SPAWN_IMAGE) in the service's job with what its manifest
 * grants, and a thread per service waits for it to end and restarts it
 * with exponential backoff, as the manifest's restart policy says. */
#include <lib/format.h>

#include <rae_console.h>
#include "manager.h"

/* Handles a service can get at start: its endpoint, the name service, the
 * initrd, the root resource, its job, the console's devices, endpoints. */
#define START_HANDLES_MAX (5 + RAE_CONSOLE_RESOURCES_MAX + SVC_NAMES_MAX)

static volatile int svc_lock_word;
static volatile int spawn_lock_word;

static void spin_take(volatile int *word)
{
	while (__atomic_exchange_n(word, 1, __ATOMIC_ACQUIRE))
		rae_yield();
}

static void spin_give(volatile int *word)
{
	__atomic_store_n(word, 0, __ATOMIC_RELEASE);
}

void svc_lock(void)
{
	spin_take(&svc_lock_word);
}

void svc_unlock(void)
{
	spin_give(&svc_lock_word);
}

/* The role a granted endpoint arrives with: a well-known one for the
 * services that have one, else RAE_ROLE_PRIVATE + its place in the list. */
static uint16_t endpoint_role(const char *name, unsigned place)
{
	if (strcmp(name, "vfs") == 0)
		return RAE_ROLE_VFS;
	if (strcmp(name, "console") == 0)
		return RAE_ROLE_CONSOLE;
	return (uint16_t)(RAE_ROLE_PRIVATE + place);
}

static service_t *service_named(const char *name)
{
	for (unsigned i = 0; i < service_count; i++) {
		if (strcmp(services[i].m.name, name) == 0)
			return &services[i];
	}
	return NULL;
}

/* The handles s gets at start, made fresh for each instance (they move to
 * it). Returns how many, or an error after closing what it made. */
/* Records one handle start_handles made (st RAE_OK) or the first error. */
static void start_add(rae_status_t st, rae_handle_t made, uint16_t role, rae_handle_t *h,
		      uint16_t *roles, unsigned *n, rae_status_t *bad)
{
	if (st != RAE_OK) {
		if (*bad == RAE_OK)
			*bad = st;
		return;
	}
	h[*n] = made;
	roles[(*n)++] = role;
}

static int64_t start_handles(service_t *s, rae_handle_t *h, uint16_t *roles)
{
	rae_handle_t made, hw[RAE_CONSOLE_RESOURCES_MAX];
	uint16_t hw_roles[RAE_CONSOLE_RESOURCES_MAX];
	unsigned n = 0;
	rae_status_t st, bad = RAE_OK;
	/* DUPLICATE (and WRITE) so that the service can mint badged handles of
	 * its own endpoint (vfsd's sessions, consoled's children): a badge on
	 * its own endpoint only ever names a caller to the service itself. */
	st = rae_handle_dup(
	    s->endpoint,
	    RAE_RIGHT_READ | RAE_RIGHT_WRITE | RAE_RIGHT_DUPLICATE | RAE_RIGHT_TRANSFER, &made);
	start_add(st, made, RAE_ROLE_SERVE, h, roles, &n, &bad);
	/* Badged handles come with DUPLICATE, so that a service can pass them
	 * on to the programs it starts (a shell's commands): a copy keeps the
	 * badge, and HANDLE_MINT refuses a handle that carries one, so nobody
	 * can make another service's badge from it. */
#define BADGED_RIGHTS (RAE_RIGHT_WRITE | RAE_RIGHT_DUPLICATE | RAE_RIGHT_TRANSFER)
	st = rae_handle_mint(manager_names, BADGED_RIGHTS, s->id, &made);
	start_add(st, made, RAE_ROLE_SERVICES, h, roles, &n, &bad);
	if (s->m.grants & SVC_GRANT_INITRD) {
		st = rae_handle_dup(manager_initrd,
				    RAE_RIGHT_READ | RAE_RIGHT_MAP | RAE_RIGHT_TRANSFER, &made);
		start_add(st, made, RAE_ROLE_INITRD, h, roles, &n, &bad);
	}
	if (s->m.grants & SVC_GRANT_ROOT_RESOURCE) {
		st = rae_handle_dup(manager_root_resource,
				    RAE_RIGHT_MANAGE | RAE_RIGHT_DUPLICATE | RAE_RIGHT_TRANSFER,
				    &made);
		start_add(st, made, RAE_ROLE_ROOT_RESOURCE, h, roles, &n, &bad);
	}
	if (s->m.grants & SVC_GRANT_CONSOLE_HW) {
		int64_t got = rae_console_resources(manager_root_resource, hw, hw_roles);
		for (int64_t i = 0; i < got; i++)
			start_add(RAE_OK, hw[i], hw_roles[i], h, roles, &n, &bad);
		if (got < 0)
			start_add((rae_status_t)got, 0, 0, h, roles, &n, &bad);
	}
	if (s->m.grants & SVC_GRANT_JOB) {
		st = rae_handle_dup(s->job,
				    RAE_RIGHT_READ | RAE_RIGHT_MANAGE | RAE_RIGHT_DUPLICATE |
					RAE_RIGHT_TRANSFER,
				    &made);
		start_add(st, made, RAE_ROLE_JOB, h, roles, &n, &bad);
	}
	for (unsigned k = 0; k < s->m.endpoints.count; k++) {
		service_t *to = service_named(s->m.endpoints.names[k]);
		st = to ? rae_handle_mint(to->endpoint, BADGED_RIGHTS, s->id, &made)
			: RAE_ERR_NOT_FOUND;
		start_add(st, made, endpoint_role(s->m.endpoints.names[k], k), h, roles, &n, &bad);
	}
	if (bad != RAE_OK) {
		for (unsigned i = 0; i < n; i++)
			rae_handle_close(h[i]);
		return bad;
	}
	return (int64_t)n;
}

/* argv: the program's path, then the manifest's arguments split at spaces. */
static unsigned split_args(service_t *s, char *words, const char **argv, unsigned max)
{
	unsigned argc = 0;
	argv[argc++] = s->m.exec;
	memcpy(words, s->m.args, sizeof(s->m.args));
	for (char *at = words; *at && argc + 1 < max;) {
		argv[argc++] = at;
		char *space = strchr(at, ' ');
		if (!space)
			break;
		*space = '\0';
		at = space + 1;
	}
	argv[argc] = NULL;
	return argc;
}

rae_status_t service_start(service_t *s)
{
	rae_handle_t handles[START_HANDLES_MAX];
	uint16_t roles[START_HANDLES_MAX];
	/* Spawning is one at a time: rae_spawn_start packs into one buffer. */
	static char words[SVC_ARGS_MAX], env[16 + SVC_NAME_MAX];
	static const char *argv[SVC_ARGS_MAX / 2 + 2];
	spin_take(&spawn_lock_word);
	int64_t n = start_handles(s, handles, roles);
	rae_handle_t p = 0;
	rae_status_t st = n < 0 ? (rae_status_t)n : RAE_OK;
	if (st == RAE_OK) {
		split_args(s, words, argv, sizeof(argv) / sizeof(argv[0]));
		ksnprintf(env, sizeof(env), "RAE_SERVICE=%s", s->m.name);
		const char *const envp[] = {env, NULL};
		st = rae_spawn_start(manager_initrd, s->image_offset, s->image_size, s->m.name,
				     s->job, argv, envp, handles, roles, (unsigned)n, &p);
	}
	spin_give(&spawn_lock_word);
	if (st != RAE_OK)
		return st;
	int64_t pid = rae_process_id(p);
	svc_lock();
	s->process = p;
	s->pid = pid > 0 ? (uint64_t)pid : 0;
	s->started_ns = rae_clock_ns();
	s->state = RAE_SVC_RUNNING;
	svc_unlock();
	return RAE_OK;
}

static const char *exit_meaning(int status)
{
	switch (status) {
	case 0: return "success";
	case RAE_EXIT_KILLED_FAULT: return "killed for a fault";
	case RAE_EXIT_KILLED: return "killed";
	default: return status < 0 ? rae_status_name(status) : "failure";
	}
}

/* After an instance ended with status (or failed to start, status < 0):
 * whether to start another, and after how long. Updates the state. */
static bool restart_due(service_t *s, int status, const char *why, uint64_t lived_ns,
			uint64_t *delay_ns)
{
	const svc_manifest_t *m = &s->m;
	svc_lock();
	s->pid = 0;
	s->last_exit = status;
	if (lived_ns >= SVC_STABLE_NS)
		s->streak = 0;
	bool again =
	    !manager_shutting_down && (m->restart == SVC_RESTART_ALWAYS ||
				       (m->restart == SVC_RESTART_ON_FAILURE && status != 0));
	bool failed = again && s->streak >= m->max_restarts;
	uint64_t ms = m->backoff_ms;
	for (uint32_t i = 0; i < s->streak && ms < m->backoff_max_ms; i++)
		ms *= 2;
	if (ms > m->backoff_max_ms)
		ms = m->backoff_max_ms;
	s->state = failed ? RAE_SVC_FAILED : again ? RAE_SVC_BACKOFF : RAE_SVC_STOPPED;
	if (again && !failed)
		s->streak++;
	uint32_t streak = s->streak;
	svc_unlock();
	if (failed)
		say("%s failed: it ended %u times in a row (max-restarts %u), last status %#x (%s)",
		    m->name, streak + 1, m->max_restarts, (unsigned)status, why);
	else if (again)
		say("%s ended with status %#x (%s); restart %u in %llu ms", m->name,
		    (unsigned)status, why, streak, (unsigned long long)ms);
	else if (manager_shutting_down)
		say("%s ended with status %#x (%s): stopped for shutdown", m->name,
		    (unsigned)status, why);
	else
		say("%s ended with status %#x (%s); restart = %s: stopped", m->name,
		    (unsigned)status, why,
		    m->restart == SVC_RESTART_NEVER ? "never" : "on-failure");
	*delay_ns = ms * 1000000ull;
	return again && !failed;
}

static void supervise(uint64_t arg)
{
	service_t *s = (service_t *)(uintptr_t)arg;
	for (;;) {
		int status = -1;
		int64_t st = rae_wait(s->process, &status);
		/* Under the lock: RAE_SVC_KILL uses the handle while it runs. */
		svc_lock();
		rae_handle_close(s->process);
		s->process = RAE_HANDLE_INVALID;
		bool hung = s->hung; /* killed by its health check (health.c) */
		s->hung = false;
		svc_unlock();
		if (st != RAE_OK)
			status = (int)st;
		const char *why = hung && status == RAE_EXIT_KILLED
				      ? "killed: no answer to its health check"
				      : exit_meaning(status);
		uint64_t lived = rae_clock_ns() - s->started_ns, delay;
		while (restart_due(s, status, why, lived, &delay)) {
			rae_sleep_ns(delay);
			svc_lock();
			s->restarts++;
			s->state = RAE_SVC_STARTING;
			svc_unlock();
			rae_status_t started = service_start(s);
			if (started == RAE_OK) {
				say("restarted %s (pid %llu), restart %u", s->m.name,
				    (unsigned long long)s->pid, s->restarts);
				break;
			}
			say("%s: cannot start %s: %s", s->m.name, s->m.exec,
			    rae_status_name(started));
			status = started;
			why = exit_meaning(status);
			lived = 0;
		}
		if (s->process == RAE_HANDLE_INVALID)
			rae_thread_exit(0);
	}
}

rae_status_t service_supervise(service_t *s)
{
	rae_handle_t thread;
	return rae_thread_create(supervise, (uint64_t)(uintptr_t)s, 0, &thread);
}
