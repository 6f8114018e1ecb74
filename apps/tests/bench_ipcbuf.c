/* Message-path IPC round trips on one CPU: a call carrying a 4 KiB buffer
 * (copied once, into the receiver's buffer), and a call moving a handle to
 * the server, which moves it back in its reply. Measured by the caller
 * with the TSC (guest instructions under -icount). With an argument it is
 * the server half. */
#include <stdbool.h>
#include <rae.h>

#define SAMPLES 10000
#define BUF     4096

static uint64_t samples[SAMPLES];
static uint8_t buf[BUF];

static void serve(rae_handle_t ep)
{
	rae_msg_t r, *reply = 0; /* nothing to answer before the first call */
	for (;;) {
		rae_msg_t m = {.buf = (uint64_t)(uintptr_t)buf, .buf_cap = BUF};
		if (rae_ipc_reply_recv(ep, reply, &m, RAE_TIMEOUT_NEVER) != RAE_OK)
			rae_exit(1);
		/* The reply carries the check word and any handle back. */
		r = (rae_msg_t){.tag = m.tag, .words = {m.buf_len ? buf[m.buf_len - 1] : 0}};
		if (m.handle_count == 1) {
			r.handle_count = 1;
			r.handles[0] = m.handles[0];
		}
		reply = &r;
		if (m.tag == RAE_BENCH_STOP) {
			rae_ipc_reply(&r);
			rae_exit(0);
		}
	}
}

static int run(rae_handle_t ep, bool with_buffer, rae_handle_t *moving)
{
	for (int i = -100; i < SAMPLES; i++) { /* the first 100: warm-up */
		buf[BUF - 1] = (uint8_t)i;
		rae_msg_t m = {.tag = 1};
		if (with_buffer) {
			m.buf = (uint64_t)(uintptr_t)buf;
			m.buf_len = BUF;
		} else {
			m.handle_count = 1;
			m.handles[0] = *moving;
		}
		uint64_t t0 = rae_rdtsc();
		int64_t st = rae_ipc_call(ep, &m, RAE_TIMEOUT_NEVER);
		uint64_t t1 = rae_rdtsc();
		if (st != RAE_OK)
			return 1;
		if (with_buffer && m.words[0] != (uint8_t)i)
			return 2;
		if (!with_buffer) {
			if (m.handle_count != 1)
				return 3;
			*moving = m.handles[0];
		}
		if (i >= 0)
			samples[i] = t1 - t0;
	}
	return 0;
}

int main(uint64_t arg)
{
	rae_set_affinity(1); /* both halves on CPU 0 */
	if (arg)
		serve((rae_handle_t)arg);
	int64_t ep = rae_sys_endpoint_create();
	int64_t moving = rae_sys_notify_create();
	rae_handle_t give =
	    (rae_handle_t)rae_sys_handle_dup((rae_handle_t)ep, RAE_RIGHT_READ | RAE_RIGHT_TRANSFER);
	int64_t server = rae_sys_spawn_with("bin/bench_ipcbuf", give, 0);
	if (ep < 0 || moving < 0 || server < 0)
		return 1;
	int rc = run((rae_handle_t)ep, true, NULL);
	if (rc)
		return 10 + rc;
	rae_bench_report("user_ipc_call_reply_4k_buffer", samples, SAMPLES);
	rae_handle_t h = (rae_handle_t)moving;
	rc = run((rae_handle_t)ep, false, &h);
	if (rc)
		return 20 + rc;
	rae_bench_report("user_ipc_call_reply_with_handle", samples, SAMPLES);
	rae_msg_t m = {.tag = RAE_BENCH_STOP};
	rae_ipc_call((rae_handle_t)ep, &m, RAE_TIMEOUT_NEVER);
	rae_wait(server, 0);
	return 0;
}
