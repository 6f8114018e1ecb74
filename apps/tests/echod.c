/* bin/echod: a service for the service manager's tests (docs/services/
 * manager.md). It answers calls on the endpoint the manager gives it
 * (role RAE_ROLE_SERVE) by the protocol in echo.h, and crashes on request,
 * so that a test can watch the manager restart it. */
#include <rae.h>

#include "echo.h"

int main(uint64_t arg)
{
	static rae_startup_t s;
	static char buf[RAE_IPC_BUF_MAX];
	if (rae_startup_receive((rae_handle_t)arg, &s, 10000000000ull) != RAE_OK)
		return 1;
	rae_handle_t ep = rae_startup_take(&s, RAE_ROLE_SERVE);
	if (ep == RAE_HANDLE_INVALID) {
		rae_puts("echod: no endpoint to serve\n");
		return 1;
	}
	int64_t pid = rae_getpid();
	for (;;) {
		rae_msg_t m = {.buf = (uint64_t)(uintptr_t)buf, .buf_cap = sizeof(buf)};
		if (rae_ipc_receive(ep, &m, RAE_TIMEOUT_NEVER) != RAE_OK)
			continue;
		for (uint32_t i = 0; i < m.handle_count; i++)
			rae_handle_close(m.handles[i]);
		if (m.flags & RAE_MSG_ONEWAY)
			continue;
		if (m.tag == ECHO_CRASH) {
			rae_puts("echod: crashing on request\n");
			*(volatile int *)(uintptr_t)m.words[1] = 1; /* word 1 is 0 */
		}
		rae_msg_t r = {.tag = RAE_OK, .buf = m.buf, .buf_len = m.buf_len};
		if (m.tag == ECHO_PING) {
			r.words[0] = m.words[0] + 1;
			r.words[1] = (uint64_t)pid;
			r.words[2] = m.badge;
		} else {
			r.tag = (uint64_t)(int64_t)RAE_ERR_UNSUPPORTED;
			r.buf_len = 0;
		}
		rae_ipc_reply(&r);
	}
}
