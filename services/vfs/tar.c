/* The USTAR loader (tar.h), written for this service rather than shared
 * with the kernel's reader: it runs on archives handed over by another
 * process, skips and resynchronizes instead of stopping at the first bad
 * entry, and checks names and link targets, which the kernel does not
 * need. Each header is copied before it is checked, so a creator that
 * changes the archive meanwhile cannot slip a field past the checks. */
#include "tar.h"
#include "vfs_line.h"

#define TAR_BLOCK      512
#define TAR_NAME_OFF   0
#define TAR_NAME_LEN   100
#define TAR_MODE_OFF   100
#define TAR_MODE_LEN   8
#define TAR_SIZE_OFF   124
#define TAR_SIZE_LEN   12
#define TAR_MTIME_OFF  136
#define TAR_MTIME_LEN  12
#define TAR_CHKSUM_OFF 148
#define TAR_CHKSUM_LEN 8
#define TAR_TYPE_OFF   156
#define TAR_LINK_OFF   157
#define TAR_LINK_LEN   100
#define TAR_MAGIC_OFF  257
#define TAR_PREFIX_OFF 345
#define TAR_PREFIX_LEN 155
/* prefix "/" name, or a link target */
#define TAR_PATH_MAX (TAR_PREFIX_LEN + 1 + TAR_NAME_LEN)

/* Adds an archive name in quotes, printable bytes only, at most 120. */
static void line_add_name(vfs_line_t *l, const char *s, size_t n)
{
	char out[128];
	size_t k = 0;
	out[k++] = '\'';
	for (size_t i = 0; i < n && i < 120; i++)
		out[k++] = s[i] >= 0x20 && s[i] < 0x7f ? s[i] : '?';
	if (n > 120) {
		out[k - 1] = '.';
		out[k - 2] = '.';
	}
	out[k++] = '\'';
	out[k] = 0;
	line_add(l, out);
}

typedef struct {
	ramfs_t *fs;
	vfs_tar_report_t report;
	void *ctx;
	vfs_tar_stats_t *stats;
	unsigned index;              /* of the entry being read */
	size_t offset;               /* of its header */
	char name[TAR_PATH_MAX + 1]; /* its raw name, for messages */
	size_t name_len;
} tar_loader_t;

/* Reports the current entry as skipped, with why (a few parts). */
static void tar_skip(tar_loader_t *t, const char *why, const char *detail, const char *more)
{
	vfs_line_t l = {.len = 0};
	line_add(&l, "skipped entry ");
	line_add_num(&l, t->index, 10);
	line_add(&l, " ");
	line_add_name(&l, t->name, t->name_len);
	line_add(&l, " at offset ");
	line_add_num(&l, t->offset, 10);
	line_add(&l, ": ");
	line_add(&l, why);
	if (detail)
		line_add(&l, detail);
	if (more)
		line_add(&l, more);
	t->stats->skipped++;
	if (t->report)
		t->report(t->ctx, l.buf);
}

/* Octal: leading spaces, at least one digit, then the end, a space or a
 * NUL. False on anything else or past 64 bits. */
static bool tar_octal(const uint8_t *f, size_t len, uint64_t *out)
{
	size_t i = 0, digits = 0;
	uint64_t v = 0;
	while (i < len && f[i] == ' ')
		i++;
	for (; i < len && f[i] >= '0' && f[i] <= '7'; i++, digits++) {
		if (v >> 61)
			return false;
		v = v << 3 | (uint64_t)(f[i] - '0');
	}
	if (digits == 0 || (i < len && f[i] != ' ' && f[i] != 0))
		return false;
	*out = v;
	return true;
}

/* A numeric field: octal, or GNU base-256 (first byte 0x80, non-negative). */
static bool tar_number(const uint8_t *f, size_t len, uint64_t *out)
{
	if (f[0] != 0x80)
		return tar_octal(f, len, out);
	uint64_t v = 0;
	for (size_t i = 1; i < len; i++) {
		if (v >> 56)
			return false;
		v = v << 8 | f[i];
	}
	*out = v;
	return true;
}

static size_t tar_field_len(const uint8_t *f, size_t len)
{
	size_t n = 0;
	while (n < len && f[n])
		n++;
	return n;
}

/* The entry's full name (POSIX prefix "/" name) into t->name. */
static void tar_read_name(tar_loader_t *t, const uint8_t *h, bool posix)
{
	size_t n = 0;
	if (posix) {
		n = tar_field_len(h + TAR_PREFIX_OFF, TAR_PREFIX_LEN);
		memcpy(t->name, h + TAR_PREFIX_OFF, n);
		if (n)
			t->name[n++] = '/';
	}
	size_t k = tar_field_len(h + TAR_NAME_OFF, TAR_NAME_LEN);
	memcpy(t->name + n, h + TAR_NAME_OFF, k);
	t->name_len = n + k;
	t->name[t->name_len] = 0;
}

/* Why a header cannot be trusted (magic, checksum, size), or NULL; the
 * size of its data in *size. */
static const char *tar_header_check(const uint8_t *h, bool *posix, uint64_t *size, uint64_t *stored,
				    uint32_t *sum)
{
	if (memcmp(h + TAR_MAGIC_OFF,
		   "ustar\0"
		   "00",
		   8) == 0)
		*posix = true;
	else if (memcmp(h + TAR_MAGIC_OFF, "ustar  \0", 8) == 0)
		*posix = false;
	else
		return "no ustar magic";
	if (!tar_octal(h + TAR_CHKSUM_OFF, TAR_CHKSUM_LEN, stored))
		return "checksum field is not an octal number";
	uint32_t u = 0;
	int32_t s = 0;
	for (size_t i = 0; i < TAR_BLOCK; i++) {
		bool in_field = i >= TAR_CHKSUM_OFF && i < TAR_CHKSUM_OFF + TAR_CHKSUM_LEN;
		uint8_t b = in_field ? (uint8_t)' ' : h[i];
		u += b;
		s += (int8_t)b;
	}
	*sum = u;
	/* Historic tars summed signed bytes; accept either. */
	if (*stored != u && (s < 0 || *stored != (uint64_t)s))
		return "header checksum mismatch";
	if (!tar_number(h + TAR_SIZE_OFF, TAR_SIZE_LEN, size))
		return "size field is not a number";
	return NULL;
}

#define TAR_NO_COMPONENT ((size_t)-1)

/* The next slash-separated name of p from *i: its start in *start, its
 * length returned (0 for a trailing slash), TAR_NO_COMPONENT at the end. */
static size_t tar_component(const char *p, size_t len, size_t *i, size_t *start)
{
	if (*i >= len)
		return TAR_NO_COMPONENT;
	while (*i < len && p[*i] == '/')
		(*i)++;
	*start = *i;
	while (*i < len && p[*i] != '/')
		(*i)++;
	return *i - *start;
}

/*
 * Normalizes an archive path into "a/b/c" (no leading, trailing or double
 * slashes, no "." or ".."), out holding at least len + 1 bytes. Returns the
 * length, or -1 with *why set: a ".." that would leave the root, a name
 * longer than RAE_VFS_NAME_MAX.
 */
static int64_t tar_normalize(const char *p, size_t len, char *out, const char **why)
{
	size_t n = 0;
	for (size_t i = 0, s, k; (k = tar_component(p, len, &i, &s)) != TAR_NO_COMPONENT;) {
		if (k == 0 || (k == 1 && p[s] == '.'))
			continue;
		if (k == 2 && p[s] == '.' && p[s + 1] == '.') {
			if (n == 0) {
				*why = "'..' leads out of the root";
				return -1;
			}
			while (n > 0 && out[n - 1] != '/')
				n--;
			if (n > 0)
				n--; /* the slash before the dropped name */
			continue;
		}
		if (k > RAE_VFS_NAME_MAX) {
			*why = "a name is longer than 255 bytes";
			return -1;
		}
		if (n)
			out[n++] = '/';
		memcpy(out + n, p + s, k);
		n += k;
	}
	out[n] = 0;
	return (int64_t)n;
}

/* Depth (names) of a normalized path's directory: "a/b/c" is in "a/b", 2. */
static int tar_dir_depth(const char *path, size_t len)
{
	int depth = 0;
	for (size_t i = 0; i < len; i++)
		depth += path[i] == '/';
	return depth;
}

/* True if a relative link target, followed from a directory `depth` names
 * below the root, goes above it at some point. */
static bool tar_target_escapes(const char *t, size_t len, int depth)
{
	for (size_t i = 0, s, k; (k = tar_component(t, len, &i, &s)) != TAR_NO_COMPONENT;) {
		if (k == 2 && t[s] == '.' && t[s + 1] == '.') {
			if (--depth < 0)
				return true;
		} else if (k > 0 && !(k == 1 && t[s] == '.')) {
			depth++;
		}
	}
	return false;
}

/* Walks (and creates, with mode 0755) the directories of a normalized path
 * up to its last name; returns the parent, or NULL with *why set. */
static ramfs_node_t *tar_parent(tar_loader_t *t, const char *path, size_t len, int64_t mtime,
				size_t *last, const char **why)
{
	ramfs_node_t *dir = t->fs->root;
	size_t i = 0;
	for (;;) {
		size_t s = i;
		while (i < len && path[i] != '/')
			i++;
		if (i == len) {
			*last = s;
			return dir;
		}
		ramfs_node_t *next = ramfs_dir_find(dir, path + s, i - s);
		if (!next) {
			rae_status_t st = ramfs_create(t->fs, dir, path + s, i - s,
						       RAE_VFS_S_IFDIR | 0755, &next);
			if (st != RAE_OK) {
				*why = "cannot create its directory (out of memory)";
				return NULL;
			}
			next->mtime = mtime;
			t->stats->dirs++;
		} else if (!ramfs_is_dir(next)) {
			*why = ramfs_is_link(next) ? "a directory on its path is a symbolic link"
						   : "a directory on its path is not a directory";
			return NULL;
		}
		dir = next;
		i++;
	}
}

/* Makes room for a new non-directory entry: a later archive entry replaces
 * an earlier file or link of the same name, as tar does. */
static const char *tar_replace(tar_loader_t *t, ramfs_node_t *dir, const char *name, size_t len,
			       bool want_dir, const ramfs_node_t *linked, ramfs_node_t **existing)
{
	ramfs_node_t *old = ramfs_dir_find(dir, name, len);
	*existing = NULL;
	if (!old)
		return NULL;
	if (old == linked)
		return "hard link to itself";
	if (ramfs_is_dir(old) != want_dir)
		return want_dir ? "a file of that name came earlier"
				: "a directory of that name came earlier";
	if (want_dir) {
		*existing = old;
		return NULL;
	}
	ramfs_remove(t->fs, dir, name, len);
	return NULL;
}

/* Adds one entry whose header is sound; skips it (with a report) on any
 * rule it breaks. */
static void tar_entry(tar_loader_t *t, const uint8_t *h, const uint8_t *data, uint64_t size)
{
	char type = (char)h[TAR_TYPE_OFF];
	uint64_t mode, mtime;
	const char *why = NULL;
	if (!tar_octal(h + TAR_MODE_OFF, TAR_MODE_LEN, &mode)) {
		tar_skip(t, "mode field is not an octal number", NULL, NULL);
		return;
	}
	if (!tar_number(h + TAR_MTIME_OFF, TAR_MTIME_LEN, &mtime) || mtime > INT64_MAX) {
		tar_skip(t, "mtime field is not a number", NULL, NULL);
		return;
	}
	switch (type) {
	case '0':
	case '\0':
	case '7':
	case '5':
	case '2':
	case '1': break;
	case 'x':
	case 'g': tar_skip(t, "pax extended headers are not supported", NULL, NULL); return;
	case 'L':
	case 'K': tar_skip(t, "GNU long names are not supported", NULL, NULL); return;
	case '3':
	case '4':
	case '6': tar_skip(t, "device and FIFO entries are not supported", NULL, NULL); return;
	default: {
		char c[4] = {'\'', type >= 0x20 && type < 0x7f ? type : '?', '\'', 0};
		tar_skip(t, "unknown entry type ", c, NULL);
		return;
	}
	}
	char path[TAR_PATH_MAX + 1];
	int64_t plen = tar_normalize(t->name, t->name_len, path, &why);
	if (plen < 0) {
		tar_skip(t, why, NULL, NULL);
		return;
	}
	if (plen == 0) {
		if (type == '5') {
			t->fs->root->mode = RAE_VFS_S_IFDIR | (uint32_t)(mode & 07777);
			t->fs->root->mtime = (int64_t)mtime;
			return;
		}
		tar_skip(t, "names the root directory", NULL, NULL);
		return;
	}
	char target[TAR_LINK_LEN + 1];
	size_t tlen = tar_field_len(h + TAR_LINK_OFF, TAR_LINK_LEN);
	memcpy(target, h + TAR_LINK_OFF, tlen);
	target[tlen] = 0;
	ramfs_node_t *linked = NULL;
	if (type == '2') {
		if (tlen == 0)
			why = "symbolic link with an empty target";
		else if (target[0] == '/')
			why = "symbolic link with an absolute target";
		else if (tar_target_escapes(target, tlen, tar_dir_depth(path, (size_t)plen)))
			why = "symbolic link target leads out of the root";
	} else if (type == '1') {
		char norm[TAR_LINK_LEN + 1];
		ramfs_lookup_t *lk = vfs_alloc(sizeof(*lk));
		int64_t nlen = tar_normalize(target, tlen, norm, &why);
		if (!lk) {
			why = "out of memory";
		} else if (nlen < 0) {
			why = "hard link target leads out of the root";
		} else if (nlen == 0 || ramfs_lookup(t->fs, norm, (size_t)nlen, 0, lk) != RAE_OK ||
			   !lk->node) {
			why = "hard link to an entry that is not in the archive";
		} else if (!ramfs_is_file(lk->node)) {
			why = "hard link to something that is not a regular file";
		} else {
			linked = lk->node;
		}
		vfs_free(lk);
	}
	if (why) {
		tar_skip(t, why, NULL, NULL);
		return;
	}
	size_t last = 0;
	ramfs_node_t *dir = tar_parent(t, path, (size_t)plen, (int64_t)mtime, &last, &why);
	ramfs_node_t *node = NULL;
	if (dir)
		why = tar_replace(t, dir, path + last, (size_t)plen - last, type == '5', linked,
				  &node);
	if (why) {
		tar_skip(t, why, NULL, NULL);
		return;
	}
	const char *name = path + last;
	size_t nlen = (size_t)plen - last;
	rae_status_t st = RAE_OK;
	uint32_t perm = (uint32_t)(mode & 07777);
	if (type == '5') {
		if (!node) {
			st = ramfs_create(t->fs, dir, name, nlen, RAE_VFS_S_IFDIR | perm, &node);
			t->stats->dirs += st == RAE_OK;
		}
	} else if (type == '2') {
		st = ramfs_symlink(t->fs, dir, name, nlen, target, tlen, &node);
		t->stats->symlinks += st == RAE_OK;
	} else if (type == '1') {
		st = ramfs_link(t->fs, dir, name, nlen, linked);
		t->stats->hardlinks += st == RAE_OK;
		return;
	} else if (size > RAE_VFS_FILE_MAX) {
		tar_skip(
		    t, "file larger than a RAMFS file may be (RAE_VFS_FILE_MAX, 16 MiB); split it",
		    NULL, NULL);
		return;
	} else {
		st = ramfs_create(t->fs, dir, name, nlen, RAE_VFS_S_IFREG | perm, &node);
		if (st == RAE_OK)
			ramfs_set_backing(t->fs, node, data, size);
		t->stats->files += st == RAE_OK;
	}
	if (st != RAE_OK) {
		tar_skip(t, "cannot add it (out of memory)", NULL, NULL);
		return;
	}
	if (type != '2')
		node->mode = (node->mode & RAE_VFS_S_IFMT) | perm;
	node->mtime = (int64_t)mtime;
}

static bool tar_block_is_zero(const uint8_t *b)
{
	for (size_t i = 0; i < TAR_BLOCK; i++) {
		if (b[i])
			return false;
	}
	return true;
}

rae_status_t vfs_tar_load(ramfs_t *fs, const uint8_t *data, size_t size, vfs_tar_report_t report,
			  void *ctx, vfs_tar_stats_t *stats)
{
	tar_loader_t t = {.fs = fs, .report = report, .ctx = ctx, .stats = stats};
	int64_t (*clock)(void) = fs->clock;
	fs->clock = NULL; /* times come from the archive */
	memset(stats, 0, sizeof(*stats));
	bool resyncing = false;
	size_t off = 0;
	uint8_t h[TAR_BLOCK];
	while (size - off >= TAR_BLOCK) {
		memcpy(h, data + off, TAR_BLOCK);
		if (tar_block_is_zero(h))
			break; /* the end marker */
		bool posix = false;
		uint64_t esize = 0, stored = 0;
		uint32_t sum = 0;
		const char *bad = tar_header_check(h, &posix, &esize, &stored, &sum);
		if (bad) {
			/* Nothing in this header can be trusted, its size least of
			 * all: look for the next valid header one block on. The
			 * first block of such a run is reported. */
			if (!resyncing) {
				t.offset = off;
				tar_read_name(&t, h, true);
				vfs_line_t why = {.len = 0};
				if (bad[0] == 'h') {
					line_add(&why, " (stored 0o");
					line_add_num(&why, stored, 8);
					line_add(&why, ", computed 0o");
					line_add_num(&why, sum, 8);
					line_add(&why, ")");
				}
				tar_skip(&t, bad, why.buf, "; looking for the next header");
				t.index++;
			}
			resyncing = true;
			off += TAR_BLOCK;
			continue;
		}
		resyncing = false;
		t.offset = off;
		tar_read_name(&t, h, posix);
		char type = (char)h[TAR_TYPE_OFF];
		if (type >= '1' && type <= '6')
			esize = 0; /* these carry no data, whatever the field says */
		size_t remain = size - off - TAR_BLOCK;
		uint64_t pad = (TAR_BLOCK - esize % TAR_BLOCK) % TAR_BLOCK;
		if (esize > remain || pad > remain - esize) {
			vfs_line_t l = {.len = 0};
			line_add_num(&l, esize, 10);
			line_add(&l, " bytes with padding, ");
			line_add_num(&l, remain, 10);
			line_add(&l, " remain)");
			tar_skip(&t, "data runs past the end of the archive (", l.buf, NULL);
			break;
		}
		tar_entry(&t, h, data + off + TAR_BLOCK, esize);
		off += TAR_BLOCK + (size_t)esize + (size_t)pad;
		t.index++;
	}
	fs->clock = clock;
	return RAE_OK;
}
