/* The service manager's name service (services/manager, docs/services/
 * manager.md): how a process finds another service's endpoint and reads the
 * table of services. Every service gets a handle to it at start (role
 * RAE_ROLE_SERVICES) whose badge names the service, so the manager knows
 * who asks; a service's manifest says who may look it up. */
#ifndef RAE_SERVICES_H
#define RAE_SERVICES_H

#include <stdint.h>

/* The requests (LOOKUP, LIST, KILL, SHUTDOWN), their numbers and layouts
 * are declared in services/contracts/names.contract; the build generates
 * <rae/names_contract.h> from it (docs/contracts/names.md). */

/* How long SHUTDOWN waits in all for the services it stops. */
#define RAE_SVC_SHUTDOWN_WAIT_NS 5000000000ull

/* PING: the health check. Not a name-service request: the manager calls it
 * on a service's own endpoint (docs/services/manager.md, "Health checks"),
 * for the services whose manifest declares health-interval-ms. Every
 * service should answer it from its receive loop at once, before anything
 * that can block and whoever the caller is: reply tag RAE_OK, word 0 the
 * call's word 0; it changes no state. Any reply counts as an answer (a
 * server that does not know the tag and refuses it is alive too); no reply
 * within the manifest's health-deadline-ms gets the instance killed and
 * restarted. The value lies above every protocol's tags, so no request is
 * ever taken for a ping or a ping for a request. */
#define RAE_SVC_PING 0xffff0001u

#define RAE_SVC_NAME_MAX 32 /* with the NUL */

/* A service's state. */
#define RAE_SVC_STARTING 0 /* being started */
#define RAE_SVC_RUNNING  1 /* an instance runs */
#define RAE_SVC_STOPPED  2 /* it ended and its restart policy keeps it down */
#define RAE_SVC_FAILED   3 /* never started (dependency, image), or crashed too often */
#define RAE_SVC_BACKOFF  4 /* it ended; restarts after a delay */

typedef struct rae_svc_info {
	char name[RAE_SVC_NAME_MAX]; /* NUL-terminated */
	uint32_t state;              /* RAE_SVC_* */
	uint32_t restarts;           /* times it was started again after ending */
	uint64_t pid;                /* of the running instance; 0 when none runs */
	uint64_t uptime_ns;          /* since the running instance started; 0 when none */
	int32_t last_exit;           /* status of the last instance that ended; -1: none yet */
	uint32_t hangs;              /* instances killed for not answering the health check */
} rae_svc_info_t;

#define RAE_SVC_LIST_MAX 64 /* records that fit one reply (RAE_IPC_BUF_MAX bytes) */

static inline const char *rae_svc_state_name(uint32_t state)
{
	switch (state) {
	case RAE_SVC_STARTING: return "starting";
	case RAE_SVC_RUNNING: return "running";
	case RAE_SVC_STOPPED: return "stopped";
	case RAE_SVC_FAILED: return "failed";
	case RAE_SVC_BACKOFF: return "backoff";
	default: return "?";
	}
}

#endif
