/* rae-vfsd's request loop (server.h): one request at a time, each checked
 * in full before anything changes; a request that makes no sense gets an
 * error reply and the server goes on. */
#include "server.h"
#include "vfs_line.h"
#include <rae_vfs.h>
#include <rae/services.h>

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

static int64_t vfs_session_open(void *ctx, const rae_msg_t *call, vfs_open_session_request_t *q,
				vfs_open_session_reply_t *rep)
{
	(void)q;
	vfs_server_t *srv = ctx;
	bool admin;
	if (srv->caller)
		admin = srv->caller->admin;
	else if (!(call->badge & VFS_BADGE_SESSION))
		admin = call->badge == RAE_VFS_BADGE_ADMIN; /* any other: a plain client */
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
	    srv->endpoint, RAE_RIGHT_WRITE | RAE_RIGHT_TRANSFER, s->badge, &rep->session);
	if (st != RAE_OK) {
		vfs_free(s);
		return st;
	}
	srv->sessions[slot] = s;
	rep->session_id = s->badge;
	return RAE_OK;
}

static void vfs_fd_release(vfs_server_t *srv, vfs_fd_t *f)
{
	if (f->mount) {
		vfs_close_request_t q = {.fd = (uint64_t)f->remote_fd};
		vfs_close_reply_t rep = {0};
		vfs_close_call(f->mount->session, RAE_VFS_CALL_TIMEOUT_NS, &q, &rep);
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
	if (srv->caller == s)
		srv->caller = NULL;
	vfs_free(s);
}

/* The descriptor `fd` names in the caller's session, or NULL. */
static vfs_fd_t *vfs_fd_of(vfs_server_t *srv, uint64_t fd)
{
	if (fd >= RAE_VFS_FDS_MAX || !srv->caller->fds[fd].used)
		return NULL;
	return &srv->caller->fds[fd];
}

static int vfs_fd_free_slot(const vfs_session_t *s)
{
	for (int i = 0; i < RAE_VFS_FDS_MAX; i++) {
		if (!s->fds[i].used)
			return i;
	}
	return -1;
}

/* --- operations ------------------------------------------------------------ */

/* Every request but OPEN_SESSION needs a session this server knows. */
static int64_t vfs_admit(void *ctx, const rae_msg_t *call, uint64_t number)
{
	vfs_server_t *srv = ctx;
	srv->caller = vfs_session_of(srv, call->badge);
	if (number == RAE_VFS_OPEN_SESSION || srv->caller)
		return 0;
	/* A session badge this server does not know was closed, or belongs
	 * to an instance before a restart: PEER_CLOSED tells the client to
	 * open a new session, which a bad descriptor's BAD_HANDLE would not. */
	return !(call->badge & VFS_BADGE_SESSION) ? RAE_ERR_ACCESS_DENIED : RAE_ERR_PEER_CLOSED;
}

static int64_t vfs_session_close(void *ctx, const rae_msg_t *call, vfs_close_session_request_t *q,
				 vfs_close_session_reply_t *rep)
{
	(void)call;
	(void)q;
	(void)rep;
	vfs_server_t *srv = ctx;
	vfs_session_free(srv, srv->caller);
	return RAE_OK;
}

/* The mount a lookup reached (ramfs keeps it untyped). */
static vfs_mount_t *vfs_mount_of(const ramfs_lookup_t *lk)
{
	return lk->mount;
}

/* The path a mounted service gets: the rest below the mount point, or
 * "/" for the mount point itself. */
static const char *vfs_rest(const ramfs_lookup_t *lk, uint32_t *len)
{
	*len = lk->rest_len ? (uint32_t)lk->rest_len : 1;
	return lk->rest_len ? lk->rest : "/";
}

static int64_t vfs_op_open(void *ctx, const rae_msg_t *call, vfs_open_request_t *q,
			   vfs_open_reply_t *rep)
{
	(void)call;
	vfs_server_t *srv = ctx;
	ramfs_lookup_t *lk = &srv->lk_a;
	uint32_t flags = q->flags;
	if (flags & ~(uint32_t)RAE_VFS_O_ALL)
		return RAE_ERR_INVALID;
	if ((flags & RAE_VFS_O_TRUNCATE) && !(flags & RAE_VFS_O_WRITE))
		return RAE_ERR_INVALID;
	if ((flags & RAE_VFS_O_CREATE) && (flags & RAE_VFS_O_DIRECTORY))
		return RAE_ERR_INVALID;
	rae_status_t st = ramfs_lookup(&srv->fs, q->path, q->path_len,
				       flags & RAE_VFS_O_NOFOLLOW ? 0 : RAMFS_FOLLOW, lk);
	if (st != RAE_OK)
		return st;
	int slot = vfs_fd_free_slot(srv->caller);
	if (slot < 0)
		return RAE_ERR_LIMIT;
	if (lk->mount) {
		vfs_open_request_t fq = *q;
		fq.path = vfs_rest(lk, &fq.path_len);
		int64_t fd =
		    vfs_open_call(vfs_mount_of(lk)->session, RAE_VFS_CALL_TIMEOUT_NS, &fq, rep);
		if (fd < 0)
			return fd;
		srv->caller->fds[slot] =
		    (vfs_fd_t){.used = true, .flags = flags, .mount = lk->mount, .remote_fd = fd};
		vfs_mount_of(lk)->fds++;
		return slot;
	}
	ramfs_node_t *n = lk->node;
	if (!n) {
		if (!(flags & RAE_VFS_O_CREATE))
			return RAE_ERR_NOT_FOUND;
		if (lk->dir_wanted)
			return RAE_ERR_IS_DIR;
		st = ramfs_create(&srv->fs, lk->parent, lk->name, lk->name_len,
				  RAE_VFS_S_IFREG | (q->perm & 07777), &n);
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
	srv->caller->fds[slot] = (vfs_fd_t){.used = true, .flags = flags, .node = n};
	return slot;
}

/* The descriptor a request names, or NULL with *err set. A descriptor of
 * a mounted service is forwarded there with its number there. */
#define VFS_FD(srv, fd, f)                                                                         \
	vfs_fd_t *f = vfs_fd_of((srv), (fd));                                                      \
	if (!f)                                                                                    \
		return RAE_ERR_BAD_HANDLE;

/* A descriptor of a mounted file system: the request goes on to its
 * server with that server's descriptor, and its reply is this one. */
#define VFS_FORWARD(f, op, q, rep)                                                                 \
	if ((f)->mount) {                                                                          \
		vfs_##op##_request_t fq_ = *(q);                                                   \
		fq_.fd = (uint64_t)(f)->remote_fd;                                                 \
		return vfs_##op##_call((f)->mount->session, RAE_VFS_CALL_TIMEOUT_NS, &fq_, (rep)); \
	}

static int64_t vfs_op_close(void *ctx, const rae_msg_t *call, vfs_close_request_t *q,
			    vfs_close_reply_t *rep)
{
	(void)call;
	(void)rep;
	vfs_server_t *srv = ctx;
	VFS_FD(srv, q->fd, f);
	vfs_fd_release(srv, f);
	return RAE_OK;
}

static int64_t vfs_op_read(void *ctx, const rae_msg_t *call, vfs_read_request_t *q,
			   vfs_read_reply_t *rep)
{
	(void)call;
	vfs_server_t *srv = ctx;
	VFS_FD(srv, q->fd, f);
	rep->data = srv->out;
	if (f->mount) {
		vfs_read_request_t fq = *q;
		fq.fd = (uint64_t)f->remote_fd;
		rep->data_cap = sizeof(srv->out);
		return vfs_read_call(f->mount->session, RAE_VFS_CALL_TIMEOUT_NS, &fq, rep);
	}
	if (!(f->flags & RAE_VFS_O_READ))
		return RAE_ERR_ACCESS_DENIED;
	if (!ramfs_is_file(f->node))
		return RAE_ERR_IS_DIR;
	size_t n = q->count > RAE_VFS_IO_MAX ? RAE_VFS_IO_MAX : (size_t)q->count;
	bool at_pos = q->offset == RAE_VFS_AT_POSITION;
	int64_t r = ramfs_read(f->node, at_pos ? f->pos : q->offset, srv->out, n);
	if (r > 0 && at_pos)
		f->pos += (uint64_t)r;
	rep->data_len = r > 0 ? (uint32_t)r : 0;
	return r;
}

static int64_t vfs_op_write(void *ctx, const rae_msg_t *call, vfs_write_request_t *q,
			    vfs_write_reply_t *rep)
{
	(void)call;
	vfs_server_t *srv = ctx;
	VFS_FD(srv, q->fd, f);
	VFS_FORWARD(f, write, q, rep);
	if (!(f->flags & RAE_VFS_O_WRITE))
		return RAE_ERR_ACCESS_DENIED;
	if (!ramfs_is_file(f->node))
		return RAE_ERR_IS_DIR;
	bool at_pos = q->offset == RAE_VFS_AT_POSITION;
	uint64_t off = at_pos ? f->pos : q->offset;
	if (f->flags & RAE_VFS_O_APPEND)
		off = f->node->u.file.size;
	int64_t r = ramfs_write(&srv->fs, f->node, off, q->data, q->data_len);
	if (r >= 0 && (at_pos || (f->flags & RAE_VFS_O_APPEND)))
		f->pos = off + (uint64_t)r;
	return r;
}

static int64_t vfs_op_seek(void *ctx, const rae_msg_t *call, vfs_seek_request_t *q,
			   vfs_seek_reply_t *rep)
{
	(void)call;
	vfs_server_t *srv = ctx;
	VFS_FD(srv, q->fd, f);
	VFS_FORWARD(f, seek, q, rep);
	int64_t base;
	if (q->whence == RAE_VFS_SEEK_SET)
		base = 0;
	else if (q->whence == RAE_VFS_SEEK_CUR)
		base = (int64_t)f->pos;
	else if (q->whence == RAE_VFS_SEEK_END && ramfs_is_file(f->node))
		base = (int64_t)f->node->u.file.size;
	else
		return RAE_ERR_INVALID;
	int64_t off = q->offset;
	if ((off < 0 && base + off < 0) || (off > 0 && off > INT64_MAX - base))
		return RAE_ERR_INVALID;
	f->pos = (uint64_t)(base + off);
	return (int64_t)f->pos;
}

static int64_t vfs_op_fstat(void *ctx, const rae_msg_t *call, vfs_fstat_request_t *q,
			    vfs_fstat_reply_t *rep)
{
	(void)call;
	vfs_server_t *srv = ctx;
	VFS_FD(srv, q->fd, f);
	rep->stat = (struct rae_stat *)srv->out;
	if (f->mount) {
		vfs_fstat_request_t fq = {.fd = (uint64_t)f->remote_fd};
		int64_t r = vfs_fstat_call(f->mount->session, RAE_VFS_CALL_TIMEOUT_NS, &fq, rep);
		rep->stat->dev = f->mount->dev;
		return r;
	}
	ramfs_stat(f->node, rep->stat);
	return RAE_OK;
}

static int64_t vfs_op_getdents(void *ctx, const rae_msg_t *call, vfs_getdents_request_t *q,
			       vfs_getdents_reply_t *rep)
{
	(void)call;
	vfs_server_t *srv = ctx;
	VFS_FD(srv, q->fd, f);
	rep->entries = srv->out;
	if (f->mount) {
		vfs_getdents_request_t fq = *q;
		fq.fd = (uint64_t)f->remote_fd;
		rep->entries_cap = sizeof(srv->out);
		return vfs_getdents_call(f->mount->session, RAE_VFS_CALL_TIMEOUT_NS, &fq, rep);
	}
	if (!ramfs_is_dir(f->node))
		return RAE_ERR_NOT_DIR;
	size_t room = q->room > RAE_VFS_IO_MAX ? RAE_VFS_IO_MAX : (size_t)q->room;
	int64_t r = ramfs_getdents(f->node, &f->pos, srv->out, room);
	rep->entries_len = r > 0 ? (uint32_t)r : 0;
	return r;
}

static int64_t vfs_op_truncate(void *ctx, const rae_msg_t *call, vfs_truncate_request_t *q,
			       vfs_truncate_reply_t *rep)
{
	(void)call;
	vfs_server_t *srv = ctx;
	VFS_FD(srv, q->fd, f);
	VFS_FORWARD(f, truncate, q, rep);
	if (!(f->flags & RAE_VFS_O_WRITE))
		return RAE_ERR_ACCESS_DENIED;
	if (!ramfs_is_file(f->node))
		return RAE_ERR_IS_DIR;
	return ramfs_truncate(&srv->fs, f->node, q->size);
}

static int64_t vfs_op_stat(void *ctx, const rae_msg_t *call, vfs_stat_request_t *q,
			   vfs_stat_reply_t *rep)
{
	(void)call;
	vfs_server_t *srv = ctx;
	ramfs_lookup_t *lk = &srv->lk_a;
	if (q->flags & ~(uint64_t)RAE_VFS_STAT_NOFOLLOW)
		return RAE_ERR_INVALID;
	unsigned follow = !(q->flags & RAE_VFS_STAT_NOFOLLOW);
	rae_status_t st =
	    ramfs_lookup(&srv->fs, q->path, q->path_len, follow ? RAMFS_FOLLOW : 0, lk);
	if (st != RAE_OK)
		return st;
	rep->stat = (struct rae_stat *)srv->out;
	if (lk->mount) {
		vfs_stat_request_t fq = *q;
		fq.path = vfs_rest(lk, &fq.path_len);
		int64_t r =
		    vfs_stat_call(vfs_mount_of(lk)->session, RAE_VFS_CALL_TIMEOUT_NS, &fq, rep);
		rep->stat->dev = vfs_mount_of(lk)->dev;
		return r;
	}
	if (!lk->node)
		return RAE_ERR_NOT_FOUND;
	ramfs_stat(lk->node, rep->stat);
	return RAE_OK;
}

static int64_t vfs_op_readlink(void *ctx, const rae_msg_t *call, vfs_readlink_request_t *q,
			       vfs_readlink_reply_t *rep)
{
	(void)call;
	vfs_server_t *srv = ctx;
	ramfs_lookup_t *lk = &srv->lk_a;
	rae_status_t st = ramfs_lookup(&srv->fs, q->path, q->path_len, 0, lk);
	if (st != RAE_OK)
		return st;
	rep->target = srv->out;
	if (lk->mount) {
		vfs_readlink_request_t fq = *q;
		fq.path = vfs_rest(lk, &fq.path_len);
		rep->target_cap = RAE_VFS_PATH_MAX;
		return vfs_readlink_call(vfs_mount_of(lk)->session, RAE_VFS_CALL_TIMEOUT_NS, &fq,
					 rep);
	}
	ramfs_node_t *n = lk->node;
	if (!n)
		return RAE_ERR_NOT_FOUND;
	if (!ramfs_is_link(n))
		return RAE_ERR_INVALID;
	memcpy(srv->out, n->u.link.target, n->u.link.len);
	rep->target_len = n->u.link.len;
	return n->u.link.len;
}

static int64_t vfs_op_mkdir(void *ctx, const rae_msg_t *call, vfs_mkdir_request_t *q,
			    vfs_mkdir_reply_t *rep)
{
	(void)call;
	vfs_server_t *srv = ctx;
	ramfs_lookup_t *lk = &srv->lk_a;
	rae_status_t st = ramfs_lookup(&srv->fs, q->path, q->path_len, 0, lk);
	if (st != RAE_OK)
		return st;
	if (lk->mount && lk->rest_len) {
		vfs_mkdir_request_t fq = *q;
		fq.path = vfs_rest(lk, &fq.path_len);
		return vfs_mkdir_call(vfs_mount_of(lk)->session, RAE_VFS_CALL_TIMEOUT_NS, &fq, rep);
	}
	if (lk->node)
		return RAE_ERR_EXISTS;
	ramfs_node_t *n;
	return ramfs_create(&srv->fs, lk->parent, lk->name, lk->name_len,
			    RAE_VFS_S_IFDIR | (uint32_t)(q->perm & 07777), &n);
}

/* UNLINK and RMDIR: one path, forwarded below a mount point. */
static int64_t vfs_remove(vfs_server_t *srv, const char *path, uint32_t len, bool dir)
{
	ramfs_lookup_t *lk = &srv->lk_a;
	rae_status_t st = ramfs_lookup(&srv->fs, path, len, 0, lk);
	if (st != RAE_OK)
		return st;
	if (lk->mount && lk->rest_len) {
		uint32_t rest_len;
		const char *rest = vfs_rest(lk, &rest_len);
		if (dir) {
			vfs_rmdir_reply_t rep = {0};
			return vfs_rmdir_call(
			    vfs_mount_of(lk)->session, RAE_VFS_CALL_TIMEOUT_NS,
			    &(vfs_rmdir_request_t){.path = rest, .path_len = rest_len}, &rep);
		}
		vfs_unlink_reply_t rep = {0};
		return vfs_unlink_call(vfs_mount_of(lk)->session, RAE_VFS_CALL_TIMEOUT_NS,
				       &(vfs_unlink_request_t){.path = rest, .path_len = rest_len},
				       &rep);
	}
	ramfs_node_t *n = lk->node;
	if (!n)
		return RAE_ERR_NOT_FOUND;
	if (lk->mount || n == srv->fs.root)
		return RAE_ERR_BUSY;
	if (!dir && ramfs_is_dir(n))
		return RAE_ERR_IS_DIR;
	if (dir && !ramfs_is_dir(n))
		return RAE_ERR_NOT_DIR;
	if (!lk->parent)
		return RAE_ERR_INVALID; /* "." or ".." */
	return ramfs_remove(&srv->fs, lk->parent, lk->name, lk->name_len);
}

static int64_t vfs_op_unlink(void *ctx, const rae_msg_t *call, vfs_unlink_request_t *q,
			     vfs_unlink_reply_t *rep)
{
	(void)call;
	(void)rep;
	return vfs_remove(ctx, q->path, q->path_len, false);
}

static int64_t vfs_op_rmdir(void *ctx, const rae_msg_t *call, vfs_rmdir_request_t *q,
			    vfs_rmdir_reply_t *rep)
{
	(void)call;
	(void)rep;
	return vfs_remove(ctx, q->path, q->path_len, true);
}

static int64_t vfs_op_symlink(void *ctx, const rae_msg_t *call, vfs_symlink_request_t *q,
			      vfs_symlink_reply_t *rep)
{
	(void)call;
	vfs_server_t *srv = ctx;
	ramfs_lookup_t *b = &srv->lk_b;
	rae_status_t st = ramfs_lookup(&srv->fs, q->path, q->path_len, 0, b);
	if (st != RAE_OK)
		return st;
	if (b->mount && b->rest_len) {
		/* The same target, the rest of the link's path. */
		vfs_symlink_request_t fq = *q;
		fq.path = vfs_rest(b, &fq.path_len);
		return vfs_symlink_call(vfs_mount_of(b)->session, RAE_VFS_CALL_TIMEOUT_NS, &fq,
					rep);
	}
	if (b->node || b->mount || !b->parent)
		return RAE_ERR_EXISTS;
	if (b->dir_wanted)
		return RAE_ERR_NOT_DIR;
	return ramfs_symlink(&srv->fs, b->parent, b->name, b->name_len, q->target, q->target_len,
			     NULL);
}

static int64_t vfs_op_rename(void *ctx, const rae_msg_t *call, vfs_rename_request_t *q,
			     vfs_rename_reply_t *rep)
{
	(void)call;
	vfs_server_t *srv = ctx;
	ramfs_lookup_t *a = &srv->lk_a, *b = &srv->lk_b;
	rae_status_t st = ramfs_lookup(&srv->fs, q->to, q->to_len, 0, b);
	if (st != RAE_OK)
		return st;
	st = ramfs_lookup(&srv->fs, q->from, q->from_len, 0, a);
	if (st != RAE_OK)
		return st;
	if (a->mount || b->mount) {
		if ((a->mount && !a->rest_len) || (b->mount && !b->rest_len))
			return RAE_ERR_BUSY; /* the mount point itself */
		if (a->mount != b->mount)
			return RAE_ERR_CROSS_DEVICE;
		vfs_rename_request_t fq = {.from = a->rest,
					   .from_len = (uint32_t)a->rest_len,
					   .to = b->rest,
					   .to_len = (uint32_t)b->rest_len};
		return vfs_rename_call(vfs_mount_of(a)->session, RAE_VFS_CALL_TIMEOUT_NS, &fq, rep);
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

static int64_t vfs_op_mount(void *ctx, const rae_msg_t *call, vfs_mount_request_t *q,
			    vfs_mount_reply_t *rep)
{
	(void)call;
	(void)rep;
	vfs_server_t *srv = ctx;
	ramfs_lookup_t *lk = &srv->lk_a;
	if (!srv->caller->admin)
		return RAE_ERR_ACCESS_DENIED;
	rae_status_t st = ramfs_lookup(&srv->fs, q->path, q->path_len, RAMFS_FOLLOW, lk);
	if (st != RAE_OK)
		return st;
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
	 * which is busy right here) is refused rather than waited for. The
	 * endpoint was only needed for this: the dispatcher closes it. */
	rae_handle_t session;
	rae_status_t r = rae_vfs_session_open_within(q->fs, VFS_MOUNT_TIMEOUT, &session);
	if (r != RAE_OK)
		return r;
	m->dir = lk->node;
	m->session = session;
	m->fds = 0;
	lk->node->u.dir.mount = m;
	ramfs_hold(lk->node); /* kept while mounted, even if removed */
	return RAE_OK;
}

static int64_t vfs_op_unmount(void *ctx, const rae_msg_t *call, vfs_unmount_request_t *q,
			      vfs_unmount_reply_t *rep)
{
	(void)call;
	(void)rep;
	vfs_server_t *srv = ctx;
	ramfs_lookup_t *lk = &srv->lk_a;
	if (!srv->caller->admin)
		return RAE_ERR_ACCESS_DENIED;
	rae_status_t st = ramfs_lookup(&srv->fs, q->path, q->path_len, 0, lk);
	if (st != RAE_OK)
		return st;
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

static const vfs_handlers_t vfs_handlers = {
    .admit = vfs_admit,
    .open_session = vfs_session_open,
    .close_session = vfs_session_close,
    .open = vfs_op_open,
    .close = vfs_op_close,
    .read = vfs_op_read,
    .write = vfs_op_write,
    .seek = vfs_op_seek,
    .stat = vfs_op_stat,
    .fstat = vfs_op_fstat,
    .getdents = vfs_op_getdents,
    .mkdir = vfs_op_mkdir,
    .unlink = vfs_op_unlink,
    .rmdir = vfs_op_rmdir,
    .rename = vfs_op_rename,
    .symlink = vfs_op_symlink,
    .readlink = vfs_op_readlink,
    .truncate = vfs_op_truncate,
    .mount = vfs_op_mount,
    .unmount = vfs_op_unmount,
};

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
		if (m.flags & RAE_MSG_ONEWAY) {
			/* The kernel's notice (nobody else can send this tag):
			 * every copy of a session handle is gone, so is its
			 * client; its descriptors and slot go too. A session
			 * closed before (CLOSE_SESSION, a failed reply) is no
			 * longer found by its badge. No reply is owed, and
			 * nothing else sent one way is a request. */
			vfs_session_t *gone =
			    m.tag == RAE_IPC_TAG_CLOSED ? vfs_session_of(srv, m.badge) : NULL;
			if (gone)
				vfs_session_free(srv, gone);
			for (uint32_t i = 0; i < m.handle_count; i++)
				rae_handle_close(m.handles[i]);
			continue;
		}
		srv->caller = NULL;
		rae_msg_t r;
		int64_t result = vfs_dispatch(&vfs_handlers, srv, &m, &r);
		if (rae_ipc_reply(&r) != RAE_OK && m.tag == RAE_VFS_OPEN_SESSION && result >= 0) {
			/* The caller is gone: no session for it. */
			vfs_session_t *s = vfs_session_of(srv, r.words[0]);
			if (s)
				vfs_session_free(srv, s);
		}
	}
}
