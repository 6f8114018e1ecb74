/* bin/hangd: a service for the service manager's health-check test
 * (docs/services/manager.md, "Health checks"). It answers the manager's
 * pings (RAE_SVC_PING) and counts them, until a request makes it slow for
 * a while, deadlock or spin forever (hang.h); the manager must then kill
 * and restart it, and leave it alone when it is merely slow. */
#include <rae.h>
#include <rae/services.h>

#include "hang.h"

#define MS 1000000ull

int main(uint64_t arg)
{
	static rae_startup_t s;
	if (rae_startup_receive((rae_handle_t)arg, &s, 10000000000ull) != RAE_OK)
		return 1;
	rae_handle_t ep = rae_startup_take(&s, RAE_ROLE_SERVE);
	if (ep == RAE_HANDLE_INVALID) {
		rae_puts("hangd: no endpoint to serve\n");
		return 1;
	}
	int64_t pid = rae_getpid();
	uint64_t pings = 0;
	for (;;) {
		rae_msg_t m = {0};
		if (rae_ipc_receive(ep, &m, RAE_TIMEOUT_NEVER) != RAE_OK)
			continue;
		for (uint32_t i = 0; i < m.handle_count; i++)
			rae_handle_close(m.handles[i]);
		if (m.flags & RAE_MSG_ONEWAY)
			continue;
		rae_msg_t r = {.tag = RAE_OK};
		switch (m.tag) {
		case RAE_SVC_PING:
			pings++;
			r.words[0] = m.words[0];
			break;
		case HANG_STATUS:
			r.words[0] = pings;
			r.words[1] = (uint64_t)pid;
			break;
		case HANG_SLOW: rae_sleep_ns(m.words[0] * MS); break;
		case HANG_DEADLOCK: {
			rae_printf("hangd: deadlocking on request (pid %lld)\n", (long long)pid);
			rae_handle_t never = RAE_HANDLE_INVALID;
			rae_notify_create(&never);
			for (;;)
				rae_notify_wait(never > 0 ? never : ep, RAE_TIMEOUT_NEVER);
		}
		case HANG_SPIN:
			rae_printf("hangd: spinning on request (pid %lld)\n", (long long)pid);
			rae_ipc_reply(&r);
			for (volatile uint64_t n = 0;; n++)
				;
		default: r.tag = (uint64_t)(int64_t)RAE_ERR_UNSUPPORTED; break;
		}
		rae_ipc_reply(&r);
	}
}
