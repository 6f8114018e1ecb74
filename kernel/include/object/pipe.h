/* Pipes (rae/pipe.h): a byte ring shared by two kernel objects, its read end
 * and its write end (both RAE_OBJ_PIPE). Each end is referenced by handles;
 * when the last reference to an end goes, the other side learns it (end of
 * file for readers, RAE_ERR_PEER_CLOSED for writers). */
#ifndef OBJECT_PIPE_H
#define OBJECT_PIPE_H

#include <stdbool.h>
#include <stdint.h>
#include <object/object.h>
#include <rae/status.h>

struct job;
struct pipe;

typedef struct pipe_end {
	kobject_t obj;
	struct pipe *pipe; /* shared with the other end; set at creation */
	bool write;        /* the write end; else the read end */
} pipe_end_t;

/* A new pipe of RAE_PIPE_CAPACITY bytes charged to `job` (RAE_ERR_LIMIT
 * when over its page limit, RAE_ERR_NO_MEMORY): *read_end and *write_end
 * get one reference each, the caller's. */
rae_status_t pipe_create(struct job *job, pipe_end_t **read_end, pipe_end_t **write_end);

/* Copies up to len bytes out of the pipe to user memory at `user_buf`,
 * waiting until at least one byte is there (at most until deadline_ns;
 * `nowait` to not wait at all). Returns the count, 0 at end of file (empty
 * and no write end left), RAE_ERR_TIMED_OUT, RAE_ERR_FAULT (nothing
 * consumed from the failed part), RAE_ERR_PEER_CLOSED when the calling
 * process was killed meanwhile. The caller holds a reference to `end`, a
 * read end. System-call context, no lock held. */
int64_t pipe_read(pipe_end_t *end, uintptr_t user_buf, uint64_t len, bool nowait,
		  uint64_t deadline_ns);

/* Copies up to len bytes from user memory at `user_buf` into the pipe,
 * waiting until at least one fits (all of them when len <=
 * RAE_PIPE_ATOMIC, which then land in one piece). Returns the count,
 * RAE_ERR_PEER_CLOSED when no read end is left (or the caller was
 * killed), RAE_ERR_TIMED_OUT, RAE_ERR_FAULT. The caller holds a reference
 * to `end`, a write end. System-call context, no lock held. */
int64_t pipe_write(pipe_end_t *end, uintptr_t user_buf, uint64_t len, bool nowait,
		   uint64_t deadline_ns);

#endif
