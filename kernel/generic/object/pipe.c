/* Pipes (object/pipe.h): a ring of RAE_PIPE_CAPACITY bytes between a read
 * end and a write end. User memory is never touched with the pipe's lock
 * held: writers copy a chunk into a bounce buffer first and put it in the
 * ring under the lock; a reader peeks a chunk into its bounce buffer under
 * the lock, copies it out without the lock, and only then consumes it, so
 * a fault loses no data. Only one reader copies out at a time (`reading`),
 * which keeps the peek and the consume about the same bytes.
 *
 * Blocked readers and writers wait on two wait queues (sched/waitq.h)
 * guarded by the pipe lock. Lock order: the pipe lock (LOCK_LEVEL_PIPE),
 * then run-queue locks. */
#include <mm/kmalloc.h>
#include <mm/usercopy.h>
#include <mm/vm.h>
#include <object/job.h>
#include <object/pipe.h>
#include <panic.h>
#include <proc/process.h>
#include <rae/pipe.h>
#include <sched/thread.h>
#include <sched/waitq.h>
#include <string.h>
#include <sync/lock_levels.h>
#include <sync/spinlock.h>
#include <time/clock.h>

#define PIPE_PAGES (RAE_PIPE_CAPACITY / PAGE_SIZE)
/* Bytes copied per round trip through the bounce buffer; an atomic write
 * is one chunk. */
#define PIPE_CHUNK RAE_PIPE_ATOMIC
/* Calls of at most this many bytes bounce through the kernel stack. */
#define PIPE_SMALL 256

_Static_assert(RAE_PIPE_CAPACITY % PAGE_SIZE == 0, "a pipe is charged in whole pages");
_Static_assert(RAE_PIPE_ATOMIC <= RAE_PIPE_CAPACITY, "an atomic write must fit");

typedef struct pipe {
	spinlock_t lock;
	uint8_t *buf;    /* RAE_PIPE_CAPACITY bytes; set at creation */
	struct job *job; /* charged PIPE_PAGES pages; holds a reference */
	/* Guarded by lock: */
	uint32_t head;    /* the first unread byte */
	uint32_t count;   /* bytes in the ring */
	bool reader_open; /* the read end is still referenced */
	bool writer_open; /* the write end is still referenced */
	bool reading;     /* a reader is between its peek and its consume */
	unsigned ends;    /* end objects alive: the pipe goes with the last */
	waitq_t readers, writers;
} pipe_t;

static void pipe_free(pipe_t *p)
{
	kfree(p->buf);
	job_uncharge(p->job, JOB_PAGES, PIPE_PAGES);
	kobject_unref(&p->job->obj);
	kfree(p);
}

static void pipe_end_destroy(kobject_t *o)
{
	pipe_end_t *e = (pipe_end_t *)o;
	pipe_t *p = e->pipe;
	bool irq = spin_lock_irqsave(&p->lock);
	if (e->write) {
		p->writer_open = false;
		waitq_wake_all(&p->readers); /* end of file once drained */
	} else {
		p->reader_open = false;
		waitq_wake_all(&p->writers); /* they get PEER_CLOSED */
	}
	bool last = --p->ends == 0;
	spin_unlock_irqrestore(&p->lock, irq);
	kfree(e);
	if (last)
		pipe_free(p);
}

rae_status_t pipe_create(struct job *job, pipe_end_t **read_end, pipe_end_t **write_end)
{
	if (job_charge(job, JOB_PAGES, PIPE_PAGES) != RAE_OK)
		return RAE_ERR_LIMIT;
	pipe_t *p = kzalloc(sizeof(*p));
	uint8_t *buf = kmalloc(RAE_PIPE_CAPACITY);
	pipe_end_t *r = kzalloc(sizeof(*r)), *w = kzalloc(sizeof(*w));
	if (!p || !buf || !r || !w) {
		kfree(p);
		kfree(buf);
		kfree(r);
		kfree(w);
		job_uncharge(job, JOB_PAGES, PIPE_PAGES);
		return RAE_ERR_NO_MEMORY;
	}
	spinlock_init(&p->lock, "pipe", LOCK_LEVEL_PIPE);
	p->buf = buf;
	kobject_ref(&job->obj);
	p->job = job;
	p->reader_open = p->writer_open = true;
	p->ends = 2;
	kobject_init(&r->obj, RAE_OBJ_PIPE, pipe_end_destroy);
	r->pipe = p;
	kobject_init(&w->obj, RAE_OBJ_PIPE, pipe_end_destroy);
	w->pipe = p;
	w->write = true;
	*read_end = r;
	*write_end = w;
	return RAE_OK;
}

/* Copies n <= count bytes from the ring's head to dst. Lock held. */
static void ring_peek(const pipe_t *p, uint8_t *dst, uint32_t n)
{
	ASSERT(spin_held(&p->lock) && n <= p->count);
	uint32_t first = RAE_PIPE_CAPACITY - p->head < n ? RAE_PIPE_CAPACITY - p->head : n;
	memcpy(dst, p->buf + p->head, first);
	memcpy(dst + first, p->buf, n - first);
}

/* Appends n <= free bytes from src. Lock held. */
static void ring_put(pipe_t *p, const uint8_t *src, uint32_t n)
{
	ASSERT(spin_held(&p->lock) && n <= RAE_PIPE_CAPACITY - p->count);
	uint32_t tail = (p->head + p->count) % RAE_PIPE_CAPACITY;
	uint32_t first = RAE_PIPE_CAPACITY - tail < n ? RAE_PIPE_CAPACITY - tail : n;
	memcpy(p->buf + tail, src, first);
	memcpy(p->buf, src + first, n - first);
	p->count += n;
}

/* A bounce buffer for a call of len bytes: `small` (PIPE_SMALL bytes on
 * the caller's stack) or a chunk from the heap. *cap gets its size. */
static uint8_t *bounce_get(uint8_t *small, uint64_t len, uint32_t *cap)
{
	if (len <= PIPE_SMALL) {
		*cap = PIPE_SMALL;
		return small;
	}
	*cap = len < PIPE_CHUNK ? (uint32_t)len : PIPE_CHUNK;
	return kmalloc(*cap);
}

static void bounce_put(uint8_t *b, const uint8_t *small)
{
	if (b != small)
		kfree(b);
}

int64_t pipe_read(pipe_end_t *end, uintptr_t user_buf, uint64_t len, bool nowait,
		  uint64_t deadline_ns)
{
	pipe_t *p = end->pipe;
	if (end->write)
		return RAE_ERR_ACCESS_DENIED;
	if (len == 0)
		return 0;
	uint8_t small[PIPE_SMALL];
	uint32_t cap;
	uint8_t *bounce = bounce_get(small, len, &cap);
	if (!bounce)
		return RAE_ERR_NO_MEMORY;
	uint64_t done = 0;
	rae_status_t st = RAE_OK;
	bool expired = false;
	bool irq = spin_lock_irqsave(&p->lock);
	for (;;) {
		if (!p->reading && p->count)
			break;
		if (!p->reading && !p->writer_open)
			goto out; /* drained, and nobody can write: end of file */
		/* Another reader's turn ends soon (it only copies, never
		 * sleeps, and wakes the readers when done): worth waiting for
		 * even without a timeout, so that a reader that does not wait
		 * still gets bytes that are there. */
		bool turn_only = p->reading;
		if (!turn_only && (nowait || expired)) {
			st = RAE_ERR_TIMED_OUT;
			goto out;
		}
		wait_node_t w;
		st = waitq_block(&p->readers, &w, &p->lock, &irq,
				 turn_only ? UINT64_MAX : deadline_ns);
		if (st == RAE_ERR_PEER_CLOSED)
			goto out;
		if (!turn_only)
			expired = st == RAE_ERR_TIMED_OUT;
		st = RAE_OK;
	}
	p->reading = true;
	while (done < len && p->count) {
		uint64_t want = len - done < cap ? len - done : cap;
		uint32_t n = p->count < want ? p->count : (uint32_t)want;
		ring_peek(p, bounce, n);
		spin_unlock_irqrestore(&p->lock, irq);
		bool copied = copy_to_user((void *)(user_buf + done), bounce, n) == RAE_OK;
		irq = spin_lock_irqsave(&p->lock);
		if (!copied) {
			st = RAE_ERR_FAULT; /* those bytes stay in the pipe */
			break;
		}
		/* Only this reader consumes while `reading`: the same bytes. */
		p->head = (p->head + n) % RAE_PIPE_CAPACITY;
		p->count -= n;
		done += n;
		waitq_wake_all(&p->writers);
	}
	p->reading = false;
	/* Readers that waited for this one's turn to end: each looks again
	 * (and one that may not wait leaves if nothing is left). */
	waitq_wake_all(&p->readers);
out:
	spin_unlock_irqrestore(&p->lock, irq);
	bounce_put(bounce, small);
	return done ? (int64_t)done : st;
}

int64_t pipe_write(pipe_end_t *end, uintptr_t user_buf, uint64_t len, bool nowait,
		   uint64_t deadline_ns)
{
	pipe_t *p = end->pipe;
	if (!end->write)
		return RAE_ERR_ACCESS_DENIED;
	if (len == 0)
		return 0;
	/* An atomic write is one chunk (cap >= len), put in all at once. */
	bool atomic = len <= RAE_PIPE_ATOMIC;
	uint8_t small[PIPE_SMALL];
	uint32_t cap;
	uint8_t *bounce = bounce_get(small, len, &cap);
	if (!bounce)
		return RAE_ERR_NO_MEMORY;
	uint64_t done = 0;
	rae_status_t st = RAE_OK;
	bool expired = false;
	while (done < len) {
		uint32_t n = len - done < cap ? (uint32_t)(len - done) : cap;
		if (copy_from_user(bounce, (const void *)(user_buf + done), n) != RAE_OK) {
			st = RAE_ERR_FAULT;
			break;
		}
		bool irq = spin_lock_irqsave(&p->lock);
		uint32_t space;
		for (;;) {
			space = RAE_PIPE_CAPACITY - p->count;
			if (!p->reader_open) {
				st = RAE_ERR_PEER_CLOSED;
				break;
			}
			if (atomic ? space >= n : space > 0)
				break;
			if (done)
				break; /* some went in: return them, do not wait for more */
			if (nowait || expired) {
				st = RAE_ERR_TIMED_OUT;
				break;
			}
			wait_node_t w;
			st = waitq_block(&p->writers, &w, &p->lock, &irq, deadline_ns);
			if (st == RAE_ERR_PEER_CLOSED)
				break;
			expired = st == RAE_ERR_TIMED_OUT;
			st = RAE_OK;
		}
		uint32_t put = 0;
		if (st == RAE_OK && space) {
			put = space < n ? space : n;
			ring_put(p, bounce, put);
			done += put;
			waitq_wake_all(&p->readers);
		}
		spin_unlock_irqrestore(&p->lock, irq);
		if (st != RAE_OK || put < n)
			break;
	}
	bounce_put(bounce, small);
	return done ? (int64_t)done : st;
}
