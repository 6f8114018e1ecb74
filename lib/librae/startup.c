/* Both ends of the start-up convention (abi/rae/startup.h): the creator
 * packs arguments, environment and named handles into one-way messages on
 * the child's first endpoint; the child unpacks them before main. */
#include <rae/bootstrap.h>
#include <rae_startup.h>

static size_t strings_size(const char *const *v, uint32_t *count)
{
	size_t bytes = 0;
	*count = 0;
	for (; v && v[*count]; (*count)++)
		bytes += rae_strlen(v[*count]) + 1;
	return bytes;
}

static char *strings_put(char *at, const char *const *v, uint32_t count)
{
	for (uint32_t i = 0; i < count; i++) {
		size_t n = rae_strlen(v[i]) + 1;
		memcpy(at, v[i], n);
		at += n;
	}
	return at;
}

rae_status_t rae_startup_send(rae_handle_t ep, const char *const *argv, const char *const *envp,
			      const rae_handle_t *handles, const uint16_t *roles, unsigned n,
			      uint64_t timeout_ns)
{
	static char buf[RAE_IPC_BUF_MAX];
	uint32_t argc, envc;
	size_t bytes = 8 + strings_size(argv, &argc) + strings_size(envp, &envc);
	if (bytes > sizeof(buf) || argc + envc > RAE_STARTUP_STRINGS_MAX ||
	    n > RAE_STARTUP_HANDLES_MAX)
		return RAE_ERR_RANGE;
	memcpy(buf, &argc, 4);
	memcpy(buf + 4, &envc, 4);
	strings_put(strings_put(buf + 8, argv, argc), envp, envc);

	unsigned sent = 0, index = 0;
	do {
		rae_msg_t m = {.tag = RAE_STARTUP_TAG};
		unsigned k = n - sent < RAE_IPC_HANDLES_MAX ? n - sent : RAE_IPC_HANDLES_MAX;
		m.words[RAE_STARTUP_WORD_INDEX] = index;
		m.words[RAE_STARTUP_WORD_FLAGS] = sent + k < n ? RAE_STARTUP_MORE : 0;
		for (unsigned i = 0; i < k; i++) {
			m.handles[i] = handles[sent + i];
			m.words[RAE_STARTUP_WORD_ROLES] |= (uint64_t)roles[sent + i] << (16 * i);
		}
		m.handle_count = k;
		if (index == 0) {
			m.buf = (uint64_t)(uintptr_t)buf;
			m.buf_len = (uint32_t)bytes;
		}
		int64_t st = rae_ipc_send(ep, &m, timeout_ns);
		if (st != RAE_OK)
			return (rae_status_t)st;
		sent += k;
		index++;
	} while (sent < n);
	return RAE_OK;
}

/* Unpacks message 0's buffer into s->argv and s->envp. */
static rae_status_t startup_strings(rae_startup_t *s, uint32_t len)
{
	uint32_t argc, envc;
	if (len < 8)
		return RAE_ERR_TRUNCATED;
	memcpy(&argc, s->strings, 4);
	memcpy(&envc, s->strings + 4, 4);
	if (argc > RAE_STARTUP_STRINGS_MAX || envc > RAE_STARTUP_STRINGS_MAX - argc)
		return RAE_ERR_RANGE;
	char *at = s->strings + 8, *end = s->strings + len;
	for (uint32_t i = 0; i < argc + envc; i++) {
		char *nul = at;
		while (nul < end && *nul)
			nul++;
		if (nul == end)
			return RAE_ERR_TRUNCATED; /* every string ends inside the buffer */
		s->pointers[i + (i >= argc)] = at;
		at = nul + 1;
	}
	/* The C runtime's own options ("--rae-...": lib/posix/inherit.h) go
	 * to s->options, after the environment, so that no program sees them
	 * among its arguments. */
	char **options = s->pointers + argc + envc + 2;
	uint32_t kept = 0, nopt = 0;
	for (uint32_t i = 0; i < argc; i++) {
		char *a = s->pointers[i];
		if (i > 0 && memcmp(a, RAE_STARTUP_RUNTIME_PREFIX,
				    sizeof(RAE_STARTUP_RUNTIME_PREFIX) - 1) == 0)
			options[nopt++] = a;
		else
			s->pointers[kept++] = a;
	}
	options[nopt] = NULL;
	s->argc = (int)kept;
	s->argv = s->pointers;
	s->argv[kept] = NULL;
	s->envp = s->pointers + argc + 1;
	s->envp[envc] = NULL;
	s->options = options;
	return RAE_OK;
}

rae_status_t rae_startup_receive(rae_handle_t ep, rae_startup_t *s, uint64_t timeout_ns)
{
	memset(s, 0, sizeof(*s));
	s->argv = s->pointers; /* empty lists until message 0 fills them */
	s->envp = s->pointers;
	s->options = s->pointers;
	rae_status_t st = RAE_OK;
	for (uint64_t index = 0;; index++) {
		rae_msg_t m = {0};
		if (index == 0) {
			m.buf = (uint64_t)(uintptr_t)s->strings;
			m.buf_cap = sizeof(s->strings);
		}
		int64_t r = rae_ipc_receive(ep, &m, timeout_ns);
		if (r != RAE_OK)
			return (rae_status_t)r;
		if (!(m.flags & RAE_MSG_ONEWAY)) {
			/* A call, not the convention: refuse it, keep waiting. */
			rae_msg_t no = {.tag = (uint64_t)RAE_ERR_INVALID};
			rae_ipc_reply(&no);
			for (uint32_t i = 0; i < m.handle_count; i++)
				rae_handle_close(m.handles[i]);
			index--;
			continue;
		}
		if (m.tag != RAE_STARTUP_TAG || m.words[RAE_STARTUP_WORD_INDEX] != index)
			st = RAE_ERR_INVALID;
		else if (index == 0)
			st = startup_strings(s, m.buf_len);
		for (uint32_t i = 0; i < m.handle_count; i++) {
			uint16_t role = (uint16_t)(m.words[RAE_STARTUP_WORD_ROLES] >> (16 * i));
			if (st == RAE_OK && s->handle_count < RAE_STARTUP_HANDLES_MAX) {
				s->handles[s->handle_count] = m.handles[i];
				s->roles[s->handle_count++] = role;
			} else {
				rae_handle_close(m.handles[i]);
			}
		}
		if (st != RAE_OK || !(m.words[RAE_STARTUP_WORD_FLAGS] & RAE_STARTUP_MORE))
			break;
	}
	rae_handle_close(ep);
	return st;
}

rae_handle_t rae_startup_take(rae_startup_t *s, uint16_t role)
{
	for (unsigned i = 0; i < s->handle_count; i++) {
		if (s->roles[i] == role && s->handles[i] != RAE_HANDLE_INVALID) {
			rae_handle_t h = s->handles[i];
			s->handles[i] = RAE_HANDLE_INVALID;
			return h;
		}
	}
	return RAE_HANDLE_INVALID;
}

rae_status_t rae_spawn_start(rae_handle_t image, uint64_t offset, uint64_t size, const char *name,
			     rae_handle_t job, const char *const *argv, const char *const *envp,
			     const rae_handle_t *handles, const uint16_t *roles, unsigned n,
			     rae_handle_t *proc)
{
	rae_handle_t ep, child_end, p;
	rae_status_t st = rae_endpoint_create(&ep);
	if (st != RAE_OK)
		return st;
	st = rae_handle_dup(ep, RAE_RIGHT_READ | RAE_RIGHT_TRANSFER, &child_end);
	if (st != RAE_OK) {
		rae_handle_close(ep);
		return st;
	}
	st = image ? rae_spawn_image(image, offset, size, name, child_end, job, &p)
		   : rae_spawn_with(name, child_end, job, &p);
	/* The child's end left this process either way (docs/syscalls.md). */
	if (st != RAE_OK) {
		rae_handle_close(ep);
		return st;
	}
	st = rae_startup_send(ep, argv, envp, handles, roles, n, RAE_STARTUP_TIMEOUT_NS);
	rae_handle_close(ep);
	if (st != RAE_OK) {
		rae_kill(p);
		rae_handle_close(p);
		return st;
	}
	*proc = p;
	return RAE_OK;
}

rae_handle_t rae_startup_handle(const rae_startup_t *s, uint16_t role)
{
	for (unsigned i = 0; i < s->handle_count; i++) {
		if (s->roles[i] == role && s->handles[i] != RAE_HANDLE_INVALID)
			return s->handles[i];
	}
	return RAE_HANDLE_INVALID;
}

const char *rae_startup_option(const rae_startup_t *s, const char *name)
{
	size_t n = rae_strlen(name);
	for (int i = 0; i < s->argc; i++) {
		if (memcmp(s->argv[i], name, n) == 0 && s->argv[i][n] == '=')
			return s->argv[i] + n + 1;
	}
	for (char **o = s->options; o && *o; o++) {
		if (memcmp(*o, name, n) == 0 && (*o)[n] == '=')
			return *o + n + 1;
	}
	return NULL;
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
