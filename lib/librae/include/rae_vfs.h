/* The file-system client: one function per operation of the vfs contract
 * (services/contracts/vfs.contract; the generated stubs, vfs_*_call, are
 * declared in <rae/vfs_contract.h>),
 * called with a session handle (rae_vfs_session_open). Results are those of
 * the protocol: a value >= 0 or a negative rae_status_t; an IPC failure
 * (RAE_ERR_PEER_CLOSED when the server is gone, RAE_ERR_BAD_HANDLE...) is
 * returned as is. The POSIX runtime builds open(), read()... on these. */
#ifndef RAE_VFS_CLIENT_H
#define RAE_VFS_CLIENT_H

#include <rae.h>
#include <rae/vfs.h>
#include <rae/vfs_contract.h>

/* How long a call may wait for the server to take it (not for its reply). */
#define RAE_VFS_CALL_TIMEOUT_NS 5000000000ull

/* Opens a session through `server` (an admin or connect handle, or another
 * session); *session gets its handle (WRITE, TRANSFER). */
rae_status_t rae_vfs_session_open(rae_handle_t server, rae_handle_t *session);
/* The same, failing with RAE_ERR_TIMED_OUT unless the server takes the call
 * within timeout_ns (a server mounting another uses a short one). */
rae_status_t rae_vfs_session_open_within(rae_handle_t server, uint64_t timeout_ns,
					 rae_handle_t *session);
/* Closes every descriptor of the session, then the handle itself. */
rae_status_t rae_vfs_session_close(rae_handle_t session);

int64_t rae_vfs_open(rae_handle_t s, const char *path, uint32_t flags, uint32_t perm);
rae_status_t rae_vfs_close(rae_handle_t s, int64_t fd);
/* Reads up to n bytes at the descriptor's position (advancing it), in as
 * many calls as needed; fewer only at the end of the file. */
int64_t rae_vfs_read(rae_handle_t s, int64_t fd, void *buf, size_t n);
/* The same at `offset`, leaving the position alone. */
int64_t rae_vfs_pread(rae_handle_t s, int64_t fd, void *buf, size_t n, uint64_t offset);
int64_t rae_vfs_write(rae_handle_t s, int64_t fd, const void *buf, size_t n);
int64_t rae_vfs_pwrite(rae_handle_t s, int64_t fd, const void *buf, size_t n, uint64_t offset);
int64_t rae_vfs_seek(rae_handle_t s, int64_t fd, int64_t offset, uint32_t whence);
rae_status_t rae_vfs_stat(rae_handle_t s, const char *path, struct rae_stat *st);
rae_status_t rae_vfs_lstat(rae_handle_t s, const char *path, struct rae_stat *st);
rae_status_t rae_vfs_fstat(rae_handle_t s, int64_t fd, struct rae_stat *st);
/* Fills buf (cap bytes, at most RAE_VFS_IO_MAX used) with whole struct
 * rae_dirent records; returns their bytes, 0 at the end. */
int64_t rae_vfs_getdents(rae_handle_t s, int64_t fd, void *buf, size_t cap);
rae_status_t rae_vfs_mkdir(rae_handle_t s, const char *path, uint32_t perm);
rae_status_t rae_vfs_unlink(rae_handle_t s, const char *path);
rae_status_t rae_vfs_rmdir(rae_handle_t s, const char *path);
rae_status_t rae_vfs_rename(rae_handle_t s, const char *from, const char *to);
rae_status_t rae_vfs_symlink(rae_handle_t s, const char *target, const char *path);
/* Copies the target (without a NUL) into buf; returns its full length,
 * which may exceed cap. */
int64_t rae_vfs_readlink(rae_handle_t s, const char *path, char *buf, size_t cap);
rae_status_t rae_vfs_truncate(rae_handle_t s, int64_t fd, uint64_t size);
/* Admin sessions: mounts the service behind `fs` (an endpoint handle,
 * which moves to the server) on the directory `path`. */
rae_status_t rae_vfs_mount(rae_handle_t s, const char *path, rae_handle_t fs);
rae_status_t rae_vfs_unmount(rae_handle_t s, const char *path);

/*
 * Starts `path` (bin/vfsd) as a file-system service by the start-up
 * convention, serving the endpoint `service` (the caller keeps its handle,
 * which needs DUPLICATE, and with badge 0 it is the admin handle), filled
 * from `initrd_bytes` of USTAR archive in the memory object `initrd` (kept
 * too; needs DUPLICATE, READ, MAP; RAE_HANDLE_INVALID for an empty file
 * system); `name` (may be NULL) prefixes its console lines; `cpu` >= 0 pins
 * it to that CPU (a client pinned there too reaches it without a cross-CPU
 * wake-up per call), -1 lets it run anywhere. Returns RAE_OK with the
 * process handle in *proc, or an error.
 */
rae_status_t rae_vfs_start(const char *path, rae_handle_t service, rae_handle_t initrd,
			   uint64_t initrd_bytes, const char *name, int cpu, rae_handle_t *proc);

#endif
