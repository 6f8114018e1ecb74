/* Calls to the service manager's name service (rae_services.h). */
#include <rae_services.h>

rae_status_t rae_service_lookup(rae_handle_t svc, const char *name, rae_handle_t *ep,
				uint64_t timeout_ns)
{
	size_t len = strnlen(name, RAE_SVC_NAME_MAX);
	if (len == 0 || len >= RAE_SVC_NAME_MAX)
		return RAE_ERR_INVALID;
	rae_msg_t m = {
	    .tag = RAE_SVC_LOOKUP, .buf = (uint64_t)(uintptr_t)name, .buf_len = (uint32_t)len};
	int64_t st = rae_ipc_call(svc, &m, timeout_ns);
	if (st != RAE_OK)
		return (rae_status_t)st;
	st = (rae_status_t)(int64_t)m.tag;
	if (st == RAE_OK && m.handle_count != 1)
		st = RAE_ERR_INVALID;
	if (st != RAE_OK) {
		for (uint32_t i = 0; i < m.handle_count; i++)
			rae_handle_close(m.handles[i]);
		return (rae_status_t)st;
	}
	*ep = m.handles[0];
	return RAE_OK;
}

int64_t rae_service_list(rae_handle_t svc, unsigned first, rae_svc_info_t *out, unsigned max,
			 unsigned *total, uint64_t timeout_ns)
{
	if (max > RAE_SVC_LIST_MAX)
		max = RAE_SVC_LIST_MAX;
	rae_msg_t m = {.tag = RAE_SVC_LIST,
		       .buf = (uint64_t)(uintptr_t)out,
		       .buf_cap = max * (uint32_t)sizeof(*out)};
	m.words[0] = first;
	int64_t st = rae_ipc_call(svc, &m, timeout_ns);
	if (st != RAE_OK)
		return st;
	for (uint32_t i = 0; i < m.handle_count; i++)
		rae_handle_close(m.handles[i]);
	if ((rae_status_t)(int64_t)m.tag != RAE_OK)
		return (rae_status_t)(int64_t)m.tag;
	uint64_t n = m.buf_len / sizeof(*out);
	if (n > m.words[0])
		n = m.words[0];
	for (uint64_t i = 0; i < n; i++)
		out[i].name[RAE_SVC_NAME_MAX - 1] = '\0'; /* whatever came, names end */
	if (total)
		*total = (unsigned)m.words[1];
	return (int64_t)n;
}

rae_status_t rae_service_kill(rae_handle_t svc, const char *name, uint64_t timeout_ns)
{
	size_t len = strnlen(name, RAE_SVC_NAME_MAX);
	if (len == 0 || len >= RAE_SVC_NAME_MAX)
		return RAE_ERR_INVALID;
	rae_msg_t m = {
	    .tag = RAE_SVC_KILL, .buf = (uint64_t)(uintptr_t)name, .buf_len = (uint32_t)len};
	int64_t st = rae_ipc_call(svc, &m, timeout_ns);
	for (uint32_t i = 0; i < m.handle_count; i++)
		rae_handle_close(m.handles[i]);
	return st != RAE_OK ? (rae_status_t)st : (rae_status_t)(int64_t)m.tag;
}

rae_status_t rae_service_shutdown(rae_handle_t svc, uint64_t *stopped, uint64_t timeout_ns)
{
	rae_msg_t m = {.tag = RAE_SVC_SHUTDOWN};
	int64_t st = rae_ipc_call(svc, &m, timeout_ns);
	for (uint32_t i = 0; i < m.handle_count; i++)
		rae_handle_close(m.handles[i]);
	if (st != RAE_OK)
		return (rae_status_t)st;
	if (stopped)
		*stopped = m.words[0];
	return (rae_status_t)(int64_t)m.tag;
}
