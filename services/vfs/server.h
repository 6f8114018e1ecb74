/* rae-vfsd's request handling: sessions (told apart by badge), their
 * descriptor tables, the operations of the vfs contract on the RAMFS, and
 * mount points that forward to other file-system services. */
#ifndef VFS_SERVER_H
#define VFS_SERVER_H

#include "ramfs.h"
#include <rae/vfs_contract.h>

#define VFS_MOUNTS_MAX      16
#define VFS_DATA_MAX        (64ull << 20) /* bytes of file blocks in the RAMFS */
#define VFS_MOUNT_TIMEOUT   500000000ull  /* for a mounted service to take our call */
#define VFS_BADGE_SESSION   (1ull << 63)  /* set in every session badge */
#define VFS_BADGE_SLOT_MASK 0xffull

typedef struct {
	ramfs_node_t *dir; /* NULL: a free slot */
	rae_handle_t session;
	uint32_t dev;
	uint32_t fds; /* descriptors open through it */
} vfs_mount_t;

typedef struct {
	bool used;
	uint32_t flags;     /* RAE_VFS_O_* */
	uint64_t pos;       /* file offset, or directory entry index */
	ramfs_node_t *node; /* a local file, or NULL */
	vfs_mount_t *mount; /* or a descriptor of a mounted service */
	int64_t remote_fd;
} vfs_fd_t;

typedef struct {
	uint64_t badge;
	bool admin;
	vfs_fd_t fds[RAE_VFS_FDS_MAX];
} vfs_session_t;

typedef struct {
	ramfs_t fs;
	rae_handle_t endpoint; /* READ (receive), WRITE and DUPLICATE (mint sessions) */
	const char *name;      /* for console messages: "vfsd" or "vfsd[name]" */
	vfs_session_t *sessions[RAE_VFS_SESSIONS_MAX];
	vfs_mount_t mounts[VFS_MOUNTS_MAX];
	uint64_t random;
	vfs_session_t *caller;       /* the session of the request being answered */
	ramfs_lookup_t lk_a, lk_b;   /* path lookups of that request (large) */
	uint8_t in[RAE_IPC_BUF_MAX]; /* the request's buffer */
	uint8_t out[RAE_IPC_BUF_MAX] __attribute__((aligned(8))); /* the reply's */
} vfs_server_t;

/* Prepares srv (its fs already filled) to serve on endpoint. */
void vfs_server_init(vfs_server_t *srv, rae_handle_t endpoint, const char *name);
/* Receives and answers requests until the endpoint fails; returns why. */
rae_status_t vfs_server_run(vfs_server_t *srv);
/* Prints "<name>: <what><line>" on the console in one write. */
void vfs_log(const vfs_server_t *srv, const char *what, const char *line);

#endif
