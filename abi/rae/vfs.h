/* The file-system protocol spoken by rae-vfsd (services/vfs) and by every
 * file-system service mounted into it: its flags, limits and records. The
 * requests are declared in services/contracts/vfs.contract, from which the
 * build generates the client stubs lib/librae/vfs_client.c calls and the
 * decoder services/vfs/server.c answers through; docs/services/vfs.md
 * explains sessions, limits and errors. Values are stable ABI. */
#ifndef RAE_VFS_H
#define RAE_VFS_H

#include <stdint.h>

/*
 * Every reply: the tag is a result, a value >= 0 (a file descriptor, a byte
 * count, an offset) or a negative rae_status_t; words and buffer as stated
 * per operation. A request a server cannot parse (unknown tag, wrong buffer
 * length, a path that is not a path, handles other than the request
 * declares) is answered RAE_ERR_INVALID, a path over RAE_VFS_PATH_MAX
 * RAE_ERR_RANGE; the handles that came with it are closed.
 *
 * Paths are in the buffer, without a NUL, at most RAE_VFS_PATH_MAX bytes,
 * each name at most RAE_VFS_NAME_MAX bytes and without a NUL byte. They are
 * resolved from the root of the service ("/etc/motd" and "etc/motd" are the
 * same; the caller's runtime keeps its working directory). "." and ".." work
 * as in POSIX (".." of the root is the root); repeated slashes count as one;
 * a trailing slash asks for a directory. Symbolic links are followed, at most
 * RAE_VFS_SYMLINK_MAX of them per lookup (RAE_ERR_LOOP past that).
 *
 * Sessions. A server tells clients apart by the badge of the handle they
 * call through. Badge RAE_VFS_BADGE_ADMIN (0, the endpoint handle its
 * starter holds) and every other badge without the top bit (handles a
 * starter mints for ordinary programs: RAE_VFS_BADGE_CONNECT, or the
 * service manager's badge naming a client) accept only OPEN_SESSION, the
 * latter for ordinary sessions; every other operation needs
 * a session handle, a handle minted by the server with a badge of its own
 * choosing and the rights WRITE and TRANSFER only (without DUPLICATE nobody
 * can mint another badge from it). Each session has its own table of file
 * descriptors, so a descriptor means nothing through another session's
 * handle. CLOSE_SESSION (or the server's end) frees the table; a call
 * through a session the server does not know (closed, or opened with an
 * earlier instance of a restarted server) gets RAE_ERR_PEER_CLOSED.
 */
#define RAE_VFS_BADGE_ADMIN   0 /* may mount and unmount; sessions opened here are admin ones */
#define RAE_VFS_BADGE_CONNECT 1 /* (as any badge without the top bit) may only open sessions */

/* The operations, their numbers and the layout of each request and reply
 * are declared in services/contracts/vfs.contract; the build generates
 * <rae/vfs_contract.h> from it (docs/contracts/vfs.md). */

/* OPEN flags (w0). Without READ and WRITE a descriptor can only be
 * stat'ed, listed or closed. */
#define RAE_VFS_O_READ      0x01
#define RAE_VFS_O_WRITE     0x02
#define RAE_VFS_O_CREATE    0x04 /* create a missing regular file */
#define RAE_VFS_O_TRUNCATE  0x08 /* cut a regular file to 0 bytes (needs WRITE) */
#define RAE_VFS_O_APPEND    0x10 /* every write goes to the end */
#define RAE_VFS_O_DIRECTORY 0x20 /* fail with RAE_ERR_NOT_DIR unless a directory */
#define RAE_VFS_O_EXCL      0x40 /* with CREATE: fail with RAE_ERR_EXISTS if it exists */
#define RAE_VFS_O_NOFOLLOW  0x80 /* a final symbolic link is RAE_ERR_LOOP */
#define RAE_VFS_O_ALL       0xff

#define RAE_VFS_AT_POSITION UINT64_MAX /* READ/WRITE w2: use the descriptor's position */

#define RAE_VFS_SEEK_SET 0
#define RAE_VFS_SEEK_CUR 1
#define RAE_VFS_SEEK_END 2

#define RAE_VFS_STAT_NOFOLLOW 0x1

/* Limits every server enforces. */
#define RAE_VFS_PATH_MAX     1024          /* bytes of a path */
#define RAE_VFS_NAME_MAX     255           /* bytes of one name */
#define RAE_VFS_SYMLINK_MAX  16            /* symbolic links followed in one lookup */
#define RAE_VFS_IO_MAX       4096          /* bytes per READ, WRITE or GETDENTS */
#define RAE_VFS_FILE_MAX     (16ull << 20) /* bytes in one RAMFS file */
#define RAE_VFS_FDS_MAX      64            /* open descriptors per session */
#define RAE_VFS_SESSIONS_MAX 64            /* sessions per server */

/* Mode: the POSIX file-type bits and permission bits. */
#define RAE_VFS_S_IFMT  0170000u
#define RAE_VFS_S_IFDIR 0040000u
#define RAE_VFS_S_IFREG 0100000u
#define RAE_VFS_S_IFLNK 0120000u

struct rae_stat {
	uint64_t ino;   /* unique within one service (device) */
	uint64_t size;  /* bytes; a symbolic link: its target's length */
	int64_t mtime;  /* seconds since 1970 (from the archive), or since boot */
	uint32_t mode;  /* RAE_VFS_S_IF* | permission bits */
	uint32_t nlink; /* names that refer to it */
	uint32_t dev;   /* which mounted service: 0 for the server's own files */
	uint32_t reserved;
};

/* Directory entry types (struct rae_dirent's type). */
#define RAE_VFS_DT_REG 1
#define RAE_VFS_DT_DIR 2
#define RAE_VFS_DT_LNK 3

/* GETDENTS packs these one after another; each starts 8-byte aligned and
 * reclen bytes after the previous one. name has namelen bytes and a NUL. */
struct rae_dirent {
	uint64_t ino;
	uint16_t reclen;
	uint8_t type;
	uint8_t namelen;
	char name[];
};

#endif
