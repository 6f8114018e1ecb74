/* Shared by the tar loader's host test and its fuzzer: sealing a header's
 * checksum, and the invariants a loaded tree must keep whatever the
 * archive held (abort() on a broken one, so libFuzzer and cmocka see it). */
#ifndef TAR_CHECK_H
#define TAR_CHECK_H

#include <stdio.h>
#include <stdlib.h>

#include "ramfs.h"

/* Writes the header's checksum as tar does: six octal digits, NUL, space. */
static inline void tar_check_seal(uint8_t *h)
{
	unsigned sum = 0;
	for (int i = 0; i < 512; i++)
		sum += i >= 148 && i < 156 ? ' ' : h[i];
	char tmp[8];
	snprintf(tmp, sizeof(tmp), "%06o", sum & 0777777);
	memcpy(h + 148, tmp, 6);
	h[154] = 0;
	h[155] = ' ';
}

static inline void tar_check_node(const ramfs_node_t *dir, const uint8_t *data, size_t size,
				  unsigned depth)
{
	if (depth > 200)
		abort(); /* deeper than any 256-byte archive name allows */
	for (uint32_t i = 0; i < dir->u.dir.count; i++) {
		const ramfs_entry_t *e = &dir->u.dir.entries[i];
		const ramfs_node_t *n = e->node;
		if (!n || !ramfs_name_ok(e->name, e->len) || n->nlink == 0)
			abort();
		if (ramfs_is_dir(n)) {
			if (n->u.dir.parent != dir || n->u.dir.mount)
				abort();
			tar_check_node(n, data, size, depth + 1);
		} else if (ramfs_is_file(n)) {
			const uint8_t *b = n->u.file.backing;
			if (n->u.file.size > RAE_VFS_FILE_MAX)
				abort();
			if (b && (b < data || b > data + size ||
				  n->u.file.size > (uint64_t)(data + size - b)))
				abort(); /* a file reading outside the archive */
			if (!b && n->u.file.size)
				abort();
		} else if (ramfs_is_link(n)) {
			if (n->u.link.len == 0 || n->u.link.len > 100 || n->u.link.target[0] == '/')
				abort();
		} else {
			abort();
		}
	}
}

static inline void tar_check_tree(const ramfs_t *fs, const uint8_t *data, size_t size)
{
	if (!ramfs_is_dir(fs->root) || fs->root->u.dir.parent)
		abort();
	tar_check_node(fs->root, data, size, 0);
}

#endif
