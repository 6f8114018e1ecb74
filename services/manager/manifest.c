/* The manifest parser: "key = value" lines, every value checked, the first
 * problem reported with its line (docs/services/manager.md). */
#include "manifest.h"

#include <stdarg.h>
#include <string.h>

#include <lib/format.h>

typedef enum {
	KEY_NAME,
	KEY_EXEC,
	KEY_ARGS,
	KEY_NEEDS,
	KEY_GRANTS,
	KEY_CLIENTS,
	KEY_OPERATORS,
	KEY_RESTART,
	KEY_MAX_RESTARTS,
	KEY_BACKOFF_MS,
	KEY_BACKOFF_MAX_MS,
	KEY_MAX_PROCESSES,
	KEY_MAX_THREADS,
	KEY_MAX_PAGES,
	KEY_MAX_HANDLES,
	KEY_HEALTH_INTERVAL_MS,
	KEY_HEALTH_DEADLINE_MS,
	KEY_COUNT
} svc_key_t;

static const char *const key_names[KEY_COUNT] = {
    [KEY_NAME] = "name",
    [KEY_EXEC] = "exec",
    [KEY_ARGS] = "args",
    [KEY_NEEDS] = "needs",
    [KEY_GRANTS] = "grants",
    [KEY_CLIENTS] = "clients",
    [KEY_OPERATORS] = "operators",
    [KEY_RESTART] = "restart",
    [KEY_MAX_RESTARTS] = "max-restarts",
    [KEY_BACKOFF_MS] = "backoff-ms",
    [KEY_BACKOFF_MAX_MS] = "backoff-max-ms",
    [KEY_MAX_PROCESSES] = "max-processes",
    [KEY_MAX_THREADS] = "max-threads",
    [KEY_MAX_PAGES] = "max-pages",
    [KEY_MAX_HANDLES] = "max-handles",
    [KEY_HEALTH_INTERVAL_MS] = "health-interval-ms",
    [KEY_HEALTH_DEADLINE_MS] = "health-deadline-ms",
};

/* A piece of the manifest text: not NUL-terminated. */
typedef struct {
	const char *s;
	size_t len;
} span_t;

static rae_status_t fail(svc_error_t *err, unsigned line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static rae_status_t fail(svc_error_t *err, unsigned line, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	err->line = line;
	kvsnprintf(err->message, sizeof(err->message), fmt, ap);
	va_end(ap);
	return RAE_ERR_INVALID;
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

/* The first c in v, or NULL. */
static const char *span_find(span_t v, char c)
{
	for (size_t i = 0; i < v.len; i++) {
		if (v.s[i] == c)
			return v.s + i;
	}
	return NULL;
}

static span_t trim(span_t v)
{
	while (v.len && is_space(v.s[0])) {
		v.s++;
		v.len--;
	}
	while (v.len && is_space(v.s[v.len - 1]))
		v.len--;
	return v;
}

static bool span_is(span_t v, const char *word)
{
	return v.len == strlen(word) && memcmp(v.s, word, v.len) == 0;
}

/* A service name: 1-31 of [a-z0-9_-], starting with a letter or digit. */
static bool name_valid(span_t v)
{
	if (v.len == 0 || v.len >= SVC_NAME_MAX || v.s[0] == '-' || v.s[0] == '_')
		return false;
	for (size_t i = 0; i < v.len; i++) {
		char c = v.s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_'))
			return false;
	}
	return true;
}

static void span_copy(char *dst, span_t v)
{
	memcpy(dst, v.s, v.len);
	dst[v.len] = '\0';
}

/* The next word of a list separated by commas and blanks; false at the end. */
static bool next_word(span_t *rest, span_t *word)
{
	size_t i = 0;
	while (i < rest->len && (is_space(rest->s[i]) || rest->s[i] == ','))
		i++;
	size_t start = i;
	while (i < rest->len && !is_space(rest->s[i]) && rest->s[i] != ',')
		i++;
	word->s = rest->s + start;
	word->len = i - start;
	rest->s += i;
	rest->len -= i;
	return word->len != 0;
}

static bool names_have(const svc_names_t *n, const char *name)
{
	for (unsigned i = 0; i < n->count; i++) {
		if (strcmp(n->names[i], name) == 0)
			return true;
	}
	return false;
}

static rae_status_t names_add(svc_names_t *n, span_t word, const char *key, unsigned line,
			      svc_error_t *err)
{
	char name[SVC_NAME_MAX];
	if (!span_is(word, SVC_CLIENTS_EVERY) || strcmp(key, "clients") != 0) {
		if (!name_valid(word))
			return fail(err, line, "%s: '%.*s' is not a service name", key,
				    (int)(word.len < 40 ? word.len : 40), word.s);
	}
	span_copy(name, word);
	if (names_have(n, name))
		return fail(err, line, "%s: '%s' named twice", key, name);
	if (n->count == SVC_NAMES_MAX)
		return fail(err, line, "%s: more than %d names", key, SVC_NAMES_MAX);
	memcpy(n->names[n->count++], name, sizeof(name));
	return RAE_OK;
}

static rae_status_t parse_names(svc_names_t *n, span_t v, const char *key, unsigned line,
				svc_error_t *err)
{
	span_t word;
	while (next_word(&v, &word)) {
		rae_status_t st = names_add(n, word, key, line, err);
		if (st != RAE_OK)
			return st;
	}
	return RAE_OK;
}

static rae_status_t parse_grants(svc_manifest_t *m, span_t v, unsigned line, svc_error_t *err)
{
	span_t word;
	while (next_word(&v, &word)) {
		uint32_t bit = span_is(word, "initrd")            ? SVC_GRANT_INITRD
			       : span_is(word, "root-resource")   ? SVC_GRANT_ROOT_RESOURCE
			       : span_is(word, "job")             ? SVC_GRANT_JOB
			       : span_is(word, "console-devices") ? SVC_GRANT_CONSOLE_HW
			       : span_is(word, "shutdown")        ? SVC_GRANT_SHUTDOWN
								  : 0;
		if (bit && (m->grants & bit))
			return fail(err, line, "grants: '%.*s' named twice", (int)word.len, word.s);
		m->grants |= bit;
		if (!bit) {
			/* Anything else is the name of a service whose endpoint it gets. */
			rae_status_t st = names_add(&m->endpoints, word, "grants", line, err);
			if (st != RAE_OK)
				return st;
		}
	}
	return RAE_OK;
}

/* A decimal number in [min, max]. */
static rae_status_t parse_number(span_t v, uint64_t min, uint64_t max, const char *key,
				 unsigned line, uint64_t *out, svc_error_t *err)
{
	uint64_t n = 0;
	if (v.len == 0)
		return fail(err, line, "%s: a number is needed", key);
	for (size_t i = 0; i < v.len; i++) {
		char c = v.s[i];
		if (c < '0' || c > '9')
			return fail(err, line, "%s: '%.*s' is not a number", key,
				    (int)(v.len < 40 ? v.len : 40), v.s);
		if (n > (UINT64_MAX - 9) / 10)
			return fail(err, line, "%s: number too large", key);
		n = n * 10 + (uint64_t)(c - '0');
	}
	if (n < min || n > max)
		return fail(err, line, "%s: %llu is outside %llu..%llu", key, (unsigned long long)n,
			    (unsigned long long)min, (unsigned long long)max);
	*out = n;
	return RAE_OK;
}

/* An initrd path: printable, no blanks, relative, no "..". */
static rae_status_t parse_exec(svc_manifest_t *m, span_t v, unsigned line, svc_error_t *err)
{
	if (v.len == 0 || v.len >= SVC_EXEC_MAX)
		return fail(err, line, "exec: a path of 1 to %d bytes is needed", SVC_EXEC_MAX - 1);
	for (size_t i = 0; i < v.len; i++) {
		if (v.s[i] <= ' ' || v.s[i] > '~')
			return fail(err, line, "exec: the path holds a blank or control character");
		if (v.s[i] == '.' && i + 1 < v.len && v.s[i + 1] == '.')
			return fail(err, line, "exec: the path may not hold '..'");
	}
	if (v.s[0] == '/')
		return fail(err, line, "exec: the path is relative to the initrd's root");
	span_copy(m->exec, v);
	return RAE_OK;
}

/* Arguments: printable words, stored separated by one space. */
static rae_status_t parse_args(svc_manifest_t *m, span_t v, unsigned line, svc_error_t *err)
{
	size_t at = 0;
	span_t word;
	for (size_t i = 0; i < v.len; i++) {
		if ((unsigned char)v.s[i] < ' ' && !is_space(v.s[i]))
			return fail(err, line, "args: control character");
	}
	while (v.len) {
		size_t i = 0;
		while (i < v.len && is_space(v.s[i]))
			i++;
		word.s = v.s + i;
		while (i < v.len && !is_space(v.s[i]))
			i++;
		word.len = (size_t)(v.s + i - word.s);
		v.s += i;
		v.len -= i;
		if (!word.len)
			break;
		if (at + (at ? 1 : 0) + word.len >= SVC_ARGS_MAX)
			return fail(err, line, "args: longer than %d bytes", SVC_ARGS_MAX - 1);
		if (at)
			m->args[at++] = ' ';
		memcpy(m->args + at, word.s, word.len);
		at += word.len;
	}
	m->args[at] = '\0';
	return RAE_OK;
}

static rae_status_t parse_value(svc_manifest_t *m, svc_key_t key, span_t v, unsigned line,
				svc_error_t *err)
{
	static const uint64_t limit_max[SVC_LIMITS] = {1024, 4096, 1u << 20, 1u << 20};
	const char *k = key_names[key];
	uint64_t n;
	rae_status_t st = RAE_OK;
	switch (key) {
	case KEY_NAME:
		if (!name_valid(v))
			return fail(err, line,
				    "name: 1 to %d of a-z, 0-9, '-', '_', starting with a letter "
				    "or digit",
				    SVC_NAME_MAX - 1);
		span_copy(m->name, v);
		return RAE_OK;
	case KEY_EXEC: return parse_exec(m, v, line, err);
	case KEY_ARGS: return parse_args(m, v, line, err);
	case KEY_NEEDS: return parse_names(&m->needs, v, k, line, err);
	case KEY_CLIENTS: return parse_names(&m->clients, v, k, line, err);
	case KEY_OPERATORS: return parse_names(&m->operators, v, k, line, err);
	case KEY_GRANTS: return parse_grants(m, v, line, err);
	case KEY_RESTART:
		if (span_is(v, "always"))
			m->restart = SVC_RESTART_ALWAYS;
		else if (span_is(v, "on-failure"))
			m->restart = SVC_RESTART_ON_FAILURE;
		else if (span_is(v, "never"))
			m->restart = SVC_RESTART_NEVER;
		else
			return fail(err, line, "restart: 'always', 'on-failure' or 'never'");
		return RAE_OK;
	case KEY_MAX_RESTARTS:
		st = parse_number(v, 0, 1000000, k, line, &n, err);
		m->max_restarts = (uint32_t)n;
		return st;
	case KEY_BACKOFF_MS: return parse_number(v, 1, 3600000, k, line, &m->backoff_ms, err);
	case KEY_BACKOFF_MAX_MS:
		return parse_number(v, 1, 3600000, k, line, &m->backoff_max_ms, err);
	case KEY_HEALTH_INTERVAL_MS:
		return parse_number(v, 100, 3600000, k, line, &m->health_interval_ms, err);
	case KEY_HEALTH_DEADLINE_MS:
		return parse_number(v, 10, 600000, k, line, &m->health_deadline_ms, err);
	default: {
		unsigned which = (unsigned)(key - KEY_MAX_PROCESSES);
		return parse_number(v, 1, limit_max[which], k, line, &m->limits[which], err);
	}
	}
}

static void manifest_defaults(svc_manifest_t *m)
{
	memset(m, 0, sizeof(*m));
	m->restart = SVC_RESTART_ON_FAILURE;
	m->max_restarts = SVC_DEFAULT_MAX_RESTARTS;
	m->backoff_ms = SVC_DEFAULT_BACKOFF_MS;
	m->backoff_max_ms = SVC_DEFAULT_BACKOFF_MAX_MS;
	m->limits[SVC_LIMIT_PROCESSES] = SVC_DEFAULT_PROCESSES;
	m->limits[SVC_LIMIT_THREADS] = SVC_DEFAULT_THREADS;
	m->limits[SVC_LIMIT_PAGES] = SVC_DEFAULT_PAGES;
	m->limits[SVC_LIMIT_HANDLES] = SVC_DEFAULT_HANDLES;
	m->health_deadline_ms = SVC_DEFAULT_HEALTH_DEADLINE_MS;
}

/* One line, comments and blank lines already skipped. */
static rae_status_t parse_line(svc_manifest_t *m, span_t l, unsigned line, unsigned *seen_at,
			       svc_error_t *err)
{
	const char *eq = span_find(l, '=');
	if (!eq)
		return fail(err, line, "expected 'key = value'");
	span_t key = trim((span_t){l.s, (size_t)(eq - l.s)});
	span_t value = trim((span_t){eq + 1, l.len - (size_t)(eq - l.s) - 1});
	svc_key_t k = KEY_COUNT;
	for (unsigned i = 0; i < KEY_COUNT; i++) {
		if (span_is(key, key_names[i]))
			k = (svc_key_t)i;
	}
	if (k == KEY_COUNT)
		return fail(err, line, "unknown key '%.*s'", (int)(key.len < 40 ? key.len : 40),
			    key.s);
	if (seen_at[k])
		return fail(err, line, "'%s' given twice (first on line %u)", key_names[k],
			    seen_at[k]);
	seen_at[k] = line;
	return parse_value(m, k, value, line, err);
}

rae_status_t svc_manifest_parse(const char *text, size_t len, svc_manifest_t *m, svc_error_t *err)
{
	unsigned seen_at[KEY_COUNT] = {0};
	manifest_defaults(m);
	err->line = 0;
	err->message[0] = '\0';
	if (len > SVC_MANIFEST_MAX)
		return fail(err, 0, "longer than %d bytes", SVC_MANIFEST_MAX);
	unsigned line = 0;
	for (size_t at = 0; at < len;) {
		const char *nl = span_find((span_t){text + at, len - at}, '\n');
		size_t end = nl ? (size_t)(nl - text) : len;
		span_t l = {text + at, end - at};
		at = end + 1;
		line++;
		if (span_find(l, '\0'))
			return fail(err, line, "NUL byte");
		if (l.len > SVC_LINE_MAX)
			return fail(err, line, "line longer than %d bytes", SVC_LINE_MAX);
		l = trim(l);
		if (l.len == 0 || l.s[0] == '#')
			continue;
		rae_status_t st = parse_line(m, l, line, seen_at, err);
		if (st != RAE_OK)
			return st;
	}
	if (!seen_at[KEY_NAME])
		return fail(err, 0, "no 'name'");
	if (!seen_at[KEY_EXEC])
		return fail(err, 0, "no 'exec'");
	if (m->backoff_max_ms < m->backoff_ms)
		return fail(err, seen_at[KEY_BACKOFF_MAX_MS] ? seen_at[KEY_BACKOFF_MAX_MS] : 0,
			    "backoff-max-ms: %llu is below backoff-ms %llu",
			    (unsigned long long)m->backoff_max_ms,
			    (unsigned long long)m->backoff_ms);
	if (seen_at[KEY_HEALTH_DEADLINE_MS] && !seen_at[KEY_HEALTH_INTERVAL_MS])
		return fail(err, seen_at[KEY_HEALTH_DEADLINE_MS],
			    "health-deadline-ms: no health-interval-ms to go with it");
	return RAE_OK;
}

bool svc_manifest_allows(const svc_manifest_t *m, const char *client)
{
	return names_have(&m->clients, SVC_CLIENTS_EVERY) || names_have(&m->clients, client);
}

bool svc_manifest_operated_by(const svc_manifest_t *m, const char *caller)
{
	return names_have(&m->operators, caller);
}
