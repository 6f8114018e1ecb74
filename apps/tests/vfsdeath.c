/* rae-vfsd forgets clients that die (issue 12, item 4): started as the
 * first process would be, starts bin/vfsd on the initrd, then 1,000 times
 * starts bin/vfskilled (a client holding open files, three of them removed
 * so that only its descriptors keep their memory) and kills it: every
 * other one once it said it is ready (mid-call), the others at a random
 * moment of their start (before, while or after opening their session).
 * vfsd must answer all along, every session slot must come back (1,000 is
 * far more than the table's 64: a lost slot would soon refuse clients),
 * and memory in use must come back within 1 MiB. Exits with the number of
 * failed checks. */
#include <lib/format.h>
#include <rae.h>
#include <rae/process.h>
#include <rae_startup.h>
#include <rae_vfs.h>

#define CLIENTS     1000
#define SLACK_BYTES (1ull << 20)
#define MS          1000000ull

static int failures;
static rae_handle_t s;
static uint64_t rng;

static void check(int ok, const char *what)
{
	if (!ok) {
		failures++;
		rae_printf("vfsdeath: FAILED: %s\n", what);
	}
}

static uint64_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* Bytes in use: every page not free in the kernel's page allocator. */
static uint64_t used_bytes(void)
{
	rae_system_info_t info;
	if (rae_system_info(&info) != RAE_OK)
		return 0;
	return (info.total_pages - info.free_pages) * info.page_size;
}

/* Waits up to 10 s for the client to create /tmp/r<pid>, and removes it;
 * 0 if it did not (or ended first). */
static int wait_ready(int64_t child)
{
	char name[32];
	ksnprintf(name, sizeof(name), "/tmp/r%lld", (long long)rae_process_id((rae_handle_t)child));
	for (int i = 0; i < 10000; i++) {
		struct rae_stat st;
		if (rae_vfs_stat(s, name, &st) == RAE_OK)
			return rae_vfs_unlink(s, name) == RAE_OK;
		int status;
		if (rae_wait_nohang(child, &status) == RAE_OK)
			return 0;
		rae_sleep_ns(MS);
	}
	return 0;
}

/* Removes whatever killed clients left in /tmp (files they created but
 * were killed before removing, their ready files); returns how many. */
static int clean_tmp(void)
{
	static uint8_t buf[RAE_VFS_IO_MAX];
	static char names[64][300];
	int removed = 0, found;
	do {
		found = 0;
		int64_t dir = rae_vfs_open(s, "/tmp", RAE_VFS_O_DIRECTORY, 0);
		int64_t n = dir >= 0 ? rae_vfs_getdents(s, dir, buf, sizeof(buf)) : -1;
		for (int64_t at = 0; at < n && found < 64;) {
			const struct rae_dirent *d = (const struct rae_dirent *)(buf + at);
			if (d->reclen == 0)
				break;
			if (!(d->name[0] == '.' && (d->namelen == 1 || d->namelen == 2))) {
				ksnprintf(names[found++], sizeof(names[0]), "/tmp/%s", d->name);
			}
			at += d->reclen;
		}
		rae_vfs_close(s, dir);
		for (int i = 0; i < found; i++)
			removed += rae_vfs_unlink(s, names[i]) == RAE_OK;
	} while (found);
	return removed;
}

int main(uint64_t arg)
{
	rae_handle_t root = 0, initrd = 0;
	uint64_t bytes = 0;
	check(rae_bootstrap_receive((rae_handle_t)arg, &root, &initrd, &bytes) == RAE_OK,
	      "the bootstrap call");
	rae_handle_close(root);
	rng = rae_rdtsc() | 1;
	/* vfsd, this program and every client on CPU 0: a call is a switch,
	 * not a cross-CPU wake-up (slow under TCG). */
	rae_set_affinity(1);
	rae_handle_t ep = RAE_HANDLE_INVALID;
	rae_endpoint_create(&ep);
	rae_handle_t proc = RAE_HANDLE_INVALID;
	check(rae_vfs_start("bin/vfsd", ep, initrd, bytes, "death", 0, &proc) == RAE_OK,
	      "start bin/vfsd");
	check(rae_vfs_session_open(ep, &s) == RAE_OK, "open a session");
	int64_t made = rae_vfs_mkdir(s, "/tmp", 01777);
	check(made == RAE_OK || made == RAE_ERR_EXISTS, "/tmp");

	uint64_t before = used_bytes();
	int killed_ready = 0, bad_status = 0, unanswered = 0, done = 0;
	uint64_t t0 = rae_clock_ns();
	for (int i = 0; i < CLIENTS; i++) {
		rae_handle_t connect = RAE_HANDLE_INVALID;
		rae_handle_mint(ep, RAE_RIGHT_WRITE | RAE_RIGHT_TRANSFER, RAE_VFS_BADGE_CONNECT,
				&connect);
		rae_handle_t child = RAE_HANDLE_INVALID;
		rae_spawn_with("bin/vfskilled", connect, 0, &child);
		if (!child) {
			check(0, "start a client");
			break;
		}
		if (i % 2 == 0) {
			int ok = wait_ready(child);
			killed_ready += ok;
			rae_sleep_ns(next() % (2 * MS));
		} else {
			rae_sleep_ns(next() % (3 * MS));
		}
		rae_kill(child);
		int status = 0;
		rae_wait(child, &status);
		/* A client only ends by the kill; exit 1 means vfsd refused it. */
		if (status != RAE_EXIT_KILLED) {
			bad_status++;
			rae_printf("vfsdeath: client %d ended with status %d\n", i, status);
			if (bad_status == 10)
				break; /* failed; no need to go through all of them */
		}
		rae_handle_close(child);
		done++;
		struct rae_stat st;
		unanswered += rae_vfs_stat(s, "/etc/motd", &st) != RAE_OK;
		if ((i + 1) % 100 == 0)
			rae_printf("vfsdeath: %d clients killed, %llu ms\n", i + 1,
				   (unsigned long long)((rae_clock_ns() - t0) / MS));
	}
	check(killed_ready == CLIENTS / 2, "every other client killed while holding files");
	rae_printf("vfsdeath: %d clients killed, %d of them once ready, in %llu ms\n", done,
		   killed_ready, (unsigned long long)((rae_clock_ns() - t0) / MS));
	check(bad_status == 0, "every client was served until it was killed");
	check(unanswered == 0, "vfsd answered between the kills");

	/* Every slot is free again: the whole table but ours can be had. */
	static rae_handle_t more[RAE_VFS_SESSIONS_MAX];
	rae_handle_t connect = RAE_HANDLE_INVALID;
	rae_handle_mint(ep, RAE_RIGHT_WRITE | RAE_RIGHT_TRANSFER, RAE_VFS_BADGE_CONNECT, &connect);
	int opened = 0;
	for (int i = 0; i < RAE_VFS_SESSIONS_MAX - 1; i++)
		opened += rae_vfs_session_open(connect, &more[i]) == RAE_OK;
	rae_printf("vfsdeath: %d of %d sessions opened after the kills\n", opened,
		   RAE_VFS_SESSIONS_MAX - 1);
	check(opened == RAE_VFS_SESSIONS_MAX - 1, "every session slot came back");
	rae_handle_t extra;
	check(rae_vfs_session_open(connect, &extra) == RAE_ERR_LIMIT,
	      "the table holds 64 sessions (fewer than the clients killed)");
	for (int i = 0; i < opened; i++)
		check(rae_vfs_session_close(more[i]) == RAE_OK, "close a session");
	rae_handle_close(connect);

	int left = clean_tmp();
	uint64_t after = used_bytes();
	rae_printf("vfsdeath: %d files left by killed clients removed; used before %llu KiB, "
		   "after %llu KiB\n",
		   left, (unsigned long long)(before >> 10), (unsigned long long)(after >> 10));
	check(after <= before + SLACK_BYTES, "memory in use came back within 1 MiB");

	rae_vfs_session_close(s);
	rae_kill(proc);
	rae_wait(proc, NULL);
	if (!failures)
		rae_puts("vfsdeath: all checks passed\n");
	return failures;
}
