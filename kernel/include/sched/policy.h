/* The scheduling policy of one CPU's run queue, as pure code: time-sharing
 * (weighted fair, by virtual runtime) under real-time (EDF over hard CBS
 * servers, with admission control). No locks, no hardware, no threads. */
#ifndef SCHED_POLICY_H
#define SCHED_POLICY_H

#include <stdbool.h>
#include <stdint.h>

#include <rae/status.h>

#define SCHED_NICE_MIN     -20
#define SCHED_NICE_MAX     19
#define SCHED_WEIGHT_NICE0 1024u

/* Defaults of a new run queue, and the fixed bounds the policy enforces. */
#define SCHED_RT_BOUND_PPM_DEFAULT 900000u        /* RT may reserve 90% of the CPU */
#define SCHED_TS_SLICE_NS_DEFAULT  4000000ull     /* every TS entity runs once per 4 ms */
#define SCHED_TS_MIN_GRAN_NS       1000000ull     /* no TS slice is shorter than 1 ms */
#define SCHED_TS_WAKEUP_GRAN_NS    1000000ull     /* TS wakeup preemption needs a 1 ms lead */
#define SCHED_RT_PERIOD_MAX_NS     10000000000ull /* 10 s */

typedef enum { SCHED_TS, SCHED_RT } sched_class_t;

/*
 * One schedulable thing (a thread). Every field is guarded by the lock of the
 * run queue the entity is queued on or reserved on; the policy itself takes no
 * lock. While on_rq, the entity sits in exactly one of its run queue's three
 * lists: TS, RT (EDF) or throttled.
 */
typedef struct sched_entity {
	/* Links in whichever one list holds the entity; NULL-terminated. */
	struct sched_entity *next;
	struct sched_entity *prev;
	sched_class_t cls;
	bool on_rq; /* runnable: queued on a run queue (RT: possibly throttled) */

	/* Time-sharing. vruntime is compared wrap-safely (signed difference). */
	int nice;        /* SCHED_NICE_MIN .. SCHED_NICE_MAX */
	uint32_t weight; /* from nice; SCHED_WEIGHT_NICE0 at nice 0 */
	uint64_t vruntime;

	/* Real-time: a constant-bandwidth server of budget Q every period T. */
	uint64_t budget_ns;    /* Q */
	uint64_t period_ns;    /* T */
	uint64_t deadline;     /* absolute ns: the end of the current server period */
	uint64_t remaining_ns; /* budget left in this period; > 0 unless throttled */
	bool throttled;        /* budget spent: waits for replenish_at */
	uint64_t replenish_at; /* absolute ns; meaningful while throttled */
	/* The utilization this entity holds reserved on its run queue (ppm,
	 * Q/T rounded up); 0 for TS entities and after sched_rq_release. */
	uint32_t rt_share_ppm;

	/* Statistics, never reset by the policy. */
	uint64_t sum_exec_ns;
	uint64_t nr_throttles; /* budget exhaustions */

	void *owner; /* the thread; the policy never touches it */
} sched_entity_t;

/*
 * One CPU's run queue. Every field is guarded by the run-queue lock, which
 * every caller of this API holds. The lists are sorted, doubly linked and
 * NULL-terminated: insertion is O(n) in the entities of that list, removal
 * and picking are O(1). Per-CPU counts are small (tens); a tree can replace
 * the lists behind this API if that ever changes. Equal keys keep FIFO order.
 */
typedef struct sched_rq {
	sched_entity_t *ts_head;        /* TS entities by vruntime, smallest first */
	sched_entity_t *rt_head;        /* runnable RT entities by deadline (EDF) */
	sched_entity_t *throttled_head; /* throttled RT entities by replenish_at */
	unsigned nr_ts;                 /* entities in ts_head */
	unsigned nr_rt;                 /* entities in rt_head */
	unsigned nr_throttled;          /* entities in throttled_head */
	uint64_t ts_weight_sum;         /* weights of the entities in ts_head */
	/* Never decreases; follows the smallest queued vruntime. Newcomers
	 * start here, sleepers come back no earlier than slice/2 before it. */
	uint64_t min_vruntime;
	uint32_t rt_util_ppm;  /* sum of rt_share_ppm reserved here */
	uint32_t rt_bound_ppm; /* admission bound; SCHED_RT_BOUND_PPM_DEFAULT */
	/* What sched_pick_next last chose (NULL: idle). It stays queued. */
	sched_entity_t *curr;
	/* TS target latency: with few entities each runs once per this period;
	 * with many, each runs at least SCHED_TS_MIN_GRAN_NS. */
	uint64_t ts_slice_ns;
} sched_rq_t;

/* Makes rq empty, with the default RT bound and TS slice. Cannot fail. */
void sched_rq_init(sched_rq_t *rq);

/*
 * Makes se a fresh, unqueued TS entity of the given nice (clamped to
 * SCHED_NICE_MIN..SCHED_NICE_MAX). Sets every field, owner to NULL: set
 * owner afterwards. se must not be queued anywhere.
 */
void sched_entity_init_ts(sched_entity_t *se, int nice);

/*
 * Makes se an RT entity of rq with budget Q = budget_ns every period
 * T = period_ns, reserving Q/T (ppm, rounded up) of rq's bandwidth.
 * Any reservation se already holds must be on rq (see sched_rq_release).
 * Returns RAE_ERR_INVALID if Q == 0, T == 0, Q > T or T > 10 s;
 * RAE_ERR_LIMIT if the reservation would take rq->rt_util_ppm past
 * rq->rt_bound_ppm (an RT entity's own current share on rq is counted as
 * freed first). On either error nothing changes.
 * On success: from TS, a new server period starts at now (remaining = Q,
 * deadline = now + T). From RT (new parameters, or re-admission after
 * sched_rq_release), a non-throttled entity starts a new period at now with
 * remaining = min(remaining, Q), so a re-admission never mints budget; a
 * throttled one stays throttled, until min(replenish_at, now + T). If queued,
 * se moves to the matching RT list.
 */
rae_status_t sched_entity_set_rt(sched_rq_t *rq, sched_entity_t *se, uint64_t budget_ns,
				 uint64_t period_ns, uint64_t now);

/*
 * Makes se a TS entity of the given nice (clamped), returning any RT
 * utilization it held on rq. From RT, se starts at rq->min_vruntime (its old
 * vruntime meant nothing here) and is no longer throttled. From TS only the
 * weight changes. If queued, se moves to (or stays in) the TS list.
 */
void sched_entity_set_ts(sched_rq_t *rq, sched_entity_t *se, int nice);

/*
 * se leaves rq for good (exit, or migration to another CPU): dequeues it if
 * still queued and returns its reserved utilization (its rt_share_ppm becomes
 * 0). A TS entity just leaves. A migrating RT entity must be admitted on the
 * new run queue with sched_entity_set_rt before it is enqueued there; its
 * throttling carries over (times are absolute and shared by all CPUs).
 */
void sched_rq_release(sched_rq_t *rq, sched_entity_t *se);

/*
 * Puts se on rq as runnable (an se already queued is left alone). wakeup is true when se comes back
 * from sleeping; false for a new thread, a migration or a requeue.
 * TS: a waking entity is placed at max(vruntime, min_vruntime - slice/2): a
 * small bonus for sleepers that cannot be hoarded; any other arrival starts
 * at min_vruntime (a vruntime from elsewhere means nothing here).
 * RT: a throttled entity goes to the throttled list until replenish_at (once
 * that has passed it gets a new period at now). Otherwise, on wakeup, the CBS
 * rule: if remaining > (deadline - now) * Q / T, or the deadline has passed,
 * a new period starts (deadline = now + T, remaining = Q); else deadline and
 * remaining are kept. Without wakeup only a passed deadline restarts.
 * The caller then asks sched_should_preempt whether to reschedule.
 */
void sched_enqueue(sched_rq_t *rq, sched_entity_t *se, uint64_t now, bool wakeup);

/*
 * Takes se, queued on rq, off it (it blocks, exits or migrates). Charge it
 * first. Its RT server state, throttling included, is kept for the next
 * enqueue. If se was rq->curr, rq->curr becomes NULL. An unqueued se is left
 * alone.
 */
void sched_dequeue(sched_rq_t *rq, sched_entity_t *se);

/*
 * Chooses what runs next on rq at now, and records it as rq->curr (NULL:
 * idle). First every throttled entity whose replenish_at <= now gets its
 * fresh budget (remaining = Q, deadline = replenish_at + T, or now + T if
 * that is already past) and rejoins the EDF list. Then: the RT entity with
 * the earliest deadline, else the TS entity with the smallest vruntime, else
 * NULL. Nothing is dequeued: the chosen entity stays in its list while it
 * runs, so preempting it needs no requeue, and sched_charge keeps its
 * position current. Charge the previous curr up to now before calling.
 */
sched_entity_t *sched_pick_next(sched_rq_t *rq, uint64_t now);

/* A time-sharing entity gives way: it goes behind every other queued TS
 * entity (its vruntime moves up to just past the largest), so the next
 * pick takes another if there is one. Real-time entities keep their place
 * (their deadline orders them). */
void sched_yield_entity(sched_rq_t *rq, sched_entity_t *se);

/*
 * Accounts ran_ns of CPU time that ended at now to se (normally rq->curr):
 * sum_exec_ns grows; TS: vruntime += ran * 1024 / weight, se moves back in
 * the TS list, min_vruntime follows; RT: remaining -= ran, and when that
 * reaches 0 the budget is spent: throttled, replenish_at = deadline,
 * nr_throttles++, and se moves from the EDF list to the throttled list (hard
 * CBS: no more CPU until the period ends). Overrun past 0 is not carried
 * over; it is bounded by how late the timer from sched_next_event fires.
 * se may be unqueued (it just blocked): only its own fields change then.
 */
void sched_charge(sched_rq_t *rq, sched_entity_t *se, uint64_t ran_ns, uint64_t now);

/*
 * The absolute time at which the scheduler must run again if curr (NULL:
 * idle) runs from now, with no other event; UINT64_MAX if never. Call it
 * right after sched_pick_next and arm a one-shot timer; a TS slice counts
 * from this call.
 * RT curr: budget exhaustion (now + remaining), or the earliest replenishment
 * of a throttled entity whose new deadline would beat curr's.
 * TS curr: now + its slice (ts_slice_ns * weight / total TS weight, at least
 * SCHED_TS_MIN_GRAN_NS) if another TS entity is runnable, and the earliest
 * replenishment of a throttled RT entity; UINT64_MAX if neither (tickless).
 * Idle: the earliest replenishment.
 * Returns now if curr should not be running at all (a runnable RT entity
 * beats it, or it is throttled).
 */
uint64_t sched_next_event(sched_rq_t *rq, sched_entity_t *curr, uint64_t now);

/*
 * Whether woken, just enqueued, should preempt curr (NULL: idle, always).
 * RT beats TS; between RT, the earlier deadline; between TS, a vruntime
 * smaller by more than SCHED_TS_WAKEUP_GRAN_NS scaled to woken's weight.
 * A throttled woken never preempts. Charge curr up to now before asking.
 */
bool sched_should_preempt(sched_rq_t *rq, sched_entity_t *curr, sched_entity_t *woken,
			  uint64_t now);

/* The RT utilization admitted on rq, in parts per million. */
uint32_t sched_rt_util_ppm(const sched_rq_t *rq);

#endif
