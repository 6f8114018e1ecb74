/* libFuzzer entry point for the decoders and dispatchers the contract
 * generator writes (build/gen/contracts/<name>_server.c): any bytes make one
 * received call (number, words, handle count, buffer); decoding must never
 * read outside the buffer, whatever it accepts must lie within its bounds,
 * and dispatching must close every received handle exactly once. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <rae/console_contract.h>
#include <rae/names_contract.h>
#include <rae/vfs_contract.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static unsigned closed[RAE_IPC_HANDLES_MAX + 1];

rae_status_t rae_handle_close(rae_handle_t h);
rae_status_t rae_handle_close(rae_handle_t h)
{
	if (h == 0 || h > RAE_IPC_HANDLES_MAX)
		abort(); /* never a handle the call did not carry */
	closed[h]++;
	return RAE_OK;
}

static void inside(const void *p, size_t len, const uint8_t *buf, size_t buf_len)
{
	if (len && ((const uint8_t *)p < buf || (const uint8_t *)p + len > buf + buf_len))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* 1 byte protocol, 1 byte number, 1 byte handles, 32 bytes of words. */
	if (size < 35 || size - 35 > RAE_IPC_BUF_MAX)
		return 0;
	uint8_t *buf = malloc(size - 35 ? size - 35 : 1); /* exactly: ASan sees overreads */
	memcpy(buf, data + 35, size - 35);
	rae_msg_t m = {.tag = data[1] < 0xf0 ? data[1] % 24 : RAE_SVC_PING,
		       .buf = (uint64_t)(uintptr_t)buf,
		       .buf_len = (uint32_t)(size - 35),
		       .handle_count = data[2] % (RAE_IPC_HANDLES_MAX + 1),
		       .badge = 1};
	memcpy(m.words, data + 3, sizeof(m.words));
	for (uint32_t i = 0; i < m.handle_count; i++)
		m.handles[i] = i + 1;
	uint32_t handles = m.handle_count;
	memset(closed, 0, sizeof(closed));
	rae_msg_t r;
	switch (data[0] % 3) {
	case 0: {
		vfs_request_t q;
		if (vfs_decode(&m, &q) == RAE_OK) {
			if (q.number == RAE_VFS_RENAME) {
				inside(q.u.rename.from, q.u.rename.from_len, buf, m.buf_len);
				inside(q.u.rename.to, q.u.rename.to_len, buf, m.buf_len);
				if (q.u.rename.from_len > RAE_VFS_PATH_MAX ||
				    q.u.rename.to_len > RAE_VFS_PATH_MAX ||
				    memchr(q.u.rename.from, 0, q.u.rename.from_len))
					abort();
			}
			if (q.number == RAE_VFS_WRITE)
				inside(q.u.write.data, q.u.write.data_len, buf, m.buf_len);
		}
		static const vfs_handlers_t none = {0};
		vfs_dispatch(&none, NULL, &m, &r);
		break;
	}
	case 1: {
		console_request_t q;
		if (console_decode(&m, &q) == RAE_OK && q.number == RAE_CONSOLE_WRITE)
			inside(q.u.write.data, q.u.write.data_len, buf, m.buf_len);
		static const console_handlers_t none = {0};
		console_dispatch(&none, NULL, &m, &r);
		break;
	}
	default: {
		names_request_t q;
		if (names_decode(&m, &q) == RAE_OK && q.number == RAE_SVC_LOOKUP) {
			inside(q.u.lookup.name, q.u.lookup.name_len, buf, m.buf_len);
			if (q.u.lookup.name_len == 0 || q.u.lookup.name_len >= RAE_SVC_NAME_MAX)
				abort();
		}
		static const names_handlers_t none = {0};
		names_dispatch(&none, NULL, &m, &r);
		break;
	}
	}
	for (uint32_t i = 1; i <= RAE_IPC_HANDLES_MAX; i++) {
		if (closed[i] != (i <= handles ? 1u : 0u))
			abort();
	}
	if ((int64_t)r.tag < 0 && (r.handle_count || r.buf_len))
		abort(); /* an error reply carries nothing */
	free(buf);
	return 0;
}
