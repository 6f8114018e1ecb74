/* Calls to the service manager's name service (rae_services.h), through
 * the stubs generated from services/contracts/names.contract. */
#include <rae_services.h>

rae_status_t rae_service_lookup(rae_handle_t svc, const char *name, rae_handle_t *ep,
				uint64_t timeout_ns)
{
	size_t len = strnlen(name, RAE_SVC_NAME_MAX);
	if (len == 0 || len >= RAE_SVC_NAME_MAX)
		return RAE_ERR_INVALID;
	names_lookup_reply_t rep = {0};
	int64_t st = names_lookup_call(
	    svc, timeout_ns, &(names_lookup_request_t){.name = name, .name_len = (uint32_t)len},
	    &rep);
	if (st < 0)
		return (rae_status_t)st;
	*ep = rep.endpoint;
	return RAE_OK;
}

int64_t rae_service_list(rae_handle_t svc, unsigned first, rae_svc_info_t *out, unsigned max,
			 unsigned *total, uint64_t timeout_ns)
{
	names_list_reply_t rep = {.services = out,
				  .services_cap = max > RAE_SVC_LIST_MAX ? RAE_SVC_LIST_MAX : max};
	int64_t st =
	    names_list_call(svc, timeout_ns, &(names_list_request_t){.first = first}, &rep);
	if (st < 0)
		return st;
	for (uint32_t i = 0; i < rep.services_count; i++)
		out[i].name[RAE_SVC_NAME_MAX - 1] = '\0'; /* whatever came, names end */
	if (total)
		*total = rep.total;
	return (int64_t)rep.services_count;
}

rae_status_t rae_service_kill(rae_handle_t svc, const char *name, uint64_t timeout_ns)
{
	size_t len = strnlen(name, RAE_SVC_NAME_MAX);
	if (len == 0 || len >= RAE_SVC_NAME_MAX)
		return RAE_ERR_INVALID;
	names_kill_reply_t rep = {0};
	return (rae_status_t)names_kill_call(
	    svc, timeout_ns, &(names_kill_request_t){.name = name, .name_len = (uint32_t)len},
	    &rep);
}

rae_status_t rae_service_shutdown(rae_handle_t svc, uint64_t *stopped, uint64_t timeout_ns)
{
	names_shutdown_reply_t rep = {0};
	int64_t st = names_shutdown_call(svc, timeout_ns, &(names_shutdown_request_t){0}, &rep);
	if (st == RAE_OK && stopped)
		*stopped = rep.stopped;
	return (rae_status_t)st;
}
