/* The client side of the service manager's name service
 * (abi/rae/services.h, lib/librae/services.c). A service finds its handle
 * to the name service with rae_startup_take(&s, RAE_ROLE_SERVICES). */
#ifndef RAE_SERVICES_CLIENT_H
#define RAE_SERVICES_CLIENT_H

#include <rae.h>
#include <rae/services.h>
#include <rae/names_contract.h>

/* Asks the name service `svc` for the endpoint of the service `name`;
 * on RAE_OK *ep is a handle (WRITE, TRANSFER) the caller owns. Otherwise
 * the service's status (RAE_ERR_NOT_FOUND, RAE_ERR_ACCESS_DENIED,
 * RAE_ERR_INVALID) or the call's (RAE_ERR_TIMED_OUT when the manager did
 * not take the call within timeout_ns). */
rae_status_t rae_service_lookup(rae_handle_t svc, const char *name, rae_handle_t *ep,
				uint64_t timeout_ns);

/* Reads up to max service records, from the first-th on, into out;
 * *total (may be NULL) gets the number of services. Returns the number of
 * records read, or an error. */
int64_t rae_service_list(rae_handle_t svc, unsigned first, rae_svc_info_t *out, unsigned max,
			 unsigned *total, uint64_t timeout_ns);

/* Asks the manager to kill service `name`'s running instance (the caller
 * must be one of its operators); its restart policy then applies. */
rae_status_t rae_service_kill(rae_handle_t svc, const char *name, uint64_t timeout_ns);

/* Asks the manager to stop every other service and restart none
 * (RAE_SVC_SHUTDOWN; the caller's manifest must grant `shutdown`). On
 * RAE_OK *stopped (may be NULL) is how many were stopped. timeout_ns
 * bounds the wait for the manager to take the call; the manager itself
 * waits at most RAE_SVC_SHUTDOWN_WAIT_NS for the services to end. */
rae_status_t rae_service_shutdown(rae_handle_t svc, uint64_t *stopped, uint64_t timeout_ns);

#endif
