/* Loads a USTAR archive (the initrd) into a RAMFS. Every header is checked
 * (magic, checksum, octal fields, sizes inside the archive, names, link
 * targets); an entry that breaks a rule is skipped with a one-line report
 * and the rest of the archive still loads. Pure code, fuzzed on the host. */
#ifndef VFS_TAR_H
#define VFS_TAR_H

#include "ramfs.h"

/* Receives one line (no newline) about the archive, e.g. "skipped entry 3
 * 'x' at offset 1536: header checksum mismatch". */
typedef void (*vfs_tar_report_t)(void *ctx, const char *line);

typedef struct {
	unsigned files, dirs, symlinks, hardlinks; /* entries loaded */
	unsigned skipped;                          /* entries reported and left out */
} vfs_tar_stats_t;

/*
 * Loads the archive [data, data + size) into fs. File contents are not
 * copied: files read from the archive until they are first changed, so it
 * must stay mapped and unchanged while fs lives. A header that cannot be
 * trusted (magic, checksum, size field) is skipped together with every
 * block up to the next valid header; any other bad entry is skipped alone.
 * Always returns RAE_OK; *stats says what happened.
 */
rae_status_t vfs_tar_load(ramfs_t *fs, const uint8_t *data, size_t size, vfs_tar_report_t report,
			  void *ctx, vfs_tar_stats_t *stats);

#endif
