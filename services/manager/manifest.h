/* Service manifests: the text files (etc/services/<name>.svc) that tell the
 * service manager what to start, with what, and who may reach it; and the
 * start plan built from them (dependency order, cycles, missing names).
 * Pure code: no system calls, so the host tests run it as it is
 * (tests/services/manager/). The format is in docs/services/manager.md. */
#ifndef SERVICES_MANAGER_MANIFEST_H
#define SERVICES_MANAGER_MANIFEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <rae/services.h>
#include <rae/status.h>

#define SVC_NAME_MAX      RAE_SVC_NAME_MAX
#define SVC_EXEC_MAX      128 /* an initrd path, with its NUL */
#define SVC_ARGS_MAX      256 /* the arguments after argv[0], with the NUL */
#define SVC_NAMES_MAX     8   /* names in one needs, clients or grants list */
#define SVC_LINE_MAX      512 /* bytes of one manifest line */
#define SVC_MANIFEST_MAX  16384
#define SVC_WHY_MAX       160
#define SVC_CLIENTS_EVERY "*"

typedef enum {
	SVC_RESTART_ALWAYS,     /* whenever it ends */
	SVC_RESTART_ON_FAILURE, /* when it ends with a status other than 0 (crashes included) */
	SVC_RESTART_NEVER,
} svc_restart_t;

/* What a manifest's grants may name besides other services' endpoints. */
#define SVC_GRANT_INITRD        0x1  /* the initrd memory object, read-only */
#define SVC_GRANT_ROOT_RESOURCE 0x2  /* the root resource: drivers only */
#define SVC_GRANT_JOB           0x4  /* the service's own job, to start children in */
#define SVC_GRANT_CONSOLE_HW    0x8  /* resources for exactly the console's devices */
#define SVC_GRANT_SHUTDOWN      0x10 /* may ask for RAE_SVC_SHUTDOWN (the ACPI service) */

enum { SVC_LIMIT_PROCESSES, SVC_LIMIT_THREADS, SVC_LIMIT_PAGES, SVC_LIMIT_HANDLES, SVC_LIMITS };

typedef struct {
	char names[SVC_NAMES_MAX][SVC_NAME_MAX];
	unsigned count;
} svc_names_t;

typedef struct {
	char name[SVC_NAME_MAX];
	char exec[SVC_EXEC_MAX];
	char args[SVC_ARGS_MAX]; /* words separated by one space; "" for none */
	svc_names_t needs;       /* started before this one */
	svc_names_t clients;     /* services that may look it up; "*": every one */
	svc_names_t operators;   /* services that may kill it (RAE_SVC_KILL) */
	svc_names_t endpoints;   /* services whose endpoints it is given at start */
	uint32_t grants;         /* SVC_GRANT_* */
	svc_restart_t restart;
	uint32_t max_restarts; /* restarts in a row before it is marked failed */
	uint64_t backoff_ms;   /* before the first restart; doubles each time */
	uint64_t backoff_max_ms;
	uint64_t limits[SVC_LIMITS]; /* of the service's job */
	/* The health check: a RAE_SVC_PING on its endpoint this often (0: no
	 * health check), and how long the ping may wait for its answer before
	 * the instance is killed as hung. */
	uint64_t health_interval_ms;
	uint64_t health_deadline_ms;
} svc_manifest_t;

/* Defaults for what a manifest leaves out. */
#define SVC_DEFAULT_MAX_RESTARTS       5
#define SVC_DEFAULT_BACKOFF_MS         100
#define SVC_DEFAULT_BACKOFF_MAX_MS     5000
#define SVC_DEFAULT_PROCESSES          8
#define SVC_DEFAULT_THREADS            64
#define SVC_DEFAULT_PAGES              16384 /* 64 MiB */
#define SVC_DEFAULT_HANDLES            256
#define SVC_DEFAULT_HEALTH_DEADLINE_MS 2000

typedef struct {
	unsigned line; /* 1-based; 0 when the problem is the manifest as a whole */
	char message[SVC_WHY_MAX];
} svc_error_t;

/*
 * Parses the len bytes of text into *m. Returns RAE_OK, or RAE_ERR_INVALID
 * with *err naming the first problem's line and what is wrong (unknown or
 * repeated key, malformed value, a line that is not "key = value", a NUL
 * byte, a line longer than SVC_LINE_MAX, no name or exec). *m is only
 * meaningful on RAE_OK.
 */
rae_status_t svc_manifest_parse(const char *text, size_t len, svc_manifest_t *m, svc_error_t *err);

/* True if the manifest lets service `client` look it up. */
bool svc_manifest_allows(const svc_manifest_t *m, const char *client);
/* Whether `caller` may kill its running instance (key operators). */
bool svc_manifest_operated_by(const svc_manifest_t *m, const char *caller);

/* What the plan decided for one service. */
typedef struct {
	bool blocked;          /* not to be started */
	char why[SVC_WHY_MAX]; /* when blocked: a missing name, a cycle, a blocked dependency */
} svc_plan_t;

/*
 * Plans the start of the n services whose manifests m[] points to: writes to order[] the indexes of those
 * that can start, each after everything it needs, and returns how many.
 * A service that needs (or is granted the endpoint of) a name no manifest
 * defines, one on a dependency cycle, and one that needs a blocked service
 * are blocked, with the reason in plan[i].why ("dependency cycle: a -> b ->
 * a"). plan[] comes in filled: services the caller knows cannot start
 * (their program is missing) blocked already, the rest not. n is at most
 * RAE_SVC_LIST_MAX.
 */
unsigned svc_plan_order(const svc_manifest_t *const *m, unsigned n, unsigned *order,
			svc_plan_t *plan);

#endif
