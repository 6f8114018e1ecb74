/* Host tests for the service manager's manifest parser and start plan
 * (services/manager/manifest.c, plan.c): every key, defaults, each kind of
 * mistake with its line, dependency order, cycles and missing names. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include <manager/manifest.h>

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

static rae_status_t parse(const char *text, svc_manifest_t *m, svc_error_t *err)
{
	return svc_manifest_parse(text, strlen(text), m, err);
}

static void test_manifest_every_key(void **state)
{
	(void)state;
	static const char text[] = "# a comment\n"
				   "\n"
				   "name = net-d_1\r\n"
				   "  exec=bin/networkd  \n"
				   "args =  -v   --port 80 \n"
				   "needs = vfs, drivers  log\n"
				   "grants = initrd root-resource, job, vfs shutdown\n"
				   "clients = *\n"
				   "restart = always\n"
				   "max-restarts = 0\n"
				   "backoff-ms = 50\n"
				   "backoff-max-ms = 800\n"
				   "max-processes = 2\n"
				   "max-threads = 9\n"
				   "max-pages = 1000\n"
				   "max-handles = 77\n"
				   "health-interval-ms = 5000\n"
				   "health-deadline-ms = 300\n"
				   "\t# the end";
	svc_manifest_t m;
	svc_error_t err;
	assert_int_equal(parse(text, &m, &err), RAE_OK);
	assert_string_equal(m.name, "net-d_1");
	assert_string_equal(m.exec, "bin/networkd");
	assert_string_equal(m.args, "-v --port 80");
	assert_int_equal(m.needs.count, 3);
	assert_string_equal(m.needs.names[0], "vfs");
	assert_string_equal(m.needs.names[1], "drivers");
	assert_string_equal(m.needs.names[2], "log");
	assert_int_equal(m.grants, SVC_GRANT_INITRD | SVC_GRANT_ROOT_RESOURCE | SVC_GRANT_JOB |
				       SVC_GRANT_SHUTDOWN);
	assert_int_equal(m.endpoints.count, 1);
	assert_string_equal(m.endpoints.names[0], "vfs");
	assert_true(svc_manifest_allows(&m, "anyone"));
	assert_int_equal(m.restart, SVC_RESTART_ALWAYS);
	assert_int_equal(m.max_restarts, 0);
	assert_int_equal(m.backoff_ms, 50);
	assert_int_equal(m.backoff_max_ms, 800);
	assert_int_equal(m.limits[SVC_LIMIT_PROCESSES], 2);
	assert_int_equal(m.limits[SVC_LIMIT_THREADS], 9);
	assert_int_equal(m.limits[SVC_LIMIT_PAGES], 1000);
	assert_int_equal(m.limits[SVC_LIMIT_HANDLES], 77);
	assert_int_equal(m.health_interval_ms, 5000);
	assert_int_equal(m.health_deadline_ms, 300);
}

static void test_manifest_defaults(void **state)
{
	(void)state;
	svc_manifest_t m;
	svc_error_t err;
	assert_int_equal(parse("name = a\nexec = bin/a\nargs =\nneeds =\n", &m, &err), RAE_OK);
	assert_string_equal(m.args, "");
	assert_int_equal(m.needs.count + m.clients.count + m.endpoints.count + m.grants, 0);
	assert_int_equal(m.restart, SVC_RESTART_ON_FAILURE);
	assert_int_equal(m.max_restarts, SVC_DEFAULT_MAX_RESTARTS);
	assert_int_equal(m.backoff_ms, SVC_DEFAULT_BACKOFF_MS);
	assert_int_equal(m.backoff_max_ms, SVC_DEFAULT_BACKOFF_MAX_MS);
	assert_int_equal(m.limits[SVC_LIMIT_PROCESSES], SVC_DEFAULT_PROCESSES);
	assert_int_equal(m.limits[SVC_LIMIT_HANDLES], SVC_DEFAULT_HANDLES);
	/* No health check unless asked for; its deadline has a default. */
	assert_int_equal(m.health_interval_ms, 0);
	assert_int_equal(m.health_deadline_ms, SVC_DEFAULT_HEALTH_DEADLINE_MS);
	assert_int_equal(parse("name = a\nexec = bin/a\nhealth-interval-ms = 100\n", &m, &err),
			 RAE_OK);
	assert_int_equal(m.health_interval_ms, 100);
	assert_int_equal(m.health_deadline_ms, SVC_DEFAULT_HEALTH_DEADLINE_MS);
	/* Nobody may look up a service whose manifest names no clients. */
	assert_false(svc_manifest_allows(&m, "b"));
	assert_int_equal(parse("name = a\nexec = bin/a\nclients = b, c", &m, &err), RAE_OK);
	assert_true(svc_manifest_allows(&m, "c"));
	assert_false(svc_manifest_allows(&m, "d"));
}

static void test_manifest_mistakes_name_their_line(void **state)
{
	(void)state;
	static const struct {
		const char *text;
		unsigned line;
		const char *message; /* the start of it */
	} cases[] = {
	    {"name = a\nexec = bin/a\ncolour = blue\n", 3, "unknown key 'colour'"},
	    {"name = a\nexec bin/a\n", 2, "expected 'key = value'"},
	    {"name = a\nname = b\nexec = bin/a\n", 2, "'name' given twice (first on line 1)"},
	    {"name = A\nexec = bin/a\n", 1, "name: 1 to 31"},
	    {"name = -a\nexec = bin/a\n", 1, "name: 1 to 31"},
	    {"name = \nexec = bin/a\n", 1, "name: 1 to 31"},
	    {"name = aaaaaaaaaabbbbbbbbbbccccccccccdd\nexec = bin/a\n", 1, "name: 1 to 31"},
	    {"name = a\nexec = /bin/a\n", 2, "exec: the path is relative"},
	    {"name = a\nexec = bin/../a\n", 2, "exec: the path may not hold '..'"},
	    {"name = a\nexec = bin/a b\n", 2, "exec: the path holds a blank"},
	    {"name = a\nexec = bin/a\nrestart = sometimes\n", 3, "restart: 'always'"},
	    {"name = a\nexec = bin/a\nmax-restarts = 12x\n", 3, "max-restarts: '12x' is not"},
	    {"name = a\nexec = bin/a\nmax-restarts = 99999999999999999999999\n", 3,
	     "max-restarts: number too large"},
	    {"name = a\nexec = bin/a\nmax-restarts = 1000001\n", 3,
	     "max-restarts: 1000001 is outside"},
	    {"name = a\nexec = bin/a\nbackoff-ms = 0\n", 3, "backoff-ms: 0 is outside"},
	    {"name = a\nexec = bin/a\nbackoff-ms = 500\nbackoff-max-ms = 100\n", 4,
	     "backoff-max-ms: 100 is below backoff-ms 500"},
	    {"name = a\nexec = bin/a\nmax-handles =\n", 3, "max-handles: a number is needed"},
	    {"name = a\nexec = bin/a\nhealth-interval-ms = 99\n", 3,
	     "health-interval-ms: 99 is outside 100..3600000"},
	    {"name = a\nexec = bin/a\nhealth-interval-ms = 1000\nhealth-deadline-ms = 9\n", 4,
	     "health-deadline-ms: 9 is outside 10..600000"},
	    {"name = a\nexec = bin/a\nhealth-deadline-ms = 500\n", 3,
	     "health-deadline-ms: no health-interval-ms to go with it"},
	    {"name = a\nexec = bin/a\nhealth-interval-ms = 1s\n", 3,
	     "health-interval-ms: '1s' is not a number"},
	    {"name = a\nexec = bin/a\nneeds = b, B\n", 3, "needs: 'B' is not a service name"},
	    {"name = a\nexec = bin/a\nneeds = b, b\n", 3, "needs: 'b' named twice"},
	    {"name = a\nexec = bin/a\nneeds = *\n", 3, "needs: '*' is not a service name"},
	    {"name = a\nexec = bin/a\nneeds = b c d e f g h i j\n", 3, "needs: more than 8"},
	    {"name = a\nexec = bin/a\ngrants = initrd initrd\n", 3, "grants: 'initrd' named twice"},
	    {"name = a\nexec = bin/a\ngrants = shutdown job shutdown\n", 3,
	     "grants: 'shutdown' named twice"},
	    {"name = a\nexec = bin/a\nargs = x\x01y\n", 3, "args: control character"},
	    {"exec = bin/a\n", 0, "no 'name'"},
	    {"name = a\n", 0, "no 'exec'"},
	    {"", 0, "no 'name'"},
	};
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		svc_manifest_t m;
		svc_error_t err;
		if (parse(cases[i].text, &m, &err) != RAE_ERR_INVALID ||
		    err.line != cases[i].line ||
		    strncmp(err.message, cases[i].message, strlen(cases[i].message)) != 0)
			fail_msg("case %zu: line %u '%s', expected line %u '%s'", i, err.line,
				 err.message, cases[i].line, cases[i].message);
	}
}

static void test_manifest_hostile_bytes(void **state)
{
	(void)state;
	svc_manifest_t m;
	svc_error_t err;
	static const char nul[] = "name = a\nexec = bin/a\0\n";
	assert_int_equal(svc_manifest_parse(nul, sizeof(nul) - 1, &m, &err), RAE_ERR_INVALID);
	assert_int_equal(err.line, 2);
	assert_string_equal(err.message, "NUL byte");

	static char line[SVC_LINE_MAX + 40];
	memset(line, ' ', sizeof(line));
	memcpy(line, "name = a\nargs = x", 17);
	assert_int_equal(svc_manifest_parse(line, sizeof(line), &m, &err), RAE_ERR_INVALID);
	assert_int_equal(err.line, 2);

	static char huge[SVC_MANIFEST_MAX + 1];
	memset(huge, '\n', sizeof(huge));
	assert_int_equal(svc_manifest_parse(huge, sizeof(huge), &m, &err), RAE_ERR_INVALID);
	assert_int_equal(err.line, 0);

	/* Arguments that only just fit, and one byte more. */
	static char args[64 + SVC_ARGS_MAX];
	int n = snprintf(args, sizeof(args), "name = a\nexec = b\nargs = ");
	memset(args + n, 'x', SVC_ARGS_MAX);
	assert_int_equal(svc_manifest_parse(args, (size_t)n + SVC_ARGS_MAX - 1, &m, &err), RAE_OK);
	assert_int_equal(strlen(m.args), SVC_ARGS_MAX - 1);
	assert_int_equal(svc_manifest_parse(args, (size_t)n + SVC_ARGS_MAX, &m, &err),
			 RAE_ERR_INVALID);
	assert_string_equal(err.message, "args: longer than 255 bytes");
}

/* Manifests for the plan tests: "name:need,need;..." */
static unsigned make(svc_manifest_t *m, const char *spec)
{
	unsigned n = 0;
	char text[256];
	for (const char *at = spec; *at; n++) {
		const char *end = strchr(at, ';');
		size_t len = end ? (size_t)(end - at) : strlen(at);
		char one[64];
		snprintf(one, sizeof(one), "%.*s", (int)len, at);
		char *colon = strchr(one, ':');
		if (colon)
			*colon = '\0';
		snprintf(text, sizeof(text), "name = %s\nexec = bin/x\nneeds = %s\n", one,
			 colon ? colon + 1 : "");
		svc_error_t err;
		assert_int_equal(parse(text, &m[n], &err), RAE_OK);
		at += len + (end ? 1 : 0);
	}
	return n;
}

/* The plan tests' manifests, plan and order. */
static struct {
	svc_manifest_t m[8];
	const svc_manifest_t *ptrs[8];
	svc_plan_t p[8];
	unsigned order[8];
	unsigned n;
} f;

/* Makes the manifests of spec, nothing blocked. */
static void plan_setup(const char *spec)
{
	memset(&f, 0, sizeof(f));
	f.n = make(f.m, spec);
	for (unsigned i = 0; i < f.n; i++)
		f.ptrs[i] = &f.m[i];
}

static unsigned plan(const char *spec)
{
	plan_setup(spec);
	return svc_plan_order(f.ptrs, f.n, f.order, f.p);
}

static unsigned position(const unsigned *order, unsigned count, unsigned i)
{
	for (unsigned k = 0; k < count; k++) {
		if (order[k] == i)
			return k;
	}
	fail_msg("service %u is not in the order", i);
	return 0;
}

static void test_plan_dependency_order(void **state)
{
	(void)state;
	/* 0 ui:net,vfs  1 net:drv  2 vfs:drv  3 drv  4 alone */
	unsigned count = plan("ui:net,vfs;net:drv;vfs:drv;drv;alone");
	assert_int_equal(count, 5);
	assert_true(position(f.order, count, 3) < position(f.order, count, 1));
	assert_true(position(f.order, count, 3) < position(f.order, count, 2));
	assert_true(position(f.order, count, 1) < position(f.order, count, 0));
	assert_true(position(f.order, count, 2) < position(f.order, count, 0));
	for (unsigned i = 0; i < 5; i++)
		assert_false(f.p[i].blocked);
}

static void test_plan_cycles_and_missing_names(void **state)
{
	(void)state;
	/* 0 a:b  1 b:c  2 c:a  3 d:a  4 e:ghost  5 f:e  6 g  7 self:self */
	unsigned count = plan("a:b;b:c;c:a;d:a;e:ghost;f:e;g;self:self");
	svc_plan_t *p = f.p;
	assert_int_equal(count, 1);
	assert_int_equal(f.order[0], 6);
	assert_string_equal(p[0].why, "dependency cycle: a -> b -> c -> a");
	assert_string_equal(p[1].why, "dependency cycle: a -> b -> c -> a");
	assert_string_equal(p[2].why, "dependency cycle: a -> b -> c -> a");
	assert_string_equal(p[3].why, "needs 'a', which cannot start");
	assert_string_equal(p[4].why, "needs 'ghost', which no manifest defines");
	assert_string_equal(p[5].why, "needs 'e', which cannot start");
	assert_string_equal(p[7].why, "dependency cycle: self -> self");
}

static void test_plan_keeps_what_the_caller_blocked(void **state)
{
	(void)state;
	plan_setup("a;b:a;c");
	f.p[0].blocked = true;
	strcpy(f.p[0].why, "its program bin/x is not in the initrd");
	assert_int_equal(svc_plan_order(f.ptrs, f.n, f.order, f.p), 1);
	assert_int_equal(f.order[0], 2);
	assert_string_equal(f.p[0].why, "its program bin/x is not in the initrd");
	assert_string_equal(f.p[1].why, "needs 'a', which cannot start");

	/* A granted endpoint of a service nobody defines blocks too. */
	svc_error_t err;
	assert_int_equal(parse("name = a\nexec = bin/a\ngrants = vfs\n", &f.m[0], &err), RAE_OK);
	memset(f.p, 0, sizeof(f.p));
	assert_int_equal(svc_plan_order(f.ptrs, 1, f.order, f.p), 0);
	assert_string_equal(f.p[0].why, "is granted 'vfs', which no manifest defines");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_manifest_every_key),
	    cmocka_unit_test(test_manifest_defaults),
	    cmocka_unit_test(test_manifest_mistakes_name_their_line),
	    cmocka_unit_test(test_manifest_hostile_bytes),
	    cmocka_unit_test(test_plan_dependency_order),
	    cmocka_unit_test(test_plan_cycles_and_missing_names),
	    cmocka_unit_test(test_plan_keeps_what_the_caller_blocked),
	};
	return cmocka_run_group_tests_name("manifest", tests, NULL, NULL);
}
