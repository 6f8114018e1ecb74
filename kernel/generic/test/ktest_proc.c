/* Kernel tests of processes and user mode: programs from the initrd run in
 * ring 3 with ASLR, return an exit status, a faulting program is killed
 * while the kernel goes on, a malformed executable is refused with a
 * clear error, and random system calls cannot hurt the kernel. */
#include <console/kprintf.h>
#include <mm/pmm.h>
#include <mm/vm.h>
#include <proc/bootstrap.h>
#include <proc/process.h>
#include <rae/syscall.h>
#include <test/ktest.h>

static int run_program(ktest_t *t, const char *path)
{
	rae_status_t st;
	process_t *p = process_spawn(path, NULL, &st);
	if (!KTEST_EXPECT_EQ(t, st, RAE_OK) || !p)
		return -1;
	int status = -1;
	KTEST_EXPECT_EQ(t, process_wait(p, &status), RAE_OK);
	return status;
}

KTEST(user_program_exit_status)
{
	KTEST_EXPECT_EQ(t, run_program(t, "bin/hello"), 42);
}

KTEST(user_fault_kills_only_the_program)
{
	KTEST_EXPECT_EQ(t, run_program(t, "/bin/fault"), RAE_EXIT_KILLED_FAULT);
	/* And the system goes on running programs. */
	KTEST_EXPECT_EQ(t, run_program(t, "bin/hello"), 42);
}

KTEST(user_threads_keep_their_fpu_state)
{
	KTEST_EXPECT_EQ(t, run_program(t, "bin/threads"), 0);
}

KTEST(user_random_syscalls)
{
	KTEST_EXPECT_EQ(t, run_program(t, "bin/sysfuzz"), 0);
}

KTEST(user_bad_executables_refused)
{
	rae_status_t st;
	KTEST_EXPECT(t, process_spawn("bin/badelf", NULL, &st) == NULL);
	KTEST_EXPECT(t, st == RAE_ERR_TRUNCATED || st == RAE_ERR_INVALID);
	KTEST_EXPECT(t, process_spawn("bin/no-such-program", NULL, &st) == NULL);
	KTEST_EXPECT_EQ(t, st, RAE_ERR_NOT_FOUND);
	KTEST_EXPECT(t, process_spawn("etc/motd", NULL, &st) == NULL);
	KTEST_EXPECT(t, st == RAE_ERR_INVALID || st == RAE_ERR_TRUNCATED);
}

KTEST(user_aslr_and_wx)
{
	rae_status_t st;
	process_t *a = process_spawn("bin/hello", NULL, &st);
	process_t *b = process_spawn("bin/hello", NULL, &st);
	if (!KTEST_EXPECT(t, a && b))
		return;
	KTEST_EXPECT(t, a->image_base != b->image_base);
	KTEST_EXPECT(t, a->stack_top != b->stack_top);
	KTEST_EXPECT(t, a->mmap_base != b->mmap_base);
	KTEST_EXPECT(t, a->image_base >= 0x10000000 && a->stack_top < 0x0000800000000000ull);
	/* User mappings obey W^X too. */
	KTEST_EXPECT_EQ(t, as_map_anon(a->as, 0x1000000, 1, VM_READ | VM_WRITE | VM_EXEC),
			RAE_ERR_INVALID);
	int sa, sb;
	process_wait(a, &sa);
	process_wait(b, &sb);
	KTEST_EXPECT(t, sa == 42 && sb == 42);
}

KTEST(user_process_and_scheduling_calls)
{
	KTEST_EXPECT_EQ(t, run_program(t, "bin/proctest"), 0);
}

KTEST(user_processes_return_their_memory)
{
	/* Warm the heap's caches first, then compare page counts around many
	 * programs' whole lives: address spaces, stacks, threads, page tables. */
	KTEST_EXPECT_EQ(t, run_program(t, "bin/hello"), 42);
	pmm_stats_t before, after;
	pmm_stats(&before);
	for (int i = 0; i < 20; i++)
		KTEST_EXPECT_EQ(t, run_program(t, "bin/hello"), 42);
	KTEST_EXPECT_EQ(t, run_program(t, "bin/threads"), 0);
	pmm_stats(&after);
	kprintf("# free pages before %lu, after %lu\n", before.free_pages, after.free_pages);
	/* Slab caches may keep a few pages for reuse; nothing per process. */
	KTEST_EXPECT(t, after.free_pages + 8 >= before.free_pages);
}

/* Runs `path` once to warm the heap's caches, then `runs` more times, each
 * exiting 0, and checks that the free page count came back (slab caches
 * may keep a few pages for reuse; nothing per run). */
static void runs_return_memory_n(ktest_t *t, const char *path, int runs)
{
	pmm_stats_t before, after;
	KTEST_EXPECT_EQ(t, run_program(t, path), 0);
	pmm_stats(&before);
	for (int i = 0; i < runs; i++)
		KTEST_EXPECT_EQ(t, run_program(t, path), 0);
	pmm_stats(&after);
	kprintf("# free pages before %lu, after %lu\n", before.free_pages, after.free_pages);
	KTEST_EXPECT(t, after.free_pages + 8 >= before.free_pages);
}

static void runs_return_memory(ktest_t *t, const char *path)
{
	runs_return_memory_n(t, path, 5);
}

KTEST(user_ipc_and_capabilities)
{
	/* Endpoints, notifications, messages and handle tables come back. */
	runs_return_memory(t, "bin/ipctest");
}

KTEST(user_job_limits)
{
	KTEST_EXPECT_EQ(t, run_program(t, "bin/jobtest"), 0);
}

KTEST(user_memory_objects)
{
	/* Objects, their pages and the mappings all come back. */
	runs_return_memory(t, "bin/memtest");
}

KTEST(user_every_right_is_checked)
{
	KTEST_EXPECT_EQ(t, run_program(t, "bin/rightstest"), 0);
}

/* Arguments, environment and named handles reach a child (rae/startup.h). */
KTEST(user_startup_convention)
{
	KTEST_EXPECT_EQ(t, run_program(t, "bin/startuptest"), 0);
}

KTEST(user_ipc_register_fast_path)
{
	KTEST_EXPECT_EQ(t, run_program(t, "bin/ipcfast"), 0);
}

/* Its verdict is about guest time (3 ms of server work per call against a
 * 9 ms budget): on host-clocked TCG a stalled host runs the budget out
 * mid-call and lets the hog in, so it runs only with exact guest time. */
KTEST_EXACT_TIME(user_ipc_donates_the_callers_scheduling_context)
{
	KTEST_EXPECT_EQ(t, run_program(t, "bin/donatetest"), 0);
}

KTEST(user_ipc_real_time_callers_go_first)
{
	KTEST_EXPECT_EQ(t, run_program(t, "bin/urgencytest"), 0);
}

/* The first user process gets the root resource and the initrd, and
 * nothing else (bootstrap.c); bin/initcheck checks what it received. */
/* Starts path as the first process (the bootstrap call, ten seconds to
 * answer it) and returns its exit status, or -1 if it did not start. */
static int run_first_process(ktest_t *t, const char *path)
{
	rae_status_t st;
	process_t *p = bootstrap_start(path, 10000000000ull, &st);
	if (!KTEST_EXPECT_EQ(t, st, RAE_OK) || !p)
		return -1;
	int status = -1;
	KTEST_EXPECT_EQ(t, process_wait(p, &status), RAE_OK);
	return status;
}

KTEST(user_first_process_bootstrap)
{
	rae_status_t st;
	KTEST_EXPECT_EQ(t, run_first_process(t, "bin/initcheck"), 0);
	/* A program that never answers the call is killed, not waited on. */
	KTEST_EXPECT(t, bootstrap_start("bin/hello", 2000000000ull, &st) == NULL);
	KTEST_EXPECT(t, st == RAE_ERR_TIMED_OUT || st == RAE_ERR_PEER_CLOSED);
}

KTEST(user_ipc_send_one_way)
{
	KTEST_EXPECT_EQ(t, run_program(t, "bin/ipcsend"), 0);
}

/* The file system service end to end: bin/vfstest gets the initrd as the
 * first process would, starts bin/vfsd on it and checks every operation,
 * sessions and a mount of a second vfsd (tools/test/log_checks.py checks
 * the console lines of the malformed entries that one skips). */
KTEST(user_vfs_service)
{
	KTEST_EXPECT_EQ(t, run_first_process(t, "bin/vfstest"), 0);
}

/* Random requests to rae-vfsd get error replies, never a dead server. */
KTEST(user_vfs_survives_garbage)
{
	KTEST_EXPECT_EQ(t, run_first_process(t, "bin/vfsgarbage"), 0);
}

/* rae-vfsd gives the pages of removed and truncated files back: bin/vfsmem
 * fills /tmp (47 MiB of files, 20 000 empty ones) and empties it, and
 * memory in use must come back to within 1 MiB each time. About 15 s under
 * TCG: a stress run of its own. */
KTEST_OWN_RUN(user_vfs_gives_memory_back)
{
	KTEST_EXPECT_EQ(t, run_first_process(t, "bin/vfsmem"), 0);
}

/* rae-vfsd forgets clients that die: bin/vfsdeath kills 1,000 clients
 * holding open files (many in the middle of a call); vfsd answers all
 * along, every session slot comes back, memory in use within 1 MiB. 15 to
 * 35 s under TCG: a stress run of its own. */
KTEST_OWN_RUN(user_vfs_forgets_dead_clients)
{
	KTEST_EXPECT_EQ(t, run_first_process(t, "bin/vfsdeath"), 0);
}

/* A C program's files go to rae-vfsd: bin/vfsposix starts vfsd on the
 * initrd and bin/libcfiles (apps/libc/libcfiles.c) with a handle to it;
 * stdio, directories, the working directory, dup2... (each case reported,
 * exit 0 only when all passed). */
KTEST(user_libc_files)
{
	KTEST_EXPECT_EQ(t, run_first_process(t, "bin/vfsposix"), 0);
}

/* Futexes, TLS bases, random bytes and private pages (bin/libccalls), and
 * all of it comes back, waiters killed in their waits included. */
KTEST(user_libc_kernel_calls)
{
	runs_return_memory_n(t, "bin/libccalls", 1); /* each run is long under -icount */
}

/* A C program built with tools/raeen-cc (musl and the POSIX runtime):
 * stdio, malloc, threads, TLS, clocks, math (apps/libc/libctest.c reports
 * each case and exits 0 only when all passed). */
KTEST(user_libc_program)
{
	KTEST_EXPECT_EQ(t, run_program(t, "bin/libctest"), 0);
}

/* Pipes within a process, across threads and to children; WAIT_NOHANG,
 * PROCESS_WATCH, JOB_PROCESSES / JOB_PROCESS and SYSTEM_INFO
 * (apps/tests/pipetest.c). Pipes, their buffers and watches come back. */
KTEST(user_pipes_and_process_queries)
{
	runs_return_memory_n(t, "bin/pipetest", 2);
}

/* KILL ends a process whatever its threads wait in (joins and nested joins
 * included), and new threads start with the stack the ABI promises. */
KTEST(user_kill_ends_every_wait)
{
	KTEST_EXPECT_EQ(t, run_program(t, "bin/killtest"), 0);
}

/* Servers hear of clients that are gone (HANDLE_MINT_WATCHED). */
KTEST(user_server_learns_client_death)
{
	runs_return_memory_n(t, "bin/clientdeath", 2);
}

/* Stacks stay stacks (never executable, guards never mapped) whatever the
 * layout, and thread stacks and refused creations give memory back. */
KTEST(user_stacks_are_mappings)
{
	KTEST_EXPECT_EQ(t, run_program(t, "bin/stacktest"), 0);
}

/* A thousand kills of a child at every point of its way into a wait
 * (bin/killloop): a boot of its own on 1, 2 and 4 CPUs (tools/test/matrix.py). */
KTEST_OWN_RUN(user_kill_loop)
{
	KTEST_EXPECT_EQ(t, run_program(t, "bin/killloop"), 0);
}

/* A program's bss comes page by page at first touch, to the program and to
 * the kernel writing into it. */
KTEST(user_bss_pages_on_demand)
{
	KTEST_EXPECT_EQ(t, run_program(t, "bin/demandtest"), 0);
}
