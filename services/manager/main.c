/* rae-servicemgr, the first user process (bin/init): takes the kernel's
 * bootstrap call (root resource, initrd, command line), reads the service
 * manifests from the initrd, starts the services in dependency order and
 * then serves the name service while a thread per service supervises it.
 * docs/services/manager.md describes what it does for a service. */
#include <lib/format.h>
#include <lib/ustar.h>
#include <rae/boot_info.h>
#include <rae/bootstrap.h>

#include "manager.h"

#define DEFAULT_DIRS "etc/services"
#define DIRS_MAX     8
#define PATH_MAX     128

service_t services[RAE_SVC_LIST_MAX];
unsigned service_count;
rae_handle_t manager_initrd;
rae_handle_t manager_root_resource;
rae_handle_t manager_names;

static const uint8_t *initrd_base;
static size_t initrd_bytes;

/* The kernel's call: root resource, initrd, command line. Answered at once,
 * so the kernel finishes booting while the services start. */
static rae_status_t bootstrap(rae_handle_t ep, char *cmdline, size_t cap)
{
	rae_msg_t m = {.buf = (uint64_t)(uintptr_t)cmdline, .buf_cap = (uint32_t)cap - 1};
	int64_t st = rae_ipc_receive(ep, &m, RAE_TIMEOUT_NEVER);
	if (st != RAE_OK)
		return (rae_status_t)st;
	cmdline[m.buf_len] = '\0';
	rae_msg_t reply = {.tag = RAE_OK};
	if (m.tag != RAE_BOOTSTRAP_TAG || m.handle_count != RAE_BOOTSTRAP_HANDLES) {
		reply.tag = (uint64_t)(int64_t)RAE_ERR_INVALID;
		rae_ipc_reply(&reply);
		return RAE_ERR_INVALID;
	}
	manager_root_resource = m.handles[RAE_BOOTSTRAP_ROOT_RESOURCE];
	manager_initrd = m.handles[RAE_BOOTSTRAP_INITRD];
	initrd_bytes = m.words[RAE_BOOTSTRAP_WORD_INITRD_BYTES];
	rae_ipc_reply(&reply);
	rae_handle_close(ep);
	int64_t at = rae_mem_map(manager_initrd, RAE_PROT_READ);
	if (at < 0)
		return (rae_status_t)at;
	initrd_base = (const uint8_t *)(uintptr_t)at;
	return RAE_OK;
}

/* The manifest directories: services=DIR[,DIR...] on the kernel command
 * line, else DEFAULT_DIRS. Returns how many, each NUL-terminated in dirs. */
static unsigned manifest_dirs(const char *cmdline, char dirs[DIRS_MAX][PATH_MAX])
{
	static char value[BOOT_INFO_CMDLINE_MAX];
	const char *v = DEFAULT_DIRS;
	for (const char *at = cmdline; *at;) {
		while (*at == ' ')
			at++;
		const char *word = at;
		while (*at && *at != ' ')
			at++;
		if (at - word > 9 && strncmp(word, "services=", 9) == 0) {
			size_t len = (size_t)(at - word - 9);
			memcpy(value, word + 9, len);
			value[len] = '\0';
			v = value;
		}
	}
	unsigned n = 0;
	while (*v && n < DIRS_MAX) {
		const char *comma = strchr(v, ',');
		size_t len = comma ? (size_t)(comma - v) : strlen(v);
		while (len && v[len - 1] == '/')
			len--;
		if (len && len < PATH_MAX - 1) {
			memcpy(dirs[n], v, len);
			dirs[n++][len] = '\0';
		}
		v += comma ? (size_t)(comma - v) + 1 : strlen(v);
	}
	return n;
}

/* The directories for a message, "a, b". */
static const char *cmdline_dirs_text(char dirs[DIRS_MAX][PATH_MAX], unsigned n)
{
	static char text[DIRS_MAX * PATH_MAX];
	size_t at = 0;
	text[0] = '\0';
	for (unsigned i = 0; i < n && at < sizeof(text); i++)
		at +=
		    (size_t)ksnprintf(text + at, sizeof(text) - at, "%s%s", i ? ", " : "", dirs[i]);
	return text;
}

/* An archive member's name without a leading "./". */
static const char *entry_path(const ustar_entry_t *e)
{
	return e->name[0] == '.' && e->name[1] == '/' ? e->name + 2 : e->name;
}

static bool is_file(const ustar_entry_t *e)
{
	return e->type == '0' || e->type == '\0';
}

/* The regular file at path in the initrd. */
static bool initrd_find(const char *path, uint64_t *offset, uint64_t *size)
{
	ustar_reader_t r;
	ustar_entry_t e;
	ustar_reader_init(&r, initrd_base, initrd_bytes);
	while (ustar_next(&r, &e) == RAE_OK) {
		if (is_file(&e) && strcmp(entry_path(&e), path) == 0) {
			*offset = e.data ? (uint64_t)((const uint8_t *)e.data - initrd_base) : 0;
			*size = e.size;
			return true;
		}
	}
	return false;
}

/* Whether path is DIR/NAME.svc, directly in dir. */
static bool is_manifest_in(const char *path, const char *dir)
{
	size_t dl = strlen(dir), pl = strlen(path);
	if (strncmp(path, dir, dl) != 0 || path[dl] != '/' || pl < dl + 1 + 5)
		return false;
	return strchr(path + dl + 1, '/') == NULL && strcmp(path + pl - 4, ".svc") == 0;
}

static void load_manifest(const ustar_entry_t *e, unsigned *skipped)
{
	const char *path = entry_path(e);
	service_t *s = &services[service_count];
	svc_error_t err;
	if (service_count == RAE_SVC_LIST_MAX) {
		say("%s: more than %d services; skipped", path, RAE_SVC_LIST_MAX);
		(*skipped)++;
		return;
	}
	if (svc_manifest_parse(e->data, e->size, &s->m, &err) != RAE_OK) {
		if (err.line)
			say("%s:%u: %s; skipped", path, err.line, err.message);
		else
			say("%s: %s; skipped", path, err.message);
		(*skipped)++;
		return;
	}
	for (unsigned i = 0; i < service_count; i++) {
		if (strcmp(services[i].m.name, s->m.name) == 0) {
			say("%s: service '%s' is defined twice; skipped", path, s->m.name);
			(*skipped)++;
			return;
		}
	}
	s->id = ++service_count;
	s->last_exit = -1;
}

/* Every manifest in the directories, in directory order, then archive
 * (name) order. Returns how many were skipped. */
static unsigned load_manifests(char dirs[DIRS_MAX][PATH_MAX], unsigned ndirs)
{
	unsigned skipped = 0;
	for (unsigned d = 0; d < ndirs; d++) {
		ustar_reader_t r;
		ustar_entry_t e;
		ustar_reader_init(&r, initrd_base, initrd_bytes);
		while (ustar_next(&r, &e) == RAE_OK) {
			if (is_file(&e) && is_manifest_in(entry_path(&e), dirs[d]))
				load_manifest(&e, &skipped);
		}
		if (r.status != RAE_ERR_END)
			say("the initrd is damaged: %s", r.error);
	}
	return skipped;
}

/* The endpoint, job and program of a service; blocked in plan, with the
 * reason, when it cannot have them. */
static void prepare(service_t *s, svc_plan_t *plan)
{
	const svc_manifest_t *m = &s->m;
	rae_status_t ep_st = rae_endpoint_create(&s->endpoint);
	rae_status_t job_st =
	    rae_job_create(0, m->limits[SVC_LIMIT_PROCESSES], m->limits[SVC_LIMIT_THREADS],
			   m->limits[SVC_LIMIT_PAGES], m->limits[SVC_LIMIT_HANDLES], &s->job);
	plan->blocked = true;
	if (ep_st != RAE_OK || job_st != RAE_OK)
		ksnprintf(plan->why, sizeof(plan->why), "no endpoint or job: %s",
			  rae_status_name(ep_st != RAE_OK ? ep_st : job_st));
	else if (!initrd_find(m->exec, &s->image_offset, &s->image_size))
		ksnprintf(plan->why, sizeof(plan->why), "its program %s is not in the initrd",
			  m->exec);
	else
		plan->blocked = false;
}

/* Starts the planned services in order; a service whose dependency did
 * not start does not start either. Returns how many started. */
static unsigned start_all(const unsigned *order, unsigned n)
{
	unsigned started = 0;
	for (unsigned o = 0; o < n; o++) {
		service_t *s = &services[order[o]];
		const char *down = NULL;
		for (unsigned k = 0; k < s->m.needs.count && !down; k++) {
			for (unsigned i = 0; i < service_count; i++) {
				if (strcmp(services[i].m.name, s->m.needs.names[k]) == 0 &&
				    services[i].state == RAE_SVC_FAILED)
					down = services[i].m.name;
			}
		}
		if (down) {
			s->state = RAE_SVC_FAILED;
			say("%s not started: needs '%s', which failed to start", s->m.name, down);
			continue;
		}
		rae_status_t st = service_start(s);
		if (st == RAE_OK)
			st = service_supervise(s);
		if (st != RAE_OK) {
			if (s->process) { /* started, but nobody could supervise it */
				rae_kill(s->process);
				rae_handle_close(s->process);
				s->process = RAE_HANDLE_INVALID;
			}
			s->state = RAE_SVC_FAILED;
			say("%s: cannot start %s: %s", s->m.name, s->m.exec, rae_status_name(st));
			continue;
		}
		say("started %s (pid %llu)", s->m.name, (unsigned long long)s->pid);
		st = service_watch_health(s);
		if (st != RAE_OK) /* it runs and is supervised, only not pinged */
			say("%s: no health check: %s", s->m.name, rae_status_name(st));
		started++;
	}
	return started;
}

int main(uint64_t arg)
{
	static char cmdline[BOOT_INFO_CMDLINE_MAX + 1];
	static char dirs[DIRS_MAX][PATH_MAX];
	static svc_plan_t plan[RAE_SVC_LIST_MAX];
	static unsigned order[RAE_SVC_LIST_MAX];
	rae_status_t st = bootstrap((rae_handle_t)arg, cmdline, sizeof(cmdline));
	if (st != RAE_OK) {
		say("no bootstrap from the kernel: %s", rae_status_name(st));
		return 1;
	}
	st = rae_endpoint_create(&manager_names);
	if (st != RAE_OK) {
		say("no name-service endpoint: %s", rae_status_name(st));
		return 1;
	}

	unsigned ndirs = manifest_dirs(cmdline, dirs);
	unsigned skipped = load_manifests(dirs, ndirs);
	for (unsigned i = 0; i < service_count; i++)
		prepare(&services[i], &plan[i]);
	static const svc_manifest_t *manifests[RAE_SVC_LIST_MAX];
	for (unsigned i = 0; i < service_count; i++)
		manifests[i] = &services[i].m;
	unsigned n = svc_plan_order(manifests, service_count, order, plan);
	for (unsigned i = 0; i < service_count; i++) {
		if (plan[i].blocked) {
			services[i].state = RAE_SVC_FAILED;
			say("%s not started: %s", services[i].m.name, plan[i].why);
		}
	}
	unsigned started = start_all(order, n);
	if (!service_count)
		say("no services in %s", cmdline_dirs_text(dirs, ndirs));
	say("%u of %u services started; manifests skipped: %u", started, service_count, skipped);
	names_serve();
}
