/* The RAMFS: an in-memory tree of directories, regular files (growable,
 * sparse, in 4 KiB blocks, or backed by read-only archive data until their
 * first change) and symbolic links, with path resolution. Pure code: no IPC,
 * so the host tests and fuzzers run it as is. Single-threaded. */
#ifndef VFS_RAMFS_H
#define VFS_RAMFS_H

#include "vfs_base.h"
#include <rae/vfs.h>

#define RAMFS_BLOCK 4096

typedef struct ramfs_node ramfs_node_t;

typedef struct {
	char *name; /* not NUL-terminated */
	uint32_t len;
	ramfs_node_t *node;
} ramfs_entry_t;

struct ramfs_node {
	uint64_t ino;
	uint32_t mode;  /* RAE_VFS_S_IF* | permission bits */
	uint32_t nlink; /* directory entries naming it */
	uint32_t opens; /* descriptors holding it */
	int64_t mtime;
	union {
		struct {
			ramfs_node_t *parent; /* NULL for the root */
			ramfs_entry_t *entries;
			uint32_t count, cap;
			void *mount; /* the server's mount on this directory, or NULL */
		} dir;
		struct {
			uint64_t size;
			uint8_t **blocks; /* nblocks slots; a NULL slot is a hole */
			uint32_t nblocks;
			const uint8_t *backing; /* size bytes of read-only data, or NULL */
		} file;
		struct {
			char *target;
			uint32_t len;
		} link;
	} u;
};

typedef struct {
	ramfs_node_t *root;
	uint64_t next_ino;
	uint64_t data_bytes; /* in file blocks */
	uint64_t data_max;
	int64_t (*clock)(void); /* mtime of a change; NULL: changes keep times */
} ramfs_t;

#define RAMFS_FOLLOW 0x1 /* follow a final symbolic link */

/* What a path names. */
typedef struct {
	ramfs_node_t *node; /* NULL: the final name does not exist (parent holds where it would) */
	ramfs_node_t *parent; /* the directory holding the final name; NULL for "/", "." and ".." */
	char name[RAE_VFS_NAME_MAX + 1]; /* the final name, NUL-terminated */
	uint32_t name_len;
	bool dir_wanted;                 /* the path ended with a slash */
	void *mount;                     /* the path reached this mount: rest belongs to it */
	char rest[RAE_VFS_PATH_MAX + 1]; /* what is left below the mount point ("" for itself) */
	uint32_t rest_len;
} ramfs_lookup_t;

static inline bool ramfs_is_dir(const ramfs_node_t *n)
{
	return (n->mode & RAE_VFS_S_IFMT) == RAE_VFS_S_IFDIR;
}

static inline bool ramfs_is_file(const ramfs_node_t *n)
{
	return (n->mode & RAE_VFS_S_IFMT) == RAE_VFS_S_IFREG;
}

static inline bool ramfs_is_link(const ramfs_node_t *n)
{
	return (n->mode & RAE_VFS_S_IFMT) == RAE_VFS_S_IFLNK;
}

/* An empty file system (a root directory, mode 0755) whose file blocks may
 * take at most data_max bytes, without a clock (set fs->clock after).
 * RAE_ERR_NO_MEMORY. */
rae_status_t ramfs_init(ramfs_t *fs, uint64_t data_max);
/* Frees every node, whatever is still open. */
void ramfs_destroy(ramfs_t *fs);

/*
 * Resolves `len` bytes of `path` from the root. RAE_OK: *out says what it
 * names (node NULL when only the final name is missing), or that it reached
 * a mount (out->mount, out->rest). Errors: RAE_ERR_NOT_FOUND (a missing
 * directory on the way, or an empty path), RAE_ERR_NOT_DIR, RAE_ERR_LOOP
 * (more than RAE_VFS_SYMLINK_MAX links), RAE_ERR_RANGE (path or name too
 * long, also after expanding links), RAE_ERR_INVALID (a NUL byte).
 */
rae_status_t ramfs_lookup(ramfs_t *fs, const char *path, size_t len, unsigned flags,
			  ramfs_lookup_t *out);

/* Checks a name for a new entry: 1..NAME_MAX bytes, no '/' or NUL, not "."
 * or "..". */
bool ramfs_name_ok(const char *name, size_t len);

/* The entry `name` of directory dir, or NULL. */
ramfs_node_t *ramfs_dir_find(const ramfs_node_t *dir, const char *name, size_t len);

/* Creates a node in `parent` under a valid, unused name: a regular file or
 * directory (mode: RAE_VFS_S_IFREG or _IFDIR | permission bits) or, with
 * target, a symbolic link. RAE_ERR_EXISTS, RAE_ERR_INVALID (name),
 * RAE_ERR_NO_MEMORY, RAE_ERR_RANGE (target over RAE_VFS_PATH_MAX). */
rae_status_t ramfs_create(ramfs_t *fs, ramfs_node_t *parent, const char *name, size_t len,
			  uint32_t mode, ramfs_node_t **out);
rae_status_t ramfs_symlink(ramfs_t *fs, ramfs_node_t *parent, const char *name, size_t len,
			   const char *target, size_t target_len, ramfs_node_t **out);
/* Adds another name for an existing non-directory node (a hard link). */
rae_status_t ramfs_link(ramfs_t *fs, ramfs_node_t *parent, const char *name, size_t len,
			ramfs_node_t *node);
/* Removes the entry `name` from dir; the node goes when no entry and no
 * descriptor holds it. A directory must be empty (RAE_ERR_NOT_EMPTY).
 * RAE_ERR_NOT_FOUND. */
rae_status_t ramfs_remove(ramfs_t *fs, ramfs_node_t *dir, const char *name, size_t len);
/* POSIX rename within this file system (checks as rename(2): RAE_ERR_IS_DIR,
 * RAE_ERR_NOT_DIR, RAE_ERR_NOT_EMPTY, RAE_ERR_INVALID for moving a directory
 * below itself). */
rae_status_t ramfs_rename(ramfs_t *fs, ramfs_node_t *from_dir, const char *from, size_t from_len,
			  ramfs_node_t *to_dir, const char *to, size_t to_len);

/* A descriptor takes or drops its hold on a node. */
void ramfs_hold(ramfs_node_t *n);
void ramfs_release(ramfs_t *fs, ramfs_node_t *n);

/* Regular files. read returns bytes (0 past the end); write returns bytes
 * written or RAE_ERR_RANGE (past RAE_VFS_FILE_MAX), RAE_ERR_NO_MEMORY. */
int64_t ramfs_read(const ramfs_node_t *n, uint64_t off, void *buf, size_t len);
int64_t ramfs_write(ramfs_t *fs, ramfs_node_t *n, uint64_t off, const void *buf, size_t len);
rae_status_t ramfs_truncate(ramfs_t *fs, ramfs_node_t *n, uint64_t size);
/* Makes n a file of `size` bytes read from `data`, which must stay valid
 * and unchanged while n holds it (copied on the first change). */
void ramfs_set_backing(ramfs_t *fs, ramfs_node_t *n, const uint8_t *data, uint64_t size);

void ramfs_stat(const ramfs_node_t *n, struct rae_stat *st);

/* Packs directory entries from index *pos ("." is 0, ".." 1) into buf as
 * struct rae_dirent records; returns the bytes used (0 at the end) and
 * advances *pos; RAE_ERR_RANGE when not even one record fits. */
int64_t ramfs_getdents(const ramfs_node_t *dir, uint64_t *pos, void *buf, size_t cap);

#endif
