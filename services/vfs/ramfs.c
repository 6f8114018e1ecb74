/* The RAMFS tree (ramfs.h): nodes, directory entries, file blocks and
 * path resolution. Every size is checked before it is used; a failed
 * allocation leaves the tree as it was. */
#include "ramfs.h"

/* A change stamps n with the clock; without one (loading an archive,
 * whose times are kept) times stay as they are. */
static void ramfs_touch(const ramfs_t *fs, ramfs_node_t *n)
{
	if (fs->clock)
		n->mtime = fs->clock();
}

static ramfs_node_t *ramfs_node_new(ramfs_t *fs, uint32_t mode)
{
	ramfs_node_t *n = vfs_zalloc(sizeof(*n));
	if (!n)
		return NULL;
	n->ino = fs->next_ino++;
	n->mode = mode;
	ramfs_touch(fs, n);
	return n;
}

static void ramfs_file_clear(ramfs_t *fs, ramfs_node_t *n)
{
	for (uint32_t i = 0; i < n->u.file.nblocks; i++) {
		if (n->u.file.blocks[i]) {
			vfs_free(n->u.file.blocks[i]);
			fs->data_bytes -= RAMFS_BLOCK;
		}
	}
	vfs_free(n->u.file.blocks);
	n->u.file.blocks = NULL;
	n->u.file.nblocks = 0;
	n->u.file.backing = NULL;
	n->u.file.size = 0;
}

/* Frees a node nobody names or holds any more (a directory is empty). */
static void ramfs_node_free(ramfs_t *fs, ramfs_node_t *n)
{
	if (ramfs_is_file(n))
		ramfs_file_clear(fs, n);
	else if (ramfs_is_link(n))
		vfs_free(n->u.link.target);
	else
		vfs_free(n->u.dir.entries);
	vfs_free(n);
}

static void ramfs_unref(ramfs_t *fs, ramfs_node_t *n)
{
	if (n->nlink == 0 && n->opens == 0)
		ramfs_node_free(fs, n);
}

rae_status_t ramfs_init(ramfs_t *fs, uint64_t data_max)
{
	fs->next_ino = 1;
	fs->clock = NULL;
	fs->data_bytes = 0;
	fs->data_max = data_max;
	fs->root = ramfs_node_new(fs, RAE_VFS_S_IFDIR | 0755);
	if (!fs->root)
		return RAE_ERR_NO_MEMORY;
	fs->root->nlink = 1;
	return RAE_OK;
}

void ramfs_destroy(ramfs_t *fs)
{
	/* Iterative, through parent pointers: trees can be deeper than any
	 * stack would like. */
	ramfs_node_t *n = fs->root;
	while (n) {
		if (n->u.dir.count > 0) {
			ramfs_entry_t *e = &n->u.dir.entries[--n->u.dir.count];
			ramfs_node_t *child = e->node;
			vfs_free(e->name);
			if (ramfs_is_dir(child)) {
				n = child;
				continue;
			}
			child->nlink--;
			child->opens = 0;
			ramfs_unref(fs, child);
			continue;
		}
		ramfs_node_t *up = n->u.dir.parent;
		ramfs_node_free(fs, n);
		n = up;
	}
	fs->root = NULL;
}

bool ramfs_name_ok(const char *name, size_t len)
{
	if (len == 0 || len > RAE_VFS_NAME_MAX)
		return false;
	if ((len == 1 && name[0] == '.') || (len == 2 && name[0] == '.' && name[1] == '.'))
		return false;
	for (size_t i = 0; i < len; i++) {
		if (name[i] == '/' || name[i] == '\0')
			return false;
	}
	return true;
}

static ramfs_entry_t *ramfs_entry_find(const ramfs_node_t *dir, const char *name, size_t len)
{
	for (uint32_t i = 0; i < dir->u.dir.count; i++) {
		ramfs_entry_t *e = &dir->u.dir.entries[i];
		if (e->len == len && memcmp(e->name, name, len) == 0)
			return e;
	}
	return NULL;
}

ramfs_node_t *ramfs_dir_find(const ramfs_node_t *dir, const char *name, size_t len)
{
	ramfs_entry_t *e = ramfs_entry_find(dir, name, len);
	return e ? e->node : NULL;
}

/* Adds an entry for node (its nlink counts it). */
static rae_status_t ramfs_entry_add(ramfs_t *fs, ramfs_node_t *dir, const char *name, size_t len,
				    ramfs_node_t *node)
{
	if (!ramfs_name_ok(name, len))
		return RAE_ERR_INVALID;
	if (ramfs_entry_find(dir, name, len))
		return RAE_ERR_EXISTS;
	if (dir->u.dir.count == dir->u.dir.cap) {
		uint32_t cap = dir->u.dir.cap ? dir->u.dir.cap * 2 : 8;
		ramfs_entry_t *e = vfs_realloc(dir->u.dir.entries, cap * sizeof(*e));
		if (!e)
			return RAE_ERR_NO_MEMORY;
		dir->u.dir.entries = e;
		dir->u.dir.cap = cap;
	}
	char *copy = vfs_alloc(len);
	if (!copy)
		return RAE_ERR_NO_MEMORY;
	memcpy(copy, name, len);
	dir->u.dir.entries[dir->u.dir.count++] = (ramfs_entry_t){copy, (uint32_t)len, node};
	node->nlink++;
	if (ramfs_is_dir(node))
		node->u.dir.parent = dir;
	ramfs_touch(fs, dir);
	return RAE_OK;
}

rae_status_t ramfs_create(ramfs_t *fs, ramfs_node_t *parent, const char *name, size_t len,
			  uint32_t mode, ramfs_node_t **out)
{
	uint32_t type = mode & RAE_VFS_S_IFMT;
	if (type != RAE_VFS_S_IFREG && type != RAE_VFS_S_IFDIR)
		return RAE_ERR_INVALID;
	ramfs_node_t *n = ramfs_node_new(fs, type | (mode & 07777));
	if (!n)
		return RAE_ERR_NO_MEMORY;
	rae_status_t st = ramfs_entry_add(fs, parent, name, len, n);
	if (st != RAE_OK) {
		ramfs_node_free(fs, n);
		return st;
	}
	*out = n;
	return RAE_OK;
}

rae_status_t ramfs_symlink(ramfs_t *fs, ramfs_node_t *parent, const char *name, size_t len,
			   const char *target, size_t target_len, ramfs_node_t **out)
{
	if (target_len > RAE_VFS_PATH_MAX)
		return RAE_ERR_RANGE;
	if (target_len == 0 || memchr(target, 0, target_len))
		return RAE_ERR_INVALID;
	ramfs_node_t *n = ramfs_node_new(fs, RAE_VFS_S_IFLNK | 0777);
	if (!n)
		return RAE_ERR_NO_MEMORY;
	n->u.link.target = vfs_alloc(target_len);
	if (!n->u.link.target) {
		vfs_free(n);
		return RAE_ERR_NO_MEMORY;
	}
	memcpy(n->u.link.target, target, target_len);
	n->u.link.len = (uint32_t)target_len;
	rae_status_t st = ramfs_entry_add(fs, parent, name, len, n);
	if (st != RAE_OK) {
		ramfs_node_free(fs, n);
		return st;
	}
	if (out)
		*out = n;
	return RAE_OK;
}

rae_status_t ramfs_link(ramfs_t *fs, ramfs_node_t *parent, const char *name, size_t len,
			ramfs_node_t *node)
{
	if (ramfs_is_dir(node))
		return RAE_ERR_IS_DIR;
	return ramfs_entry_add(fs, parent, name, len, node);
}

/* Drops entry e of dir (the node's nlink, the name, the slot). */
static void ramfs_entry_drop(ramfs_t *fs, ramfs_node_t *dir, ramfs_entry_t *e)
{
	ramfs_node_t *n = e->node;
	vfs_free(e->name);
	*e = dir->u.dir.entries[--dir->u.dir.count];
	/* A directory that was large and emptied gives its array back, in
	 * halves, so adding and removing at the edge does not move it each
	 * time. A failed move keeps the bigger array. */
	uint32_t cap = dir->u.dir.cap;
	if (cap > 8 && dir->u.dir.count <= cap / 4) {
		ramfs_entry_t *smaller = vfs_realloc(dir->u.dir.entries, cap / 2 * sizeof(*e));
		if (smaller) {
			dir->u.dir.entries = smaller;
			dir->u.dir.cap = cap / 2;
		}
	}
	n->nlink--;
	if (ramfs_is_dir(n))
		n->u.dir.parent = NULL;
	ramfs_touch(fs, dir);
	ramfs_unref(fs, n);
}

rae_status_t ramfs_remove(ramfs_t *fs, ramfs_node_t *dir, const char *name, size_t len)
{
	ramfs_entry_t *e = ramfs_entry_find(dir, name, len);
	if (!e)
		return RAE_ERR_NOT_FOUND;
	if (ramfs_is_dir(e->node) && e->node->u.dir.count > 0)
		return RAE_ERR_NOT_EMPTY;
	ramfs_entry_drop(fs, dir, e);
	return RAE_OK;
}

rae_status_t ramfs_rename(ramfs_t *fs, ramfs_node_t *from_dir, const char *from, size_t from_len,
			  ramfs_node_t *to_dir, const char *to, size_t to_len)
{
	ramfs_entry_t *src = ramfs_entry_find(from_dir, from, from_len);
	if (!src)
		return RAE_ERR_NOT_FOUND;
	if (!ramfs_name_ok(to, to_len))
		return RAE_ERR_INVALID;
	ramfs_node_t *n = src->node;
	if (ramfs_is_dir(n)) {
		/* Not below itself: walk up from the new parent. */
		for (ramfs_node_t *d = to_dir; d; d = d->u.dir.parent) {
			if (d == n)
				return RAE_ERR_INVALID;
		}
	}
	ramfs_entry_t *dst = ramfs_entry_find(to_dir, to, to_len);
	if (dst) {
		ramfs_node_t *old = dst->node;
		if (old == n)
			return RAE_OK; /* two names of one node: nothing to do */
		if (ramfs_is_dir(n) && !ramfs_is_dir(old))
			return RAE_ERR_NOT_DIR;
		if (!ramfs_is_dir(n) && ramfs_is_dir(old))
			return RAE_ERR_IS_DIR;
		if (ramfs_is_dir(old) && old->u.dir.count > 0)
			return RAE_ERR_NOT_EMPTY;
		if (ramfs_is_dir(old) && old->u.dir.mount)
			return RAE_ERR_BUSY;
		/* Point the existing entry at n, then drop the source entry. */
		dst->node = n;
		n->nlink++;
		if (ramfs_is_dir(n))
			n->u.dir.parent = to_dir;
		old->nlink--;
		if (ramfs_is_dir(old))
			old->u.dir.parent = NULL;
		ramfs_unref(fs, old);
		src = ramfs_entry_find(from_dir, from, from_len);
		ramfs_entry_drop(fs, from_dir, src);
		if (ramfs_is_dir(n))
			n->u.dir.parent = to_dir;
		ramfs_touch(fs, to_dir);
		return RAE_OK;
	}
	rae_status_t st = ramfs_entry_add(fs, to_dir, to, to_len, n);
	if (st != RAE_OK)
		return st;
	src = ramfs_entry_find(from_dir, from, from_len); /* add may have moved the array */
	ramfs_entry_drop(fs, from_dir, src);
	if (ramfs_is_dir(n))
		n->u.dir.parent = to_dir;
	return RAE_OK;
}

void ramfs_hold(ramfs_node_t *n)
{
	n->opens++;
}

void ramfs_release(ramfs_t *fs, ramfs_node_t *n)
{
	n->opens--;
	ramfs_unref(fs, n);
}

/* --- path resolution ------------------------------------------------------ */

/* Room for a path with one link expanded into it. */
#define RAMFS_WORK_MAX (2 * RAE_VFS_PATH_MAX + 2)

/* Fills out for a final node that exists. */
static void ramfs_lookup_found(ramfs_lookup_t *out, ramfs_node_t *node, ramfs_node_t *parent,
			       const char *name, size_t len)
{
	out->node = node;
	out->parent = parent;
	memcpy(out->name, name, len);
	out->name[len] = 0;
	out->name_len = (uint32_t)len;
	if (ramfs_is_dir(node) && node->u.dir.mount)
		out->mount = node->u.dir.mount;
}

rae_status_t ramfs_lookup(ramfs_t *fs, const char *path, size_t len, unsigned flags,
			  ramfs_lookup_t *out)
{
	char work[RAMFS_WORK_MAX];
	out->node = out->parent = NULL;
	out->name[0] = 0;
	out->name_len = 0;
	out->dir_wanted = false;
	out->mount = NULL;
	out->rest[0] = 0;
	out->rest_len = 0;
	if (len > RAE_VFS_PATH_MAX)
		return RAE_ERR_RANGE;
	if (len == 0)
		return RAE_ERR_NOT_FOUND;
	if (memchr(path, 0, len))
		return RAE_ERR_INVALID;
	memcpy(work, path, len);
	size_t pos = 0, end = len;
	ramfs_node_t *cur = fs->root;
	unsigned links = 0;
	for (;;) {
		while (pos < end && work[pos] == '/')
			pos++;
		if (pos == end) {
			/* "/" or a path that ended in a directory through a link. */
			ramfs_lookup_found(out, cur, NULL, ".", 1);
			out->dir_wanted = true;
			return RAE_OK;
		}
		size_t start = pos;
		while (pos < end && work[pos] != '/')
			pos++;
		size_t n = pos - start, after = pos;
		while (after < end && work[after] == '/')
			after++;
		bool last = after == end, slash = last && after > pos;
		const char *comp = work + start;
		if (n > RAE_VFS_NAME_MAX)
			return RAE_ERR_RANGE;
		if (!ramfs_is_dir(cur))
			return RAE_ERR_NOT_DIR;
		bool dot = n == 1 && comp[0] == '.';
		bool dotdot = n == 2 && comp[0] == '.' && comp[1] == '.';
		if (dot || dotdot) {
			if (dotdot && cur->u.dir.parent)
				cur = cur->u.dir.parent;
			if (last) {
				ramfs_lookup_found(out, cur, NULL, comp, n);
				out->dir_wanted = slash;
				return RAE_OK;
			}
			pos = after;
			continue;
		}
		if (cur->u.dir.mount) {
			/* The rest is the mounted service's to resolve. */
			size_t rest = end - start;
			if (rest > RAE_VFS_PATH_MAX)
				return RAE_ERR_RANGE;
			out->mount = cur->u.dir.mount;
			out->node = cur;
			memcpy(out->rest, comp, rest);
			out->rest[rest] = 0;
			out->rest_len = (uint32_t)rest;
			return RAE_OK;
		}
		ramfs_node_t *child = ramfs_dir_find(cur, comp, n);
		if (!child) {
			if (!last)
				return RAE_ERR_NOT_FOUND;
			out->parent = cur;
			memcpy(out->name, comp, n);
			out->name[n] = 0;
			out->name_len = (uint32_t)n;
			out->dir_wanted = slash;
			return RAE_OK;
		}
		if (ramfs_is_link(child) && (!last || slash || (flags & RAMFS_FOLLOW))) {
			if (++links > RAE_VFS_SYMLINK_MAX)
				return RAE_ERR_LOOP;
			/* work becomes target + what followed the link. */
			char next[RAMFS_WORK_MAX];
			size_t tlen = child->u.link.len,
			       tail = last ? (slash ? 1 : 0) : end - after + 1;
			if (tlen + tail > RAMFS_WORK_MAX)
				return RAE_ERR_RANGE;
			memcpy(next, child->u.link.target, tlen);
			if (tail) {
				next[tlen] = '/';
				memcpy(next + tlen + 1, work + after, tail - 1);
			}
			memcpy(work, next, tlen + tail);
			end = tlen + tail;
			pos = 0;
			if (work[0] == '/')
				cur = fs->root;
			continue;
		}
		if (last) {
			if (slash && !ramfs_is_dir(child))
				return RAE_ERR_NOT_DIR;
			ramfs_lookup_found(out, child, cur, comp, n);
			out->dir_wanted = slash;
			return RAE_OK;
		}
		cur = child;
		pos = after;
	}
}

/* --- regular files -------------------------------------------------------- */

/* Makes sure the block table has `count` slots. */
static rae_status_t ramfs_blocks_reserve(ramfs_node_t *n, uint64_t count)
{
	if (count <= n->u.file.nblocks)
		return RAE_OK;
	uint64_t cap = n->u.file.nblocks ? n->u.file.nblocks : 4;
	while (cap < count)
		cap *= 2;
	uint8_t **b = vfs_realloc(n->u.file.blocks, cap * sizeof(*b));
	if (!b)
		return RAE_ERR_NO_MEMORY;
	memset(b + n->u.file.nblocks, 0, (cap - n->u.file.nblocks) * sizeof(*b));
	n->u.file.blocks = b;
	n->u.file.nblocks = (uint32_t)cap;
	return RAE_OK;
}

static uint8_t *ramfs_block_new(ramfs_t *fs)
{
	if (fs->data_bytes + RAMFS_BLOCK > fs->data_max)
		return NULL;
	uint8_t *b = vfs_zalloc(RAMFS_BLOCK);
	if (b)
		fs->data_bytes += RAMFS_BLOCK;
	return b;
}

/* Copies backing data into blocks of the file's own before a change. */
static rae_status_t ramfs_unshare(ramfs_t *fs, ramfs_node_t *n)
{
	const uint8_t *data = n->u.file.backing;
	if (!data)
		return RAE_OK;
	uint64_t size = n->u.file.size, count = (size + RAMFS_BLOCK - 1) / RAMFS_BLOCK;
	rae_status_t st = ramfs_blocks_reserve(n, count);
	for (uint64_t i = 0; i < count && st == RAE_OK; i++) {
		uint8_t *b = ramfs_block_new(fs);
		if (!b) {
			st = RAE_ERR_NO_MEMORY;
			break;
		}
		uint64_t off = i * RAMFS_BLOCK,
			 k = size - off < RAMFS_BLOCK ? size - off : RAMFS_BLOCK;
		memcpy(b, data + off, k);
		n->u.file.blocks[i] = b;
	}
	if (st != RAE_OK) {
		/* Back to the shared data: free what was copied. */
		for (uint32_t i = 0; i < n->u.file.nblocks; i++) {
			if (n->u.file.blocks[i]) {
				vfs_free(n->u.file.blocks[i]);
				n->u.file.blocks[i] = NULL;
				fs->data_bytes -= RAMFS_BLOCK;
			}
		}
		return st;
	}
	n->u.file.backing = NULL;
	return RAE_OK;
}

void ramfs_set_backing(ramfs_t *fs, ramfs_node_t *n, const uint8_t *data, uint64_t size)
{
	ramfs_file_clear(fs, n);
	n->u.file.backing = size ? data : NULL;
	n->u.file.size = size;
}

int64_t ramfs_read(const ramfs_node_t *n, uint64_t off, void *buf, size_t len)
{
	uint64_t size = n->u.file.size;
	if (off >= size)
		return 0;
	if (len > size - off)
		len = (size_t)(size - off);
	if (n->u.file.backing) {
		memcpy(buf, n->u.file.backing + off, len);
		return (int64_t)len;
	}
	for (size_t done = 0; done < len;) {
		uint64_t at = off + done, i = at / RAMFS_BLOCK, in = at % RAMFS_BLOCK;
		size_t k = RAMFS_BLOCK - in < len - done ? RAMFS_BLOCK - in : len - done;
		const uint8_t *b = i < n->u.file.nblocks ? n->u.file.blocks[i] : NULL;
		if (b)
			memcpy((uint8_t *)buf + done, b + in, k);
		else
			memset((uint8_t *)buf + done, 0, k);
		done += k;
	}
	return (int64_t)len;
}

int64_t ramfs_write(ramfs_t *fs, ramfs_node_t *n, uint64_t off, const void *buf, size_t len)
{
	if (off >= RAE_VFS_FILE_MAX)
		return len ? RAE_ERR_RANGE : 0;
	if (len > RAE_VFS_FILE_MAX - off)
		len = (size_t)(RAE_VFS_FILE_MAX - off);
	if (len == 0)
		return 0;
	rae_status_t st = ramfs_unshare(fs, n);
	if (st == RAE_OK)
		st = ramfs_blocks_reserve(n, (off + len + RAMFS_BLOCK - 1) / RAMFS_BLOCK);
	if (st != RAE_OK)
		return st;
	size_t done = 0;
	while (done < len) {
		uint64_t at = off + done, i = at / RAMFS_BLOCK, in = at % RAMFS_BLOCK;
		size_t k = RAMFS_BLOCK - in < len - done ? RAMFS_BLOCK - in : len - done;
		if (!n->u.file.blocks[i]) {
			n->u.file.blocks[i] = ramfs_block_new(fs);
			if (!n->u.file.blocks[i])
				break;
		}
		memcpy(n->u.file.blocks[i] + in, (const uint8_t *)buf + done, k);
		done += k;
	}
	if (done == 0)
		return RAE_ERR_NO_MEMORY;
	if (off + done > n->u.file.size)
		n->u.file.size = off + done;
	ramfs_touch(fs, n);
	return (int64_t)done;
}

rae_status_t ramfs_truncate(ramfs_t *fs, ramfs_node_t *n, uint64_t size)
{
	if (size > RAE_VFS_FILE_MAX)
		return RAE_ERR_RANGE;
	if (size == 0) {
		ramfs_file_clear(fs, n);
		ramfs_touch(fs, n);
		return RAE_OK;
	}
	rae_status_t st = ramfs_unshare(fs, n);
	if (st != RAE_OK)
		return st;
	/* Blocks past the end go; the tail of the last one reads as zeros if
	 * the file grows again. */
	uint64_t keep = (size + RAMFS_BLOCK - 1) / RAMFS_BLOCK;
	for (uint64_t i = keep; i < n->u.file.nblocks; i++) {
		if (n->u.file.blocks[i]) {
			vfs_free(n->u.file.blocks[i]);
			n->u.file.blocks[i] = NULL;
			fs->data_bytes -= RAMFS_BLOCK;
		}
	}
	/* A table far larger than the file shrinks (or stays, if that fails). */
	if (n->u.file.nblocks > 4 && keep <= n->u.file.nblocks / 4) {
		uint32_t cap = keep > 4 ? (uint32_t)keep : 4;
		uint8_t **b = vfs_realloc(n->u.file.blocks, cap * sizeof(*b));
		if (b) {
			n->u.file.blocks = b;
			n->u.file.nblocks = cap;
		}
	}
	if (size % RAMFS_BLOCK && keep - 1 < n->u.file.nblocks && n->u.file.blocks[keep - 1])
		memset(n->u.file.blocks[keep - 1] + size % RAMFS_BLOCK, 0,
		       RAMFS_BLOCK - size % RAMFS_BLOCK);
	n->u.file.size = size;
	ramfs_touch(fs, n);
	return RAE_OK;
}

/* --- metadata ------------------------------------------------------------- */

void ramfs_stat(const ramfs_node_t *n, struct rae_stat *st)
{
	memset(st, 0, sizeof(*st));
	st->ino = n->ino;
	st->mode = n->mode;
	st->mtime = n->mtime;
	st->nlink = n->nlink;
	if (ramfs_is_file(n)) {
		st->size = n->u.file.size;
	} else if (ramfs_is_link(n)) {
		st->size = n->u.link.len;
	} else {
		/* POSIX counting: its entry, its ".", each subdirectory's "..". */
		st->nlink = 2;
		for (uint32_t i = 0; i < n->u.dir.count; i++)
			st->nlink += ramfs_is_dir(n->u.dir.entries[i].node);
		st->size = n->u.dir.count;
	}
}

static uint8_t ramfs_dirent_type(const ramfs_node_t *n)
{
	if (ramfs_is_dir(n))
		return RAE_VFS_DT_DIR;
	return ramfs_is_link(n) ? RAE_VFS_DT_LNK : RAE_VFS_DT_REG;
}

int64_t ramfs_getdents(const ramfs_node_t *dir, uint64_t *pos, void *buf, size_t cap)
{
	size_t used = 0;
	for (;; (*pos)++) {
		const char *name;
		size_t len;
		const ramfs_node_t *n;
		if (*pos == 0) {
			name = ".", len = 1, n = dir;
		} else if (*pos == 1) {
			name = "..", len = 2, n = dir->u.dir.parent ? dir->u.dir.parent : dir;
		} else if (*pos - 2 < dir->u.dir.count) {
			const ramfs_entry_t *e = &dir->u.dir.entries[*pos - 2];
			name = e->name, len = e->len, n = e->node;
		} else {
			return (int64_t)used;
		}
		size_t reclen = (sizeof(struct rae_dirent) + len + 1 + 7) & ~(size_t)7;
		if (reclen > cap - used)
			return used ? (int64_t)used : RAE_ERR_RANGE;
		struct rae_dirent *d = (struct rae_dirent *)((uint8_t *)buf + used);
		memset(d, 0, reclen);
		d->ino = n->ino;
		d->reclen = (uint16_t)reclen;
		d->type = ramfs_dirent_type(n);
		d->namelen = (uint8_t)len;
		memcpy(d->name, name, len);
		used += reclen;
	}
}
