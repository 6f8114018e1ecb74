/* The service manager's name service (services/manager, docs/services/
 * manager.md): how a process finds another service's endpoint and reads the
 * table of services. Every service gets a handle to it at start (role
 * RAE_ROLE_SERVICES) whose badge names the service, so the manager knows
 * who asks; a service's manifest says who may look it up. */
#ifndef RAE_SERVICES_H
#define RAE_SERVICES_H

#include <stdint.h>

/* Requests are IPC_CALLs on the name-service endpoint; the reply's tag is a
 * rae_status_t (sign-extended). */

/* LOOKUP: the buffer holds the service's name (1 to RAE_SVC_NAME_MAX - 1
 * bytes; a NUL, if any, ends it). Reply: RAE_OK with handle 0, a handle
 * to the service's endpoint (WRITE, DUPLICATE, TRANSFER) whose calls carry the
 * caller's badge to the service, and word 0 the service's id (1, 2...);
 * RAE_ERR_NOT_FOUND for an unknown name; RAE_ERR_ACCESS_DENIED when the
 * service's manifest does not list the caller as a client; RAE_ERR_INVALID
 * for a malformed name. The endpoint outlives the service's restarts: a
 * client keeps it and calls again. */
#define RAE_SVC_LOOKUP 1

/* LIST: word 0 is the index of the first service to report (0 first).
 * Reply: RAE_OK, the buffer holds rae_svc_info_t records in start order,
 * word 0 their count, word 1 the number of services in all. The caller's
 * buffer should have room for RAE_SVC_LIST_MAX records. */
#define RAE_SVC_LIST 2

/* KILL: the buffer holds a service's name, as for LOOKUP. The manager
 * kills the running instance; the service's restart policy then applies as
 * for any other end (restart = always brings it back). Reply: RAE_OK;
 * RAE_ERR_NOT_FOUND for an unknown name or a service with no running
 * instance; RAE_ERR_ACCESS_DENIED unless the service's manifest lists the
 * caller as an operator; RAE_ERR_INVALID for a malformed name. */
#define RAE_SVC_KILL 3

/* SHUTDOWN: no arguments. The manager stops every other service, the
 * last started first: from now on no service is restarted, each running
 * instance is killed and waited for (at most RAE_SVC_SHUTDOWN_WAIT_NS in
 * all). Reply: RAE_OK once they all ended (word 0: how many were
 * stopped), RAE_ERR_TIMED_OUT when some had not ended in time;
 * RAE_ERR_ACCESS_DENIED unless the caller's manifest grants `shutdown`
 * (the ACPI service, before it powers the machine off or resets it). The
 * caller itself keeps running and is not restarted when it ends. */
#define RAE_SVC_SHUTDOWN         4
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
