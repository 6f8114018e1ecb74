/* bench: RaeCore's IPC microbenchmarks, run inside the OS and printed as a
 * table. Each case is timed SAMPLES times with the TSC (rdtsc, the cost of
 * an empty rdtsc pair taken off) on CPU 0, where both threads of a
 * two-thread case are pinned, so every round trip includes the switches
 * between them. Reports p50, p99 and max in TSC ticks: wall-clock cycles
 * of the TSC's fixed rate on hardware, guest instructions under QEMU
 * -icount, and under plain QEMU whatever the host gave the guest. `make
 * bench` (tools/bench) is the measurement of record; this is the same
 * measurement on a running system.
 *   syscall: a null system call (GETPID) and back;
 *   ipc-reg: a register call answered by another thread (CALL_REG,
 *     REPLY_RECV_REG: the fast path);
 *   notify: thread A signals B and waits; B signals A back;
 *   yield: A and B hand a turn to each other, yielding until it is theirs.
 * `bench boot` prints when the system was first ready for input (the
 * console's first wait for a key: the shell's prompt), in TSC ticks since
 * reset, and how that splits: reset to the kernel's entry (firmware and
 * loader), from there to the first process, and from there to the prompt
 * (the kernel logs its two timestamps at boot); `bench vfs` writes a file through the VFS and reads it back,
 * printing bytes per 1000 ticks. */
#include <fcntl.h>
#include <pthread.h>
#include <unistd.h>
#include <rae_console.h>
#include <rae_startup.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <rae.h>

#define SAMPLES_DEFAULT 10000
#define SAMPLES_MAX     1000000
#define WARMUP          100
#define STOP_TAG        0x5354 /* "ST": the server answers it and ends */
#define SERVER_LINGER   10000000ull

static uint64_t *samples;
static int count;
static uint64_t overhead;
static rae_handle_t ep, ping, pong;
static volatile int turn;

static int by_value(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

static void report(const char *name)
{
	qsort(samples, (size_t)count, sizeof(*samples), by_value);
	printf("%-10s %10llu %10llu %10llu\n", name, (unsigned long long)samples[count / 2],
	       (unsigned long long)samples[(int64_t)count * 99 / 100],
	       (unsigned long long)samples[count - 1]);
}

static uint64_t since(uint64_t t0)
{
	uint64_t d = rae_rdtsc() - t0;
	return d > overhead ? d - overhead : 0;
}

static void bench_syscall(void)
{
	for (int i = -WARMUP; i < count; i++) {
		uint64_t t0 = rae_rdtsc();
		rae_getpid();
		uint64_t d = since(t0);
		if (i >= 0)
			samples[i] = d;
	}
	report("syscall");
}

/* Answers register calls with w0 + 1 until STOP_TAG. */
static void *ipc_server(void *arg)
{
	(void)arg;
	rae_set_affinity(1);
	rae_regs_t m = {0};
	int64_t st = rae_ipc_recv_regs(ep, &m);
	while (st == RAE_OK && m.tag != STOP_TAG) {
		m.w[0] += 1;
		st = rae_ipc_reply_recv_regs(ep, &m);
	}
	/* Answers the stop, then gives up waiting for another call. */
	rae_ipc_set_timeout(SERVER_LINGER);
	rae_regs_t bye = {0};
	rae_ipc_reply_recv_regs(ep, &bye);
	return NULL;
}

static int bench_ipc(void)
{
	rae_status_t st = rae_endpoint_create(&ep);
	if (st != RAE_OK) {
		fprintf(stderr, "bench: endpoint: %s\n", rae_status_name(st));
		return 1;
	}
	pthread_t server;
	if (pthread_create(&server, NULL, ipc_server, NULL) != 0) {
		perror("bench: thread");
		return 1;
	}
	int bad = 0;
	for (int i = -WARMUP; i < count; i++) {
		rae_regs_t m = {.tag = 1, .w = {(uint64_t)i}};
		uint64_t t0 = rae_rdtsc();
		int64_t st = rae_ipc_call_regs(ep, &m);
		uint64_t d = since(t0);
		if (st != RAE_OK || m.w[0] != (uint64_t)i + 1)
			bad = 1;
		if (i >= 0)
			samples[i] = d;
	}
	rae_regs_t stop = {.tag = STOP_TAG};
	rae_ipc_call_regs(ep, &stop);
	pthread_join(server, NULL);
	rae_handle_close(ep);
	if (bad) {
		fprintf(stderr, "bench: a register call failed or came back wrong\n");
		return 1;
	}
	report("ipc-reg");
	return 0;
}

static void *notify_partner(void *arg)
{
	(void)arg;
	rae_set_affinity(1);
	for (int i = -WARMUP; i < count; i++) {
		rae_notify_wait(ping, RAE_TIMEOUT_NEVER);
		rae_notify_signal(pong, 1);
	}
	return NULL;
}

static int bench_notify(void)
{
	rae_status_t a = rae_notify_create(&ping), b = rae_notify_create(&pong);
	if (a != RAE_OK || b != RAE_OK) {
		fprintf(stderr, "bench: notification: %s\n", rae_status_name(a != RAE_OK ? a : b));
		return 1;
	}
	pthread_t partner;
	if (pthread_create(&partner, NULL, notify_partner, NULL) != 0) {
		perror("bench: thread");
		return 1;
	}
	int bad = 0;
	for (int i = -WARMUP; i < count; i++) {
		uint64_t t0 = rae_rdtsc();
		rae_notify_signal(ping, 1);
		int64_t bits = rae_notify_wait(pong, RAE_TIMEOUT_NEVER);
		uint64_t d = since(t0);
		if (bits != 1)
			bad = 1;
		if (i >= 0)
			samples[i] = d;
	}
	pthread_join(partner, NULL);
	rae_handle_close(ping);
	rae_handle_close(pong);
	if (bad) {
		fprintf(stderr, "bench: a notification wait failed\n");
		return 1;
	}
	report("notify");
	return 0;
}

static void *yield_partner(void *arg)
{
	(void)arg;
	rae_set_affinity(1);
	for (int i = -WARMUP; i < count; i++) {
		while (turn != 1)
			rae_yield();
		turn = 0;
	}
	return NULL;
}

static int bench_yield(void)
{
	pthread_t partner;
	turn = 0;
	if (pthread_create(&partner, NULL, yield_partner, NULL) != 0) {
		perror("bench: thread");
		return 1;
	}
	for (int i = -WARMUP; i < count; i++) {
		uint64_t t0 = rae_rdtsc();
		turn = 1;
		while (turn != 0)
			rae_yield();
		uint64_t d = since(t0);
		if (i >= 0)
			samples[i] = d;
	}
	pthread_join(partner, NULL);
	report("yield");
	return 0;
}

/* The POSIX runtime's start-up set (lib/posix/crt.c). */
rae_startup_t *rae_posix_startup(void);

/* The kernel's boot line (kernel/generic/main.c), found in its log. */
#define BOOT_LINE "boot: timestamp %llu at kernel entry, %llu at the first process"

static char klog[RAE_KLOG_SIZE + 1];

/* The kernel's timestamps at its entry and at the first process, from the
 * log the console service keeps; false when the line is not (or no longer)
 * in the ring. */
static bool boot_timestamps(rae_handle_t console, unsigned long long *entry,
			    unsigned long long *first)
{
	uint64_t offset = 0;
	size_t got = 0;
	while (got < RAE_KLOG_SIZE) {
		size_t want =
		    RAE_KLOG_SIZE - got < RAE_IPC_BUF_MAX ? RAE_KLOG_SIZE - got : RAE_IPC_BUF_MAX;
		int64_t n = rae_console_log_read(console, &offset, klog + got, want, NULL);
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	klog[got] = 0;
	for (const char *at = strstr(klog, "boot: timestamp "); at;
	     at = strstr(at + 1, "boot: timestamp ")) {
		if (sscanf(at, BOOT_LINE, entry, first) == 2)
			return true;
	}
	return false;
}

static int bench_boot(void)
{
	rae_handle_t console = rae_startup_handle(rae_posix_startup(), RAE_ROLE_CONSOLE);
	uint64_t tsc = 0;
	int64_t st = console ? rae_console_ready_tsc(console, &tsc) : RAE_ERR_NOT_FOUND;
	if (st != RAE_OK) {
		fprintf(stderr, "bench: asking the console service: %s\n",
			rae_status_name((rae_status_t)st));
		return 1;
	}
	printf("boot_to_prompt %llu ticks\n", (unsigned long long)tsc);
	unsigned long long entry, first;
	if (!boot_timestamps(console, &entry, &first) || entry > first || first > tsc) {
		fprintf(stderr, "bench: no usable 'boot: timestamp' line in the kernel log\n");
		return 1;
	}
	printf("boot_reset_to_kernel %llu ticks\n", entry);
	printf("boot_kernel_to_first_process %llu ticks\n", first - entry);
	printf("boot_first_process_to_prompt %llu ticks\n", (unsigned long long)tsc - first);
	return 0;
}

#define VFS_FILE  "/tmp/bench-vfs.dat"
#define VFS_BYTES (1u << 20)
#define VFS_CHUNK 4096 /* RAE_VFS_IO_MAX: one request per chunk */

/* Reads VFS_FILE whole `passes` times through read(); bytes per 1000
 * ticks, from the fastest pass. */
static int bench_vfs(int passes)
{
	static char chunk[VFS_CHUNK];
	for (size_t i = 0; i < sizeof(chunk); i++)
		chunk[i] = (char)i;
	int fd = open(VFS_FILE, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0) {
		perror("bench: " VFS_FILE);
		return 1;
	}
	for (unsigned done = 0; done < VFS_BYTES; done += VFS_CHUNK) {
		if (write(fd, chunk, VFS_CHUNK) != VFS_CHUNK) {
			perror("bench: write");
			close(fd);
			return 1;
		}
	}
	close(fd);
	uint64_t best = UINT64_MAX;
	for (int p = 0; p < passes; p++) {
		fd = open(VFS_FILE, O_RDONLY);
		if (fd < 0) {
			perror("bench: " VFS_FILE);
			return 1;
		}
		uint64_t t0 = rae_rdtsc(), got = 0;
		ssize_t n;
		while ((n = read(fd, chunk, sizeof(chunk))) > 0)
			got += (uint64_t)n;
		uint64_t ticks = rae_rdtsc() - t0;
		close(fd);
		if (n < 0 || got != VFS_BYTES) {
			fprintf(stderr, "bench: read %llu of %u bytes back\n",
				(unsigned long long)got, VFS_BYTES);
			return 1;
		}
		if (ticks < best)
			best = ticks;
	}
	unlink(VFS_FILE);
	printf("vfs_read %u bytes in %llu ticks: %llu bytes per 1000 ticks\n", VFS_BYTES,
	       (unsigned long long)best, (unsigned long long)(VFS_BYTES * 1000ull / best));
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 2 && strcmp(argv[1], "boot") == 0)
		return bench_boot();
	if (argc >= 2 && strcmp(argv[1], "vfs") == 0) {
		int passes = argc == 3 ? atoi(argv[2]) : 5;
		if (argc > 3 || passes < 1 || passes > 1000) {
			fprintf(stderr, "usage: bench vfs [passes 1..1000]\n");
			return 2;
		}
		return bench_vfs(passes);
	}
	count = SAMPLES_DEFAULT;
	if (argc == 3 && strcmp(argv[1], "-n") == 0) {
		char *end;
		long n = strtol(argv[2], &end, 10);
		if (*end || n < 1 || n > SAMPLES_MAX) {
			fprintf(stderr, "bench: %s: samples must be 1..%d\n", argv[2], SAMPLES_MAX);
			return 2;
		}
		count = (int)n;
	} else if (argc != 1) {
		fprintf(stderr, "usage: bench [-n samples] | bench boot | bench vfs [passes]\n");
		return 2;
	}
	samples = calloc((size_t)count, sizeof(*samples));
	if (!samples) {
		perror("bench");
		return 1;
	}
	int64_t st = rae_set_affinity(1);
	if (st != RAE_OK) {
		fprintf(stderr, "bench: pinning to CPU 0: %s\n", rae_status_name((rae_status_t)st));
		return 1;
	}
	overhead = UINT64_MAX;
	for (int i = 0; i < 256; i++) {
		uint64_t t0 = rae_rdtsc(), t1 = rae_rdtsc();
		if (t1 - t0 < overhead)
			overhead = t1 - t0;
	}
	printf("%d samples each on CPU 0; TSC ticks (guest instructions under QEMU -icount)\n",
	       count);
	printf("%-10s %10s %10s %10s\n", "CASE", "P50", "P99", "MAX");
	fflush(stdout);
	bench_syscall();
	fflush(stdout);
	int status = bench_ipc();
	fflush(stdout);
	status |= bench_notify();
	fflush(stdout);
	status |= bench_yield();
	free(samples);
	return status;
}
