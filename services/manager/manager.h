/* rae-servicemgr, the first user process: what its parts share. main.c
 * reads the manifests and starts the services, supervisor.c keeps them
 * running, names.c answers the name service (abi/rae/services.h). */
#ifndef SERVICES_MANAGER_MANAGER_H
#define SERVICES_MANAGER_MANAGER_H

#include <rae.h>
#include <rae/services.h>

#include "manifest.h"

/* An instance that ran this long before it ended starts a new restart
 * streak: its backoff and its count toward max-restarts begin again. */
#define SVC_STABLE_NS 10000000000ull

typedef struct {
	svc_manifest_t m;
	uint32_t id;                       /* index + 1: the badge its handles carry */
	uint64_t image_offset, image_size; /* its program in the initrd */
	rae_handle_t endpoint; /* every right; the service gets READ, clients WRITE; it outlives
				  the service's restarts */
	rae_handle_t job;      /* the job its instances run in */
	rae_handle_t process;  /* the running instance; set and closed under svc_lock */
	/* Guarded by svc_lock: */
	uint32_t state; /* RAE_SVC_* */
	uint32_t restarts;
	uint32_t streak; /* restarts since the last instance that ran SVC_STABLE_NS */
	uint64_t pid;
	uint64_t started_ns;
	int32_t last_exit;
	uint32_t hangs; /* instances killed for not answering the health check */
	bool hung;      /* the running instance was killed as hung: says why it ended */
} service_t;

/* Set (under svc_lock) by RAE_SVC_SHUTDOWN: no service is restarted from
 * then on. */
extern bool manager_shutting_down;

/* The service table, filled by main before anything runs; the fields
 * outside svc_lock's comment never change afterwards. */
extern service_t services[RAE_SVC_LIST_MAX];
extern unsigned service_count;

/* What the kernel gave the manager (abi/rae/bootstrap.h). */
extern rae_handle_t manager_initrd;
extern rae_handle_t manager_root_resource;
extern rae_handle_t manager_names; /* the name-service endpoint, every right */

/* Guards the fields of service_t that change while services run. A
 * spinning lock that yields: the manager's threads hold it for a few
 * stores at a time. */
void svc_lock(void);
void svc_unlock(void);

/* One console line: "servicemgr: " and the formatted text, in one write. */
#define say(fmt, ...) rae_printf("servicemgr: " fmt "\n", ##__VA_ARGS__)

/* Starts an instance of s (its state RUNNING on success). Returns RAE_OK
 * or the error of whatever failed (the instance is not running then). */
rae_status_t service_start(service_t *s);

/* Supervises s from its first instance on (a thread of its own): waits for
 * each instance to end and restarts it as its manifest says. */
rae_status_t service_supervise(service_t *s);

/* Starts the health check of s (a thread of its own) when its manifest
 * declares one (health-interval-ms); RAE_OK when it declares none. The
 * thread pings each running instance and kills one that does not answer
 * by the deadline; the supervisor then restarts it (health.c). */
rae_status_t service_watch_health(service_t *s);

/* Answers name-service calls on manager_names; never returns. */
__attribute__((noreturn)) void names_serve(void);

#endif
