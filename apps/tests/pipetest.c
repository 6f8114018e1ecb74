/* Pipes, and what a job's holder sees of its processes (rae/pipe.h,
 * rae/process.h): round trips, blocking and waking across threads, end of
 * file and PEER_CLOSED, timeouts, writes larger than the pipe, atomic
 * writes from two writers, pipe ends given to child processes (one writes
 * and exits, one is killed in its read), WAIT_NOHANG, PROCESS_WATCH,
 * JOB_PROCESSES / JOB_PROCESS and SYSTEM_INFO. Run with no argument it is
 * the parent; as a child (started with rae_spawn_start) its first
 * argument says what to do. Exits with the number of failed checks. */
#include <rae.h>

#define ROLE_PIPE (RAE_ROLE_PRIVATE + 1)
#define MS        1000000ull
/* More watches than the kernel keeps for one process (64, docs/syscalls.md). */
#define PROCESS_WATCHES_TRIED 70

static int failures;

static void check(int ok, const char *what)
{
	if (!ok) {
		rae_puts("pipetest: FAIL: ");
		rae_puts(what);
		rae_puts("\n");
		failures++;
	}
}

static int same(const char *a, const char *b)
{
	while (*a && *a == *b) {
		a++;
		b++;
	}
	return *a == *b;
}

/* --- the children ------------------------------------------------------- */

static const char child_words[] = "hello through a pipe";

static int child(rae_handle_t ep)
{
	static rae_startup_t s;
	if (rae_startup_receive(ep, &s, RAE_TIMEOUT_NEVER) != RAE_OK || s.argc < 2)
		return 100;
	rae_handle_t h = rae_startup_take(&s, ROLE_PIPE);
	if (same(s.argv[1], "writer")) {
		/* Writes, then ends: its handle to the write end goes with it. */
		int64_t n = rae_pipe_write(h, child_words, sizeof(child_words), RAE_TIMEOUT_NEVER);
		return n == (int64_t)sizeof(child_words) ? 0 : 1;
	}
	if (same(s.argv[1], "reader")) {
		/* Tells the parent it is about to block, then reads forever:
		 * the parent kills it in that read. */
		char c = 'r';
		rae_pipe_write(rae_startup_take(&s, ROLE_PIPE + 1), &c, 1, RAE_TIMEOUT_NEVER);
		char buf[16];
		rae_pipe_read(h, buf, sizeof(buf), RAE_TIMEOUT_NEVER);
		return 2; /* not reached: killed */
	}
	if (same(s.argv[1], "pipes")) {
		/* Pipes until the job's page limit refuses one. */
		rae_handle_t e[2];
		for (int i = 0; i < 1000; i++) {
			int64_t r = rae_pipe_create(e);
			if (r == RAE_ERR_LIMIT)
				return i > 0 ? 0 : 3;
			if (r != RAE_OK)
				return 1;
		}
		return 2;
	}
	if (same(s.argv[1], "spin")) {
		/* CPU time for JOB_PROCESSES to see, then sleep to be killed. */
		uint64_t end = rae_clock_ns() + 20 * MS;
		while (rae_clock_ns() < end)
			;
		for (;;)
			rae_sleep_ns(1000 * MS);
	}
	return 101;
}

static int64_t start_child(const char *role, rae_handle_t job, rae_handle_t *handles,
			   const uint16_t *roles, unsigned n)
{
	const char *const argv[] = {"pipetest", role, NULL};
	rae_handle_t proc;
	rae_status_t st =
	    rae_spawn_start(0, 0, 0, "bin/pipetest", job, argv, NULL, handles, roles, n, &proc);
	return st == RAE_OK ? (int64_t)proc : st;
}

/* --- pipes within this process ------------------------------------------ */

static void test_round_trip_and_timeouts(void)
{
	rae_handle_t e[2] = {0, 0};
	check(rae_pipe_create(e) == RAE_OK && e[0] && e[1] && e[0] != e[1], "create a pipe");
	char buf[32];
	check(rae_pipe_write(e[1], "abc", 3, 0) == 3, "write 3 bytes");
	check(rae_pipe_write(e[1], "defg", 4, 0) == 4, "write 4 more");
	check(rae_pipe_read(e[0], buf, 5, 0) == 5 && memcmp(buf, "abcde", 5) == 0,
	      "read them back in order, as many as asked");
	check(rae_pipe_read(e[0], buf, sizeof(buf), 0) == 2 && memcmp(buf, "fg", 2) == 0,
	      "read returns what is there");
	check(rae_pipe_read(e[0], buf, sizeof(buf), 0) == RAE_ERR_TIMED_OUT,
	      "timeout 0 on an empty pipe returns at once");
	uint64_t t0 = rae_clock_ns();
	check(rae_pipe_read(e[0], buf, sizeof(buf), 5 * MS) == RAE_ERR_TIMED_OUT,
	      "a short timeout on an empty pipe");
	check(rae_clock_ns() - t0 >= 5 * MS, "the timeout was waited");
	check(rae_pipe_read(e[0], buf, 0, 0) == 0, "reading 0 bytes");
	/* The wrong end, and bad memory. */
	check(rae_pipe_read(e[1], buf, 1, 0) == RAE_ERR_ACCESS_DENIED, "reading the write end");
	check(rae_pipe_write(e[0], "x", 1, 0) == RAE_ERR_ACCESS_DENIED, "writing the read end");
	check(rae_pipe_write(e[1], (const void *)0xffff800000001000ull, 8, 0) == RAE_ERR_FAULT,
	      "writing from a kernel address");
	check(rae_pipe_write(e[1], "xy", 2, 0) == 2, "write after a refused one");
	check(rae_pipe_read(e[0], (void *)0xffff800000001000ull, 8, 0) == RAE_ERR_FAULT,
	      "reading to a kernel address");
	check(rae_pipe_read(e[0], buf, sizeof(buf), 0) == 2 && buf[0] == 'x' && buf[1] == 'y',
	      "a failed read consumed nothing");
	check(rae_pipe_create((rae_handle_t *)0xffff800000001000ull) == RAE_ERR_FAULT,
	      "create with a kernel address");
	check(rae_pipe_read(e[0] + 12345, buf, 1, 0) == RAE_ERR_BAD_HANDLE, "a made-up handle");

	/* Full: a write that does not fit waits (timeout 0: not at all). */
	static char big[RAE_PIPE_CAPACITY];
	check(rae_pipe_write(e[1], big, sizeof(big), 0) == RAE_PIPE_CAPACITY, "fill the pipe");
	check(rae_pipe_write(e[1], "z", 1, 0) == RAE_ERR_TIMED_OUT, "a full pipe: timeout 0");
	check(rae_pipe_write(e[1], "z", 1, 2 * MS) == RAE_ERR_TIMED_OUT, "a full pipe: timeout");
	check(rae_pipe_read(e[0], big, 100, 0) == 100, "make room for 100");
	check(rae_pipe_write(e[1], big, 200, 0) == RAE_ERR_TIMED_OUT,
	      "an atomic write waits for room for all of it");
	check(rae_pipe_write(e[1], big, RAE_PIPE_ATOMIC + 1, 0) == 100,
	      "a larger write puts in what fits");
	rae_handle_close(e[0]);
	rae_handle_close(e[1]);
}

static rae_handle_t shared_end;
static char shared_buf[64];
static volatile int64_t shared_result;

static void blocking_reader(uint64_t arg)
{
	(void)arg;
	shared_result =
	    rae_pipe_read(shared_end, shared_buf, sizeof(shared_buf), RAE_TIMEOUT_NEVER);
	rae_thread_exit(0);
}

static void blocking_writer(uint64_t arg)
{
	(void)arg;
	shared_result = rae_pipe_write(shared_end, "w", 1, RAE_TIMEOUT_NEVER);
	rae_thread_exit(0);
}

static void test_blocking_and_ends(void)
{
	rae_handle_t e[2];
	int code;
	/* A reader blocked on another thread is woken by a write. */
	rae_pipe_create(e);
	shared_end = e[0];
	shared_result = -1000;
	rae_handle_t t = RAE_HANDLE_INVALID;
	rae_thread_create(blocking_reader, 0, 0, &t);
	rae_sleep_ns(10 * MS);
	check(shared_result == -1000, "the reader waits for data");
	check(rae_pipe_write(e[1], "wake", 4, 0) == 4, "write to a waiting reader");
	check(rae_thread_join(t, &code) == RAE_OK, "join the reader");
	check(shared_result == 4 && memcmp(shared_buf, "wake", 4) == 0,
	      "the blocked reader got the bytes");

	/* A reader blocked on an empty pipe sees end of file when the last
	 * write end closes; data written before the close comes first. */
	shared_result = -1000;
	t = rae_sys_thread_create(blocking_reader, 0, 0);
	rae_sleep_ns(5 * MS);
	rae_handle_t dup = RAE_HANDLE_INVALID;
	rae_handle_dup(e[1], RAE_RIGHT_WRITE | RAE_RIGHT_WAIT, &dup);
	rae_handle_close(e[1]);
	rae_sleep_ns(5 * MS);
	check(shared_result == -1000, "a second write handle keeps the reader waiting");
	rae_handle_close(dup);
	rae_thread_join(t, &code);
	check(shared_result == 0, "the blocked reader sees end of file");
	check(rae_pipe_read(e[0], shared_buf, 8, RAE_TIMEOUT_NEVER) == 0,
	      "end of file stays, without waiting");
	rae_handle_close(e[0]);

	rae_pipe_create(e);
	rae_pipe_write(e[1], "last", 4, 0);
	rae_handle_close(e[1]);
	char buf[8];
	check(rae_pipe_read(e[0], buf, sizeof(buf), RAE_TIMEOUT_NEVER) == 4,
	      "data written before the close is read first");
	check(rae_pipe_read(e[0], buf, sizeof(buf), RAE_TIMEOUT_NEVER) == 0, "then end of file");
	rae_handle_close(e[0]);

	/* A writer blocked on a full pipe gets PEER_CLOSED when the reader
	 * goes; later writes get it at once. */
	rae_pipe_create(e);
	static char fill[RAE_PIPE_CAPACITY];
	rae_pipe_write(e[1], fill, sizeof(fill), 0);
	shared_end = e[1];
	shared_result = -1000;
	t = rae_sys_thread_create(blocking_writer, 0, 0);
	rae_sleep_ns(10 * MS);
	check(shared_result == -1000, "the writer waits for room");
	rae_handle_close(e[0]);
	rae_thread_join(t, &code);
	check(shared_result == RAE_ERR_PEER_CLOSED, "the blocked writer learns the reader left");
	check(rae_pipe_write(e[1], "x", 1, RAE_TIMEOUT_NEVER) == RAE_ERR_PEER_CLOSED,
	      "writing with no reader left");
	rae_handle_close(e[1]);
}

/* The byte at offset i of the big transfer. */
static uint8_t pattern(uint64_t i)
{
	return (uint8_t)(i * 7 + (i >> 9));
}

#define BIG_BYTES (4 * RAE_PIPE_CAPACITY + 1234)

static volatile uint64_t big_read, big_bad;

static void big_reader(uint64_t arg)
{
	static uint8_t buf[3000];
	(void)arg;
	for (;;) {
		int64_t n = rae_pipe_read(shared_end, buf, sizeof(buf), RAE_TIMEOUT_NEVER);
		if (n <= 0)
			break;
		for (int64_t i = 0; i < n; i++)
			big_bad += buf[i] != pattern(big_read + (uint64_t)i);
		big_read += (uint64_t)n;
	}
	rae_thread_exit(0);
}

static void test_large_write(void)
{
	static uint8_t data[BIG_BYTES];
	for (uint64_t i = 0; i < BIG_BYTES; i++)
		data[i] = pattern(i);
	rae_handle_t e[2];
	rae_pipe_create(e);
	shared_end = e[0];
	big_read = big_bad = 0;
	rae_handle_t t = RAE_HANDLE_INVALID;
	rae_thread_create(big_reader, 0, 0, &t);
	uint64_t done = 0;
	int calls = 0;
	while (done < BIG_BYTES) {
		int64_t n = rae_pipe_write(e[1], data + done, BIG_BYTES - done, RAE_TIMEOUT_NEVER);
		if (n <= 0)
			break;
		done += (uint64_t)n;
		calls++;
	}
	check(done == BIG_BYTES, "a write larger than the pipe goes in, in pieces");
	check(calls > 1, "it took more than one call");
	rae_handle_close(e[1]);
	int code;
	rae_thread_join(t, &code);
	check(big_read == BIG_BYTES, "the reader got every byte");
	check(big_bad == 0, "in order and unchanged");
	rae_handle_close(e[0]);
}

#define RECORDS 64

static void atomic_writer(uint64_t id)
{
	static uint8_t recs[2][RAE_PIPE_ATOMIC];
	memset(recs[id], (int)('A' + id), RAE_PIPE_ATOMIC);
	for (int i = 0; i < RECORDS; i++) {
		if (rae_pipe_write(shared_end, recs[id], RAE_PIPE_ATOMIC, RAE_TIMEOUT_NEVER) !=
		    RAE_PIPE_ATOMIC)
			rae_thread_exit(1);
	}
	rae_thread_exit(0);
}

static void test_atomic_writes(void)
{
	rae_handle_t e[2];
	rae_pipe_create(e);
	shared_end = e[1];
	rae_handle_t a = RAE_HANDLE_INVALID;
	rae_thread_create(atomic_writer, 0, 0, &a);
	rae_handle_t b = RAE_HANDLE_INVALID;
	rae_thread_create(atomic_writer, 1, 0, &b);
	/* Read in pieces of a size that never matches a record. */
	static uint8_t stream[2 * RECORDS * RAE_PIPE_ATOMIC];
	uint64_t got = 0;
	while (got < sizeof(stream)) {
		uint64_t want = sizeof(stream) - got < 1000 ? sizeof(stream) - got : 1000;
		int64_t n = rae_pipe_read(e[0], stream + got, want, 5000 * MS);
		if (n <= 0)
			break;
		got += (uint64_t)n;
	}
	int ca = -1, cb = -1;
	rae_thread_join(a, &ca);
	rae_thread_join(b, &cb);
	check(got == sizeof(stream) && ca == 0 && cb == 0, "two writers' records all arrive");
	int mixed = 0, as = 0;
	for (uint64_t r = 0; r < 2 * RECORDS; r++) {
		const uint8_t *rec = stream + r * RAE_PIPE_ATOMIC;
		as += rec[0] == 'A';
		for (unsigned i = 1; i < RAE_PIPE_ATOMIC; i++)
			mixed += rec[i] != rec[0];
	}
	check(mixed == 0, "atomic writes never interleave");
	check(as == RECORDS, "each writer's records, all of them");
	rae_handle_close(e[0]);
	rae_handle_close(e[1]);
}

#define COUNTERS 20000

static uint8_t seen[COUNTERS];
static volatile int out_of_order, readers_got[2];

/* Reads 4-byte counters until end of file: each read brings whole ones
 * (every write was one, atomic), increasing within this reader. Reader 1
 * never waits (timeout 0) and spins instead. */
static void counter_reader(uint64_t id)
{
	uint32_t buf[37], last = 0;
	int first = 1;
	for (;;) {
		int64_t n = rae_pipe_read(shared_end, buf, sizeof(buf), id ? 0 : RAE_TIMEOUT_NEVER);
		if (n == RAE_ERR_TIMED_OUT) {
			rae_yield();
			continue;
		}
		if (n <= 0)
			break;
		if (n % 4)
			out_of_order++;
		for (int64_t i = 0; i < n / 4; i++) {
			if (buf[i] >= COUNTERS || (!first && buf[i] <= last))
				out_of_order++;
			else
				seen[buf[i]]++;
			last = buf[i];
			first = 0;
		}
		readers_got[id] += (int)(n / 4);
	}
	rae_thread_exit(0);
}

static void test_two_readers(void)
{
	rae_handle_t e[2];
	rae_pipe_create(e);
	shared_end = e[0];
	rae_handle_t a = RAE_HANDLE_INVALID;
	rae_thread_create(counter_reader, 0, 0, &a);
	rae_handle_t b = RAE_HANDLE_INVALID;
	rae_thread_create(counter_reader, 1, 0, &b);
	int ok = 1;
	for (uint32_t i = 0; i < COUNTERS && ok; i++)
		ok = rae_pipe_write(e[1], &i, 4, RAE_TIMEOUT_NEVER) == 4;
	check(ok, "write the counters");
	rae_handle_close(e[1]);
	int code;
	rae_thread_join(a, &code);
	rae_thread_join(b, &code);
	int once = 1;
	for (int i = 0; i < COUNTERS; i++)
		once &= seen[i] == 1;
	check(once && readers_got[0] + readers_got[1] == COUNTERS,
	      "two readers (one never waiting) get every counter exactly once");
	check(out_of_order == 0, "each read a contiguous piece of the stream");
	rae_handle_close(e[0]);
}

/* --- pipes between processes ---------------------------------------------- */

static void test_child_writer(void)
{
	rae_handle_t e[2];
	rae_pipe_create(e);
	uint16_t role = ROLE_PIPE;
	int64_t p = start_child("writer", 0, &e[1], &role, 1);
	check(p > 0, "start a child with the write end");
	check(rae_handle_close(e[1]) == RAE_ERR_BAD_HANDLE, "the write end moved to the child");
	char buf[64];
	uint64_t got = 0;
	for (;;) {
		int64_t n = rae_pipe_read(e[0], buf + got, sizeof(buf) - got, 10000 * MS);
		if (n <= 0) {
			check(n == 0, "end of file once the child ended");
			break;
		}
		got += (uint64_t)n;
	}
	check(got == sizeof(child_words) && memcmp(buf, child_words, got) == 0,
	      "the child's bytes arrive");
	int status = -1;
	check(p > 0 && rae_wait((rae_handle_t)p, &status) == RAE_OK && status == 0,
	      "the writer child exits 0");
	rae_handle_close(e[0]);
	if (p > 0)
		rae_handle_close((rae_handle_t)p);
}

static void test_child_killed_in_read(void)
{
	rae_handle_t e[2], ready[2];
	rae_pipe_create(e);
	rae_pipe_create(ready);
	rae_handle_t give[2] = {e[0], ready[1]};
	uint16_t roles[2] = {ROLE_PIPE, ROLE_PIPE + 1};
	int64_t p = start_child("reader", 0, give, roles, 2);
	check(p > 0, "start a child with the read end");
	char c;
	check(rae_pipe_read(ready[0], &c, 1, 10000 * MS) == 1, "the child is about to read");
	rae_sleep_ns(20 * MS); /* into its read */
	check(rae_wait_nohang((rae_handle_t)p, NULL) == RAE_ERR_TIMED_OUT,
	      "the child blocks in its read");
	check(rae_kill((rae_handle_t)p) == RAE_OK, "kill the child");
	int status = -1;
	check(rae_wait((rae_handle_t)p, &status) == RAE_OK && status == RAE_EXIT_KILLED,
	      "a child blocked reading a pipe can be killed");
	check(rae_pipe_write(e[1], "x", 1, 0) == RAE_ERR_PEER_CLOSED, "its read end went with it");
	rae_handle_close(e[1]);
	rae_handle_close(ready[0]);
	rae_handle_close((rae_handle_t)p);
}

static void test_pipe_charged_to_job(void)
{
	/* Room for the program and a few pipes, not a thousand. */
	rae_handle_t job = RAE_HANDLE_INVALID;
	rae_job_create(0, UINT64_MAX, UINT64_MAX, 600, 64, &job);
	int64_t p = start_child("pipes", job, NULL, NULL, 0);
	int status = -1;
	check(p > 0 && rae_wait((rae_handle_t)p, &status) == RAE_OK && status == 0,
	      "pipes are charged to the job: RAE_ERR_LIMIT past its pages");
	if (p > 0)
		rae_handle_close((rae_handle_t)p);
	rae_handle_close(job);
}

/* --- processes through a job ---------------------------------------------- */

static void test_wait_nohang_and_watch(void)
{
	int status = -1;
	rae_handle_t p = RAE_HANDLE_INVALID;
	rae_spawn("bin/sleeper", &p);
	check(p > 0, "start a sleeper");
	check(rae_wait_nohang(p, &status) == RAE_ERR_TIMED_OUT, "NOHANG: still running");
	check(rae_wait_flags(p, &status, 0x80) == RAE_ERR_INVALID, "an unknown WAIT flag");

	rae_handle_t n;
	rae_notify_create(&n);
	check(rae_process_watch(p, n, 0x4) == RAE_OK, "watch a running process");
	check(rae_process_watch(p, n, 0) == RAE_ERR_INVALID, "a watch of no bits");
	check(rae_process_watch(n, n, 1) == RAE_ERR_WRONG_TYPE, "watching a notification");
	check(rae_notify_wait(n, 0) == RAE_ERR_TIMED_OUT, "no signal while it runs");
	/* Watches whose notification nobody else holds do not pile up... */
	int64_t r = RAE_OK;
	for (int i = 0; i < 3 * PROCESS_WATCHES_TRIED && r == RAE_OK; i++) {
		rae_handle_t gone;
		rae_notify_create(&gone);
		r = rae_process_watch(p, gone, 1);
		rae_handle_close(gone);
	}
	check(r == RAE_OK, "watches with closed notifications are dropped");
	/* ...but live ones are bounded. */
	rae_handle_t live[PROCESS_WATCHES_TRIED];
	int limited = 0;
	for (int i = 0; i < PROCESS_WATCHES_TRIED; i++) {
		rae_notify_create(&live[i]);
		limited |= rae_process_watch(p, live[i], 2) == RAE_ERR_LIMIT;
	}
	check(limited, "live watches of one process are bounded");

	rae_kill(p);
	check(rae_notify_wait(n, 10000 * MS) == 0x4, "the watch fires when the process ends");
	check(rae_wait_nohang(p, &status) == RAE_OK && status == RAE_EXIT_KILLED,
	      "NOHANG: the status once ended");
	check(rae_process_watch(p, n, 0x8) == RAE_OK && rae_notify_wait(n, 0) == 0x8,
	      "a watch of an ended process fires at once");
	check(rae_notify_wait(live[0], 0) == 2, "every live watch fired");
	for (int i = 0; i < PROCESS_WATCHES_TRIED; i++)
		rae_handle_close(live[i]);
	rae_handle_close(n);
	rae_handle_close(p);

	/* A watch does not keep its process alive: with every handle closed,
	 * the process is killed and reaped, and the watch still fires. */
	p = rae_sys_spawn("bin/sleeper");
	rae_notify_create(&n);
	rae_process_watch(p, n, 0x10);
	rae_handle_close(p);
	check(rae_notify_wait(n, 10000 * MS) == 0x10,
	      "a process nobody holds ends, watched or not");
	rae_handle_close(n);
}

static int find_pid(const rae_process_info_t *list, int64_t n, uint64_t pid)
{
	for (int64_t i = 0; i < n; i++) {
		if (list[i].pid == pid)
			return (int)i;
	}
	return -1;
}

static void test_job_processes(void)
{
	uint64_t me = (uint64_t)rae_getpid();
	rae_handle_t job = RAE_HANDLE_INVALID;
	rae_job_create(0, UINT64_MAX, UINT64_MAX, UINT64_MAX, 64, &job);
	rae_handle_t inner = RAE_HANDLE_INVALID;
	rae_job_create(job, UINT64_MAX, UINT64_MAX, UINT64_MAX, 64, &inner);
	check(job > 0 && inner > 0, "create a job and a job inside it");
	static rae_process_info_t list[8];
	check(rae_job_processes(job, list, 8) == 0, "a new job has no processes");

	rae_handle_t a = RAE_HANDLE_INVALID;
	rae_spawn_with("bin/sleeper", 0, job, &a);
	int64_t b = start_child("spin", inner, NULL, NULL, 0);
	check(a > 0 && b > 0, "start one process in each");
	uint64_t pa = (uint64_t)rae_process_id(a);
	uint64_t pb = (uint64_t)rae_process_id((rae_handle_t)b);
	rae_sleep_ns(40 * MS); /* b spins, then sleeps */

	int64_t n = rae_job_processes(job, list, 8);
	check(n == 2, "the job's tree holds both");
	int ia = find_pid(list, n, pa), ib = find_pid(list, n, pb);
	check(ia >= 0 && ib >= 0, "both are listed");
	check(find_pid(list, n, me) < 0, "a process outside the job is not");
	check(n == 2 && list[0].pid < list[1].pid, "in process-id order");
	if (ia >= 0) {
		const rae_process_info_t *x = &list[ia];
		check(same(x->name, "sleeper"), "the name");
		check(x->parent_pid == me, "the parent");
		check(x->state == RAE_PROCESS_RUNNING && x->threads == 1, "running, one thread");
		check(x->pages > 0, "its pages");
		check(x->start_ns > 0 && x->start_ns <= rae_clock_ns(), "its start time");
	}
	if (ib >= 0) {
		check(list[ib].job_id != list[ia >= 0 ? ia : 0].job_id, "the inner job's id");
		check(list[ib].cpu_ns > 0, "CPU time of a process that ran");
	}
	check(rae_job_processes(inner, list, 8) == 1 && list[0].pid == pb,
	      "the inner job holds only its own");
	list[1].pid = 12345;
	check(rae_job_processes(job, list, 1) == 2 && list[1].pid == 12345,
	      "a short buffer: the count, and no more entries than asked");
	check(rae_job_processes(job, NULL, 0) == 2, "counting only");
	check(rae_job_processes(job, (rae_process_info_t *)0xffff800000000000ull, 2) ==
		  RAE_ERR_FAULT,
	      "a kernel address");

	/* Opening one by id: only inside the job. */
	check(rae_sys_job_process(job, me) == RAE_ERR_NOT_FOUND,
	      "no handle to a process outside the job");
	check(rae_sys_job_process(inner, pa) == RAE_ERR_NOT_FOUND, "nor to one in the parent job");
	check(rae_sys_job_process(job, 0x7fffffff) == RAE_ERR_NOT_FOUND, "an unused id");
	rae_handle_t h = RAE_HANDLE_INVALID;
	rae_job_process(job, pb, &h);
	check(h > 0 && rae_process_id(h) == (int64_t)pb,
	      "a handle to a process inside the job's tree");
	check(h > 0 && rae_kill(h) == RAE_OK, "kill it through that handle");
	int status = -1;
	check(rae_wait((rae_handle_t)b, &status) == RAE_OK && status == RAE_EXIT_KILLED,
	      "it was killed");
	if (h > 0)
		rae_handle_close(h);
	rae_handle_close((rae_handle_t)b);
	n = rae_job_processes(job, list, 8);
	check(n == 1 && list[0].pid == pa, "a reaped process leaves the list");
	rae_kill(a);
	rae_wait(a, &status);
	n = rae_job_processes(job, list, 8);
	check(n == 1 && list[0].state == RAE_PROCESS_EXITED && list[0].threads == 0 &&
		  list[0].exit_status == RAE_EXIT_KILLED,
	      "an ended process still held is listed as exited");
	rae_handle_close(a);
	rae_handle_close(inner);
	rae_handle_close(job);
}

static void test_system_info(void)
{
	rae_system_info_t a, b;
	check(rae_system_info(&a) == RAE_OK, "system info");
	rae_sleep_ns(2 * MS);
	check(rae_system_info(&b) == RAE_OK, "system info again");
	check(a.page_size == 4096, "page size");
	check(a.total_pages > 0 && a.free_pages <= a.total_pages, "free pages <= total");
	check(a.kernel_pages > 0 && a.kernel_pages < a.total_pages, "kernel pages");
	check(a.cpus >= 1, "at least one CPU");
	check(a.processes >= 1, "at least this process");
	check(b.uptime_ns > a.uptime_ns, "uptime increases");
	check(memcmp(a.version, "RaeCore ", 8) == 0 && a.version[8], "a version string");
	check(same(a.machine, "x86_64"), "the machine");
	check(rae_system_info((rae_system_info_t *)0xffff800000000000ull) == RAE_ERR_FAULT,
	      "a kernel address");
}

int main(uint64_t arg)
{
	if (arg)
		return child((rae_handle_t)arg);
	test_round_trip_and_timeouts();
	test_blocking_and_ends();
	test_large_write();
	test_atomic_writes();
	test_two_readers();
	test_child_writer();
	test_child_killed_in_read();
	test_pipe_charged_to_job();
	test_wait_nohang_and_watch();
	test_job_processes();
	test_system_info();
	rae_puts(failures ? "pipetest: some checks failed\n" : "pipetest: all checks passed\n");
	return failures;
}
