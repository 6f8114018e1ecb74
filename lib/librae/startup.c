/* The start-up convention (abi/rae/startup.h): arguments, environment and
 * named handles sent with IPC_SEND over the child's start endpoint. */
#include <rae/bootstrap.h>
#include <rae_startup.h>

static void startup_close_all(rae_startup_t *s)
{
	for (uint32_t i = 0; i < s->handle_count; i++)
		rae_handle_close(s->handles[i]);
	s->handle_count = 0;
}

/* Splits message 0's buffer into argv and envp; false if malformed. */
static int startup_parse_strings(rae_startup_t *s, uint32_t len)
{
	if (len < 8)
		return 0;
	uint32_t argc, envc;
	memcpy(&argc, s->strings, 4);
	memcpy(&envc, s->strings + 4, 4);
	if (argc > RAE_STARTUP_STRINGS_MAX || envc > RAE_STARTUP_STRINGS_MAX ||
	    argc + envc > RAE_STARTUP_STRINGS_MAX)
		return 0;
	uint32_t at = 8;
	for (uint32_t i = 0; i < argc + envc; i++) {
		uint32_t start = at;
		while (at < len && s->strings[at])
			at++;
		if (at == len)
			return 0; /* a string without its NUL */
		if (i < argc)
			s->argv[i] = s->strings + start;
		else
			s->envp[i - argc] = s->strings + start;
		at++;
	}
	s->argc = argc;
	s->envc = envc;
	return 1;
}

rae_status_t rae_startup_receive(rae_handle_t ep, rae_startup_t *s, uint64_t timeout_ns)
{
	s->argc = s->envc = s->handle_count = 0;
	for (uint64_t index = 0;; index++) {
		rae_msg_t m = {0};
		if (index == 0) {
			m.buf = (uint64_t)(uintptr_t)s->strings;
			m.buf_cap = sizeof(s->strings);
		}
		rae_status_t st = (rae_status_t)rae_ipc_receive(ep, &m, timeout_ns);
		if (st != RAE_OK) {
			startup_close_all(s);
			return st;
		}
		int ok = m.tag == RAE_STARTUP_TAG && m.words[RAE_STARTUP_WORD_INDEX] == index &&
			 s->handle_count + m.handle_count <= RAE_STARTUP_HANDLES_MAX &&
			 (index > 0 || startup_parse_strings(s, m.buf_len));
		for (uint32_t i = 0; i < m.handle_count; i++) {
			if (ok) {
				s->roles[s->handle_count] =
				    (uint16_t)(m.words[RAE_STARTUP_WORD_ROLES] >> (16 * i));
				s->handles[s->handle_count++] = m.handles[i];
			} else {
				rae_handle_close(m.handles[i]);
			}
		}
		rae_msg_t none = {0};
		rae_ipc_reply(&none); /* owed only if it came as a call */
		if (!ok) {
			startup_close_all(s);
			return RAE_ERR_INVALID;
		}
		if (!(m.words[RAE_STARTUP_WORD_FLAGS] & RAE_STARTUP_MORE))
			return RAE_OK;
	}
}

rae_handle_t rae_startup_handle(const rae_startup_t *s, uint16_t role)
{
	for (uint32_t i = 0; i < s->handle_count; i++) {
		if (s->roles[i] == role)
			return s->handles[i];
	}
	return RAE_HANDLE_INVALID;
}

const char *rae_startup_option(const rae_startup_t *s, const char *name)
{
	size_t n = rae_strlen(name);
	for (uint32_t i = 0; i < s->argc; i++) {
		if (memcmp(s->argv[i], name, n) == 0 && s->argv[i][n] == '=')
			return s->argv[i] + n + 1;
	}
	return NULL;
}

/* Appends count strings to buf at *at; false when they do not fit. */
static int startup_pack(char *buf, uint32_t *at, const char *const *v, uint32_t count)
{
	for (uint32_t i = 0; i < count; i++) {
		size_t n = rae_strlen(v[i]) + 1;
		if (n > RAE_IPC_BUF_MAX - *at)
			return 0;
		memcpy(buf + *at, v[i], n);
		*at += (uint32_t)n;
	}
	return 1;
}

rae_status_t rae_startup_send(rae_handle_t ep, const char *const *argv, uint32_t argc,
			      const char *const *envp, uint32_t envc, const rae_handle_t *handles,
			      const uint16_t *roles, uint32_t count, uint64_t timeout_ns)
{
	static char buf[RAE_IPC_BUF_MAX];
	if (argc > RAE_STARTUP_STRINGS_MAX || envc > RAE_STARTUP_STRINGS_MAX - argc ||
	    count > RAE_STARTUP_HANDLES_MAX)
		return RAE_ERR_RANGE;
	memcpy(buf, &argc, 4);
	memcpy(buf + 4, &envc, 4);
	uint32_t len = 8;
	if (!startup_pack(buf, &len, argv, argc) || !startup_pack(buf, &len, envp, envc))
		return RAE_ERR_RANGE;
	uint32_t sent = 0;
	for (uint64_t index = 0;; index++) {
		rae_msg_t m = {.tag = RAE_STARTUP_TAG};
		m.words[RAE_STARTUP_WORD_INDEX] = index;
		if (index == 0) {
			m.buf = (uint64_t)(uintptr_t)buf;
			m.buf_len = len;
		}
		while (sent < count && m.handle_count < RAE_IPC_HANDLES_MAX) {
			m.words[RAE_STARTUP_WORD_ROLES] |= (uint64_t)roles[sent]
							   << (16 * m.handle_count);
			m.handles[m.handle_count++] = handles[sent++];
		}
		if (sent < count)
			m.words[RAE_STARTUP_WORD_FLAGS] = RAE_STARTUP_MORE;
		rae_status_t st = (rae_status_t)rae_ipc_send(ep, &m, timeout_ns);
		if (st != RAE_OK)
			return st;
		if (sent == count)
			return RAE_OK;
	}
}

rae_status_t rae_bootstrap_receive(rae_handle_t ep, rae_handle_t *root, rae_handle_t *initrd,
				   uint64_t *initrd_bytes)
{
	rae_msg_t m = {0};
	rae_status_t st = (rae_status_t)rae_ipc_receive(ep, &m, RAE_TIMEOUT_NEVER);
	if (st != RAE_OK)
		return st;
	rae_msg_t r = {0};
	rae_ipc_reply(&r);
	if (m.tag != RAE_BOOTSTRAP_TAG || m.handle_count != RAE_BOOTSTRAP_HANDLES) {
		for (uint32_t i = 0; i < m.handle_count; i++)
			rae_handle_close(m.handles[i]);
		return RAE_ERR_INVALID;
	}
	*root = m.handles[RAE_BOOTSTRAP_ROOT_RESOURCE];
	*initrd = m.handles[RAE_BOOTSTRAP_INITRD];
	*initrd_bytes = m.words[RAE_BOOTSTRAP_WORD_INITRD_BYTES];
	return RAE_OK;
}
