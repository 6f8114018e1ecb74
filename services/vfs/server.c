/* rae-vfsd's request loop (server.h): one request at a time, each checked
 * in full before anything changes; a request that makes no sense gets an
 * error reply and the server goes on. */
#include "server.h"
#include "vfs_line.h"
#include <rae_vfs.h>
#include <rae/services.h>

typedef struct {
	uint64_t tag, w[4];
	uint32_t len; /* bytes of the request's buffer, in srv->in */
	uint32_t nhandles;
	rae_handle_t handles[RAE_IPC_HANDLES_MAX];
	uint64_t badge;
	vfs_session_t *s; /* the caller's session, if any */
} vfs_req_t;

typedef struct {
	uint32_t len; /* bytes of the reply's buffer, in srv->out */
	uint64_t words[4];
	rae_handle_t handle; /* moves to the caller, or RAE_HANDLE_INVALID */
} vfs_rep_t;

void vfs_log(const vfs_server_t *srv, const char *what, const char *line)
{
	vfs_line_t l = {.len = 0};
	line_add(&l, srv->name);
	line_add(&l, ": ");
	line_add(&l, what);
	line_add(&l, line);
	if (l.len + 1 == sizeof(l.buf))
		l.len--;
	l.buf[l.len++] = '\n';
	rae_debug_write(l.buf, l.len);
}

/* splitmix64 over the TSC: session badges no one can guess, though only
 * the missing DUPLICATE right is what stops a client minting one. */
static uint64_t vfs_random(vfs_server_t *srv)
{
	srv->random += 0x9e3779b97f4a7c15ull ^ rae_rdtsc();
	uint64_t z = srv->random;
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

void vfs_server_init(vfs_server_t *srv, rae_handle_t endpoint, const char *name)
{
	srv->endpoint = endpoint;
	srv->name = name;
	srv->random = (uint64_t)(uintptr_t)srv;
	for (unsigned i = 0; i < RAE_VFS_SESSIONS_MAX; i++)
		srv->sessions[i] = NULL;
	for (unsigned i = 0; i < VFS_MOUNTS_MAX; i++)
		srv->mounts[i] = (vfs_mount_t){.dir = NULL, .dev = i + 1};
}

/* --- sessions and descriptors ---------------------------------------------- */

static vfs_session_t *vfs_session_of(vfs_server_t *srv, uint64_t badge)
{
	if (!(badge & VFS_BADGE_SESSION))
		return NULL;
	vfs_session_t *s = srv->sessions[(badge & VFS_BADGE_SLOT_MASK) % RAE_VFS_SESSIONS_MAX];
	return s && s->badge == badge ? s : NULL;
}

static int64_t vfs_session_open(vfs_server_t *srv, const vfs_req_t *q, vfs_rep_t *rep)
{
	bool admin;
	if (q->s)
		admin = q->s->admin;
	else if (!(q->badge & VFS_BADGE_SESSION))
		admin = q->badge == RAE_VFS_BADGE_ADMIN; /* any other: a plain client */
	else
		return RAE_ERR_PEER_CLOSED; /* a session that was closed */
	unsigned slot = 0;
	while (slot < RAE_VFS_SESSIONS_MAX && srv->sessions[slot])
		slot++;
	if (slot == RAE_VFS_SESSIONS_MAX)
		return RAE_ERR_LIMIT;
	vfs_session_t *s = vfs_zalloc(sizeof(*s));
	if (!s)
		return RAE_ERR_NO_MEMORY;
	s->badge = VFS_BADGE_SESSION |
		   (vfs_random(srv) & ~(VFS_BADGE_SESSION | VFS_BADGE_SLOT_MASK)) | slot;
	s->admin = admin;
	/* WRITE and TRANSFER only: without DUPLICATE no badge can be minted
	 * from it. Watched: when its last copy is gone (closed, or its holder
	 * ended) the kernel sends a RAE_IPC_TAG_CLOSED notice with the badge,
	 * and the session goes (vfs_server_run). */
	rae_status_t st = rae_handle_mint_watched(
	    srv->endpoint, RAE_RIGHT_WRITE | RAE_RIGHT_TRANSFER, s->badge, &rep->handle);
	if (st != RAE_OK) {
		vfs_free(s);
		return st;
	}
	srv->sessions[slot] = s;
	rep->words[0] = s->badge;
	return RAE_OK;
}

static void vfs_fd_release(vfs_server_t *srv, vfs_fd_t *f)
{
	if (f->mount) {
		const uint64_t w[4] = {(uint64_t)f->remote_fd, 0, 0, 0};
		rae_vfs_call(f->mount->session, RAE_VFS_CLOSE, w, NULL, 0, NULL, 0, NULL);
		f->mount->fds--;
	} else {
		ramfs_release(&srv->fs, f->node);
	}
	*f = (vfs_fd_t){.used = false};
}

static void vfs_session_free(vfs_server_t *srv, vfs_session_t *s)
{
	for (unsigned i = 0; i < RAE_VFS_FDS_MAX; i++) {
		if (s->fds[i].used)
			vfs_fd_release(srv, &s->fds[i]);
	}
	srv->sessions[(s->badge & VFS_BADGE_SLOT_MASK) % RAE_VFS_SESSIONS_MAX] = NULL;
	vfs_free(s);
}

/* The descriptor w0 names in the caller's session, or NULL. */
static vfs_fd_t *vfs_fd_of(const vfs_req_t *q)
{
	if (q->w[0] >= RAE_VFS_FDS_MAX || !q->s->fds[q->w[0]].used)
		return NULL;
	return &q->s->fds[q->w[0]];
}

static int vfs_fd_free_slot(const vfs_session_t *s)
{
	for (int i = 0; i < RAE_VFS_FDS_MAX; i++) {
		if (!s->fds[i].used)
			return i;
	}
	return -1;
}

/* --- forwarding to mounted services ---------------------------------------- */

/* Sends tag, words and len bytes (copied to srv->out) to a mounted service;
 * its reply's buffer lands in srv->out. */
static int64_t vfs_forward(vfs_server_t *srv, vfs_mount_t *m, uint64_t tag, const uint64_t w[4],
			   const void *buf, size_t len, vfs_rep_t *rep)
{
	size_t got = 0;
	if (len)
		memmove(srv->out, buf, len);
	int64_t r = rae_vfs_call(m->session, tag, w, len ? srv->out : NULL, len, srv->out,
				 sizeof(srv->out), &got);
	rep->len = r >= 0 ? (uint32_t)got : 0;
	if (r >= 0 && (tag == RAE_VFS_STAT || tag == RAE_VFS_FSTAT)) {
		if (got != sizeof(struct rae_stat))
			return RAE_ERR_INVALID;
		struct rae_stat st;
		memcpy(&st, srv->out, sizeof(st));
		st.dev = m->dev;
		memcpy(srv->out, &st, sizeof(st));
	}
	return r;
}

/* Forwards a one-path request to the mount lk reached, with the rest of
 * the path ("/" for the mount point itself). */
static int64_t vfs_forward_path(vfs_server_t *srv, const vfs_req_t *q, const ramfs_lookup_t *lk,
				vfs_rep_t *rep)
{
	vfs_mount_t *m = lk->mount;
	if (q->tag != RAE_VFS_OPEN)
		return vfs_forward(srv, m, q->tag, q->w, lk->rest_len ? lk->rest : "/",
				   lk->rest_len ? lk->rest_len : 1, rep);
	int slot = vfs_fd_free_slot(q->s);
	if (slot < 0)
		return RAE_ERR_LIMIT;
	int64_t fd = vfs_forward(srv, m, q->tag, q->w, lk->rest_len ? lk->rest : "/",
				 lk->rest_len ? lk->rest_len : 1, rep);
	if (fd < 0)
		return fd;
	q->s->fds[slot] =
	    (vfs_fd_t){.used = true, .flags = (uint32_t)q->w[0], .mount = m, .remote_fd = fd};
	m->fds++;
	return slot;
}

/* --- operations ------------------------------------------------------------ */

static rae_status_t vfs_lookup(vfs_server_t *srv, size_t off, size_t len, unsigned flags,
			       ramfs_lookup_t *lk)
{
	return ramfs_lookup(&srv->fs, (const char *)srv->in + off, len, flags, lk);
}

static int64_t vfs_op_open(vfs_server_t *srv, const vfs_req_t *q, ramfs_lookup_t *lk,
			   vfs_rep_t *rep)
{
	uint32_t flags = (uint32_t)q->w[0];
	if (q->w[0] & ~(uint64_t)RAE_VFS_O_ALL)
		return RAE_ERR_INVALID;
	if ((flags & RAE_VFS_O_TRUNCATE) && !(flags & RAE_VFS_O_WRITE))
		return RAE_ERR_INVALID;
	if ((flags & RAE_VFS_O_CREATE) && (flags & RAE_VFS_O_DIRECTORY))
		return RAE_ERR_INVALID;
	rae_status_t st =
	    vfs_lookup(srv, 0, q->len, flags & RAE_VFS_O_NOFOLLOW ? 0 : RAMFS_FOLLOW, lk);
	if (st != RAE_OK)
		return st;
	if (lk->mount)
		return vfs_forward_path(srv, q, lk, rep);
	int slot = vfs_fd_free_slot(q->s);
	if (slot < 0)
		return RAE_ERR_LIMIT;
	ramfs_node_t *n = lk->node;
	if (!n) {
		if (!(flags & RAE_VFS_O_CREATE))
			return RAE_ERR_NOT_FOUND;
		if (lk->dir_wanted)
			return RAE_ERR_IS_DIR;
		st = ramfs_create(&srv->fs, lk->parent, lk->name, lk->name_len,
				  RAE_VFS_S_IFREG | (uint32_t)(q->w[1] & 07777), &n);
		if (st != RAE_OK)
			return st;
	} else {
		if ((flags & RAE_VFS_O_CREATE) && (flags & RAE_VFS_O_EXCL))
			return RAE_ERR_EXISTS;
		if (ramfs_is_link(n))
			return RAE_ERR_LOOP; /* NOFOLLOW met a link */
		if (ramfs_is_dir(n) && (flags & RAE_VFS_O_WRITE))
			return RAE_ERR_IS_DIR;
		if (!ramfs_is_dir(n) && (flags & RAE_VFS_O_DIRECTORY))
			return RAE_ERR_NOT_DIR;
		if (ramfs_is_file(n) && (flags & RAE_VFS_O_TRUNCATE)) {
			st = ramfs_truncate(&srv->fs, n, 0);
			if (st != RAE_OK)
				return st;
		}
	}
	ramfs_hold(n);
	q->s->fds[slot] = (vfs_fd_t){.used = true, .flags = flags, .node = n};
	return slot;
}

/* Operations on a descriptor of a mounted service go there unchanged but
 * for the descriptor number. */
static int64_t vfs_op_remote_fd(vfs_server_t *srv, const vfs_req_t *q, vfs_fd_t *f, vfs_rep_t *rep)
{
	uint64_t w[4] = {(uint64_t)f->remote_fd, q->w[1], q->w[2], q->w[3]};
	if (q->tag == RAE_VFS_CLOSE) {
		vfs_fd_release(srv, f);
		return RAE_OK;
	}
	return vfs_forward(srv, f->mount, q->tag, w, srv->in, q->len, rep);
}

static int64_t vfs_op_read(vfs_server_t *srv, const vfs_req_t *q, vfs_fd_t *f, vfs_rep_t *rep)
{
	if (!(f->flags & RAE_VFS_O_READ))
		return RAE_ERR_ACCESS_DENIED;
	if (!ramfs_is_file(f->node))
		return RAE_ERR_IS_DIR;
	size_t n = q->w[1] > RAE_VFS_IO_MAX ? RAE_VFS_IO_MAX : (size_t)q->w[1];
	bool at_pos = q->w[2] == RAE_VFS_AT_POSITION;
	int64_t r = ramfs_read(f->node, at_pos ? f->pos : q->w[2], srv->out, n);
	if (r > 0 && at_pos)
		f->pos += (uint64_t)r;
	rep->len = r > 0 ? (uint32_t)r : 0;
	return r;
}

static int64_t vfs_op_write(vfs_server_t *srv, const vfs_req_t *q, vfs_fd_t *f)
{
	if (!(f->flags & RAE_VFS_O_WRITE))
		return RAE_ERR_ACCESS_DENIED;
	if (!ramfs_is_file(f->node))
		return RAE_ERR_IS_DIR;
	bool at_pos = q->w[2] == RAE_VFS_AT_POSITION;
	uint64_t off = at_pos ? f->pos : q->w[2];
	if (f->flags & RAE_VFS_O_APPEND)
		off = f->node->u.file.size;
	int64_t r = ramfs_write(&srv->fs, f->node, off, srv->in, q->len);
	if (r >= 0 && (at_pos || (f->flags & RAE_VFS_O_APPEND)))
		f->pos = off + (uint64_t)r;
	return r;
}

static int64_t vfs_op_seek(const vfs_req_t *q, vfs_fd_t *f)
{
	int64_t base;
	if (q->w[2] == RAE_VFS_SEEK_SET)
		base = 0;
	else if (q->w[2] == RAE_VFS_SEEK_CUR)
		base = (int64_t)f->pos;
	else if (q->w[2] == RAE_VFS_SEEK_END && ramfs_is_file(f->node))
		base = (int64_t)f->node->u.file.size;
	else
		return RAE_ERR_INVALID;
	int64_t off = (int64_t)q->w[1];
	if ((off < 0 && base + off < 0) || (off > 0 && off > INT64_MAX - base))
		return RAE_ERR_INVALID;
	f->pos = (uint64_t)(base + off);
	return (int64_t)f->pos;
}

static int64_t vfs_op_fd(vfs_server_t *srv, const vfs_req_t *q, vfs_rep_t *rep)
{
	vfs_fd_t *f = vfs_fd_of(q);
	if (!f)
		return RAE_ERR_BAD_HANDLE;
	if (f->mount)
		return vfs_op_remote_fd(srv, q, f, rep);
	switch (q->tag) {
	case RAE_VFS_CLOSE: vfs_fd_release(srv, f); return RAE_OK;
	case RAE_VFS_READ: return vfs_op_read(srv, q, f, rep);
	case RAE_VFS_WRITE: return vfs_op_write(srv, q, f);
	case RAE_VFS_SEEK: return vfs_op_seek(q, f);
	case RAE_VFS_FSTAT:
		ramfs_stat(f->node, (struct rae_stat *)srv->out);
		rep->len = sizeof(struct rae_stat);
		return RAE_OK;
	case RAE_VFS_GETDENTS: {
		if (!ramfs_is_dir(f->node))
			return RAE_ERR_NOT_DIR;
		size_t room = q->w[1] > RAE_VFS_IO_MAX ? RAE_VFS_IO_MAX : (size_t)q->w[1];
		int64_t r = ramfs_getdents(f->node, &f->pos, srv->out, room);
		rep->len = r > 0 ? (uint32_t)r : 0;
		return r;
	}
	case RAE_VFS_TRUNCATE:
		if (!(f->flags & RAE_VFS_O_WRITE))
			return RAE_ERR_ACCESS_DENIED;
		if (!ramfs_is_file(f->node))
			return RAE_ERR_IS_DIR;
		return ramfs_truncate(&srv->fs, f->node, q->w[1]);
	default: return RAE_ERR_INVALID;
	}
}

/* STAT, MKDIR, UNLINK, RMDIR, READLINK: one path, no descriptor. */
static int64_t vfs_op_path(vfs_server_t *srv, const vfs_req_t *q, ramfs_lookup_t *lk,
			   vfs_rep_t *rep)
{
	unsigned follow = q->tag == RAE_VFS_STAT && !(q->w[0] & RAE_VFS_STAT_NOFOLLOW);
	if (q->tag == RAE_VFS_STAT && (q->w[0] & ~(uint64_t)RAE_VFS_STAT_NOFOLLOW))
		return RAE_ERR_INVALID;
	rae_status_t st = vfs_lookup(srv, 0, q->len, follow ? RAMFS_FOLLOW : 0, lk);
	if (st != RAE_OK)
		return st;
	if (lk->mount && (lk->rest_len || q->tag == RAE_VFS_STAT || q->tag == RAE_VFS_READLINK))
		return vfs_forward_path(srv, q, lk, rep);
	ramfs_node_t *n = lk->node;
	switch (q->tag) {
	case RAE_VFS_STAT:
		if (!n)
			return RAE_ERR_NOT_FOUND;
		ramfs_stat(n, (struct rae_stat *)srv->out);
		rep->len = sizeof(struct rae_stat);
		return RAE_OK;
	case RAE_VFS_READLINK:
		if (!n)
			return RAE_ERR_NOT_FOUND;
		if (!ramfs_is_link(n))
			return RAE_ERR_INVALID;
		memcpy(srv->out, n->u.link.target, n->u.link.len);
		rep->len = n->u.link.len;
		return n->u.link.len;
	case RAE_VFS_MKDIR:
		if (n)
			return RAE_ERR_EXISTS;
		return ramfs_create(&srv->fs, lk->parent, lk->name, lk->name_len,
				    RAE_VFS_S_IFDIR | (uint32_t)(q->w[0] & 07777), &n);
	default: /* UNLINK, RMDIR */
		if (!n)
			return RAE_ERR_NOT_FOUND;
		if (lk->mount || n == srv->fs.root)
			return RAE_ERR_BUSY;
		if (q->tag == RAE_VFS_UNLINK && ramfs_is_dir(n))
			return RAE_ERR_IS_DIR;
		if (q->tag == RAE_VFS_RMDIR && !ramfs_is_dir(n))
			return RAE_ERR_NOT_DIR;
		if (!lk->parent)
			return RAE_ERR_INVALID; /* "." or ".." */
		return ramfs_remove(&srv->fs, lk->parent, lk->name, lk->name_len);
	}
}

/* RENAME and SYMLINK: two strings, w0 the first's length. */
static int64_t vfs_op_two(vfs_server_t *srv, const vfs_req_t *q, ramfs_lookup_t *a,
			  ramfs_lookup_t *b, vfs_rep_t *rep)
{
	if (q->w[0] > q->len || q->w[0] > RAE_VFS_PATH_MAX || q->len - q->w[0] > RAE_VFS_PATH_MAX)
		return RAE_ERR_INVALID;
	size_t la = (size_t)q->w[0], lb = q->len - la;
	const char *first = (const char *)srv->in;
	rae_status_t st = vfs_lookup(srv, la, lb, 0, b);
	if (st != RAE_OK)
		return st;
	if (q->tag == RAE_VFS_SYMLINK) {
		if (b->mount && b->rest_len) {
			/* Re-pack: the same target, the rest of the link's path. */
			memmove(srv->in + la, b->rest, b->rest_len);
			return vfs_forward(srv, b->mount, q->tag, q->w, srv->in, la + b->rest_len,
					   rep);
		}
		if (b->node || b->mount || !b->parent)
			return RAE_ERR_EXISTS;
		if (b->dir_wanted)
			return RAE_ERR_NOT_DIR;
		return ramfs_symlink(&srv->fs, b->parent, b->name, b->name_len, first, la, NULL);
	}
	st = vfs_lookup(srv, 0, la, 0, a);
	if (st != RAE_OK)
		return st;
	if (a->mount || b->mount) {
		if ((a->mount && !a->rest_len) || (b->mount && !b->rest_len))
			return RAE_ERR_BUSY; /* the mount point itself */
		if (a->mount != b->mount)
			return RAE_ERR_CROSS_DEVICE;
		uint64_t w[4] = {a->rest_len, 0, 0, 0};
		memcpy(srv->in, a->rest, a->rest_len);
		memcpy(srv->in + a->rest_len, b->rest, b->rest_len);
		return vfs_forward(srv, a->mount, q->tag, w, srv->in, a->rest_len + b->rest_len,
				   rep);
	}
	if (!a->node)
		return RAE_ERR_NOT_FOUND;
	if (!a->parent || !b->parent)
		return a->node == srv->fs.root || b->node == srv->fs.root ? RAE_ERR_BUSY
									  : RAE_ERR_INVALID;
	if (b->dir_wanted && !ramfs_is_dir(a->node))
		return RAE_ERR_NOT_DIR;
	return ramfs_rename(&srv->fs, a->parent, a->name, a->name_len, b->parent, b->name,
			    b->name_len);
}

static vfs_mount_t *vfs_mount_free_slot(vfs_server_t *srv)
{
	for (unsigned i = 0; i < VFS_MOUNTS_MAX; i++) {
		if (!srv->mounts[i].dir)
			return &srv->mounts[i];
	}
	return NULL;
}

static int64_t vfs_op_mount(vfs_server_t *srv, const vfs_req_t *q, ramfs_lookup_t *lk)
{
	if (!q->s->admin)
		return RAE_ERR_ACCESS_DENIED;
	rae_status_t st =
	    vfs_lookup(srv, 0, q->len, q->tag == RAE_VFS_MOUNT ? RAMFS_FOLLOW : 0, lk);
	if (st != RAE_OK)
		return st;
	if (q->tag == RAE_VFS_UNMOUNT) {
		vfs_mount_t *m = lk->mount;
		if (!m || lk->rest_len)
			return RAE_ERR_INVALID; /* not a mount point */
		if (m->fds)
			return RAE_ERR_BUSY;
		rae_vfs_session_close(m->session);
		m->dir->u.dir.mount = NULL;
		ramfs_release(&srv->fs, m->dir);
		m->dir = NULL;
		return RAE_OK;
	}
	if (q->nhandles != 1)
		return RAE_ERR_INVALID;
	if (lk->mount)
		return RAE_ERR_BUSY;
	if (!lk->node)
		return RAE_ERR_NOT_FOUND;
	if (!ramfs_is_dir(lk->node))
		return RAE_ERR_NOT_DIR;
	if (lk->node == srv->fs.root)
		return RAE_ERR_BUSY;
	vfs_mount_t *m = vfs_mount_free_slot(srv);
	if (!m)
		return RAE_ERR_LIMIT;
	/* A service that does not take the call in time (this server itself,
	 * which is busy right here) is refused rather than waited for. */
	rae_handle_t session;
	rae_status_t r = rae_vfs_session_open_within(q->handles[0], VFS_MOUNT_TIMEOUT, &session);
	if (r != RAE_OK)
		return r;
	m->dir = lk->node;
	m->session = session;
	m->fds = 0;
	lk->node->u.dir.mount = m;
	ramfs_hold(lk->node); /* kept while mounted, even if removed */
	return RAE_OK;
}

static int64_t vfs_dispatch(vfs_server_t *srv, vfs_req_t *q, vfs_rep_t *rep)
{
	static ramfs_lookup_t lk_a, lk_b; /* large; one request at a time */
	if (q->tag == RAE_SVC_PING) {     /* the manager's health check: alive */
		rep->words[0] = q->w[0];
		return RAE_OK;
	}
	if (q->tag == RAE_VFS_OPEN_SESSION)
		return vfs_session_open(srv, q, rep);
	if (!q->s) {
		/* Only sessions do more. A session badge this server does not
		 * know was closed, or belongs to an instance before a restart:
		 * PEER_CLOSED tells the client to open a new session, which a
		 * bad descriptor's BAD_HANDLE would not. */
		return !(q->badge & VFS_BADGE_SESSION) ? RAE_ERR_ACCESS_DENIED
						       : RAE_ERR_PEER_CLOSED;
	}
	switch (q->tag) {
	case RAE_VFS_CLOSE_SESSION:
		vfs_session_free(srv, q->s);
		q->s = NULL;
		return RAE_OK;
	case RAE_VFS_OPEN: return vfs_op_open(srv, q, &lk_a, rep);
	case RAE_VFS_CLOSE:
	case RAE_VFS_READ:
	case RAE_VFS_WRITE:
	case RAE_VFS_SEEK:
	case RAE_VFS_FSTAT:
	case RAE_VFS_GETDENTS:
	case RAE_VFS_TRUNCATE: return vfs_op_fd(srv, q, rep);
	case RAE_VFS_STAT:
	case RAE_VFS_MKDIR:
	case RAE_VFS_UNLINK:
	case RAE_VFS_RMDIR:
	case RAE_VFS_READLINK: return vfs_op_path(srv, q, &lk_a, rep);
	case RAE_VFS_RENAME:
	case RAE_VFS_SYMLINK: return vfs_op_two(srv, q, &lk_a, &lk_b, rep);
	case RAE_VFS_MOUNT:
	case RAE_VFS_UNMOUNT: return vfs_op_mount(srv, q, &lk_a);
	default: return RAE_ERR_INVALID;
	}
}

rae_status_t vfs_server_run(vfs_server_t *srv)
{
	for (;;) {
		rae_msg_t m = {.buf = (uint64_t)(uintptr_t)srv->in, .buf_cap = sizeof(srv->in)};
		rae_status_t st =
		    (rae_status_t)rae_ipc_receive(srv->endpoint, &m, RAE_TIMEOUT_NEVER);
		if (st == RAE_ERR_BAD_HANDLE || st == RAE_ERR_WRONG_TYPE ||
		    st == RAE_ERR_ACCESS_DENIED || st == RAE_ERR_FAULT)
			return st;
		if (st != RAE_OK)
			continue;
		if (m.tag == RAE_IPC_TAG_CLOSED && (m.flags & RAE_MSG_ONEWAY)) {
			/* The kernel's notice (nobody else can send this tag):
			 * every copy of a session handle is gone, so is its
			 * client; its descriptors and slot go too. A session
			 * closed before (CLOSE_SESSION, a failed reply) is no
			 * longer found by its badge. No reply is owed. */
			vfs_session_t *gone = vfs_session_of(srv, m.badge);
			if (gone)
				vfs_session_free(srv, gone);
			continue;
		}
		vfs_req_t q = {
		    .tag = m.tag, .len = m.buf_len, .badge = m.badge, .nhandles = m.handle_count};
		memcpy(q.w, m.words, sizeof(q.w));
		memcpy(q.handles, m.handles, sizeof(q.handles));
		q.s = vfs_session_of(srv, m.badge);
		vfs_rep_t rep = {.len = 0, .handle = RAE_HANDLE_INVALID};
		int64_t result = vfs_dispatch(srv, &q, &rep);
		/* Handles nobody asked for (and a mount's endpoint, which was
		 * only needed to open the session) are closed. */
		for (uint32_t i = 0; i < q.nhandles; i++)
			rae_handle_close(q.handles[i]);
		rae_msg_t r = {.tag = (uint64_t)result, .buf = (uint64_t)(uintptr_t)srv->out};
		r.buf_len = result >= 0 ? rep.len : 0;
		memcpy(r.words, rep.words, sizeof(r.words));
		if (rep.handle) {
			r.handles[0] = rep.handle;
			r.handle_count = 1;
		}
		if (rae_ipc_reply(&r) != RAE_OK && rep.handle) {
			/* The caller is gone (or sent one way): no session for it. */
			vfs_session_t *s = vfs_session_of(srv, rep.words[0]);
			if (s)
				vfs_session_free(srv, s);
		}
	}
}
