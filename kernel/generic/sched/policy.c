/* The per-CPU scheduling policy: which queued entity runs next, for how long,
 * and what running costs it. Pure code over one sched_rq_t; the caller holds
 * the run-queue lock and supplies the time (see sched/policy.h). */
#include <sched/policy.h>

#include <stddef.h>
#include <string.h>

/*
 * Weight per nice level, from -20 to 19: each step is about 1.25x, so one
 * nice level apart is about 10% more or less CPU between two hogs (the table
 * Linux uses, so expectations carry over).
 */
static const uint32_t sched_nice_weight[SCHED_NICE_MAX - SCHED_NICE_MIN + 1] = {
    88761, 71755, 56483, 46273, 36291, /* -20 */
    29154, 23254, 18705, 14949, 11916, /* -15 */
    9548,  7620,  6100,  4904,  3906,  /* -10 */
    3121,  2501,  1991,  1586,  1277,  /* -5 */
    1024,  820,   655,   526,   423,   /* 0 */
    335,   272,   215,   172,   137,   /* 5 */
    110,   87,    70,    56,    45,    /* 10 */
    36,    29,    23,    18,    15,    /* 15 */
};

typedef bool (*sched_before_fn)(const sched_entity_t *a, const sched_entity_t *b);

/* vruntime may wrap after years at nice 19; a signed difference orders it
 * correctly as long as queued values are within 2^63 ns of each other. */
static bool sched_vruntime_before(uint64_t a, uint64_t b)
{
	return (int64_t)(a - b) < 0;
}

static bool sched_ts_before(const sched_entity_t *a, const sched_entity_t *b)
{
	return sched_vruntime_before(a->vruntime, b->vruntime);
}

static bool sched_rt_before(const sched_entity_t *a, const sched_entity_t *b)
{
	return a->deadline < b->deadline;
}

static bool sched_throttled_before(const sched_entity_t *a, const sched_entity_t *b)
{
	return a->replenish_at < b->replenish_at;
}

/* Inserts after every entity not ordered after se, so equal keys stay FIFO
 * (equal-vruntime TS entities then take turns). */
static void sched_list_insert(sched_entity_t **head, sched_entity_t *se, sched_before_fn before)
{
	sched_entity_t *prev = NULL;
	sched_entity_t *at = *head;

	while (at && !before(se, at)) {
		prev = at;
		at = at->next;
	}
	se->prev = prev;
	se->next = at;
	if (at)
		at->prev = se;
	if (prev)
		prev->next = se;
	else
		*head = se;
}

static void sched_list_remove(sched_entity_t **head, sched_entity_t *se)
{
	if (se->prev)
		se->prev->next = se->next;
	else
		*head = se->next;
	if (se->next)
		se->next->prev = se->prev;
	se->next = NULL;
	se->prev = NULL;
}

/* Puts se into the one list its class and state call for, keeping the
 * counts. Callers change cls, throttled or weight only while se is out. */
static void sched_queue_add(sched_rq_t *rq, sched_entity_t *se)
{
	if (se->cls == SCHED_TS) {
		sched_list_insert(&rq->ts_head, se, sched_ts_before);
		rq->nr_ts++;
		rq->ts_weight_sum += se->weight;
	} else if (se->throttled) {
		sched_list_insert(&rq->throttled_head, se, sched_throttled_before);
		rq->nr_throttled++;
	} else {
		sched_list_insert(&rq->rt_head, se, sched_rt_before);
		rq->nr_rt++;
	}
}

static void sched_queue_del(sched_rq_t *rq, sched_entity_t *se)
{
	if (se->cls == SCHED_TS) {
		sched_list_remove(&rq->ts_head, se);
		rq->nr_ts--;
		rq->ts_weight_sum -= se->weight;
	} else if (se->throttled) {
		sched_list_remove(&rq->throttled_head, se);
		rq->nr_throttled--;
	} else {
		sched_list_remove(&rq->rt_head, se);
		rq->nr_rt--;
	}
}

static uint64_t sched_add_sat(uint64_t a, uint64_t b)
{
	return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

static int sched_nice_clamp(int nice)
{
	if (nice < SCHED_NICE_MIN)
		return SCHED_NICE_MIN;
	if (nice > SCHED_NICE_MAX)
		return SCHED_NICE_MAX;
	return nice;
}

static void sched_ts_set_nice(sched_entity_t *se, int nice)
{
	se->nice = sched_nice_clamp(nice);
	se->weight = sched_nice_weight[se->nice - SCHED_NICE_MIN];
}

/* ns of real time converted to virtual time at the given weight. A single
 * charge above 2^54 ns (208 days) is clamped rather than overflowed. */
static uint64_t sched_ts_virtual(uint64_t ns, uint32_t weight)
{
	if (weight == SCHED_WEIGHT_NICE0)
		return ns;
	if (ns > UINT64_MAX / SCHED_WEIGHT_NICE0)
		ns = UINT64_MAX / SCHED_WEIGHT_NICE0;
	return ns * SCHED_WEIGHT_NICE0 / weight;
}

static void sched_ts_update_min_vruntime(sched_rq_t *rq)
{
	if (rq->ts_head && sched_vruntime_before(rq->min_vruntime, rq->ts_head->vruntime))
		rq->min_vruntime = rq->ts_head->vruntime;
}

/* se's share of the TS target latency, by weight, never below the minimum
 * granularity (so many entities stretch the period instead of thrashing). */
static uint64_t sched_ts_slice(const sched_rq_t *rq, const sched_entity_t *se)
{
	uint64_t slice = rq->ts_slice_ns;

	if (rq->ts_weight_sum > 0)
		slice = rq->ts_slice_ns * se->weight / rq->ts_weight_sum;
	return slice < SCHED_TS_MIN_GRAN_NS ? SCHED_TS_MIN_GRAN_NS : slice;
}

static void sched_rt_new_period(sched_entity_t *se, uint64_t now)
{
	se->deadline = now + se->period_ns;
	se->remaining_ns = se->budget_ns;
}

/*
 * The CBS wakeup test: would the budget left, spent before the current
 * deadline, exceed the server's bandwidth Q/T? Then keeping the deadline
 * would let a task that slept bank bandwidth, so a new period must start.
 * Cross-multiplied (remaining * T > (deadline - now) * Q) to avoid division.
 */
static bool sched_rt_wakeup_needs_new_period(const sched_entity_t *se, uint64_t now)
{
	if (se->deadline <= now)
		return true;
	return (unsigned __int128)se->remaining_ns * se->period_ns >
	       (unsigned __int128)(se->deadline - now) * se->budget_ns;
}

/* The deadline a throttled entity gets when replenished on time. */
static uint64_t sched_rt_replenished_deadline(const sched_entity_t *se)
{
	return sched_add_sat(se->replenish_at, se->period_ns);
}

void sched_rq_init(sched_rq_t *rq)
{
	memset(rq, 0, sizeof(*rq));
	rq->rt_bound_ppm = SCHED_RT_BOUND_PPM_DEFAULT;
	rq->ts_slice_ns = SCHED_TS_SLICE_NS_DEFAULT;
}

void sched_entity_init_ts(sched_entity_t *se, int nice)
{
	memset(se, 0, sizeof(*se));
	se->cls = SCHED_TS;
	sched_ts_set_nice(se, nice);
}

rae_status_t sched_entity_set_rt(sched_rq_t *rq, sched_entity_t *se, uint64_t budget_ns,
				 uint64_t period_ns, uint64_t now)
{
	if (budget_ns == 0 || period_ns == 0 || budget_ns > period_ns ||
	    period_ns > SCHED_RT_PERIOD_MAX_NS)
		return RAE_ERR_INVALID;
	/* Rounded up, so admitted shares never sum below the real demand.
	 * Q <= 10^10 keeps Q * 10^6 within 64 bits. */
	uint32_t share = (uint32_t)((budget_ns * 1000000u + period_ns - 1) / period_ns);
	uint64_t util = (uint64_t)rq->rt_util_ppm - se->rt_share_ppm + share;

	if (util > rq->rt_bound_ppm)
		return RAE_ERR_LIMIT;

	bool queued = se->on_rq;

	if (queued)
		sched_queue_del(rq, se);
	rq->rt_util_ppm = (uint32_t)util;
	se->rt_share_ppm = share;
	se->budget_ns = budget_ns;
	se->period_ns = period_ns;
	if (se->cls == SCHED_TS) {
		se->cls = SCHED_RT;
		se->throttled = false;
		sched_rt_new_period(se, now);
	} else if (se->throttled) {
		/* Keeps an exhausted server from escaping its throttling by
		 * re-admission, but a shorter period cuts the wait. */
		if (se->replenish_at > now + period_ns)
			se->replenish_at = now + period_ns;
	} else {
		se->deadline = now + period_ns;
		if (se->remaining_ns > budget_ns)
			se->remaining_ns = budget_ns;
	}
	if (queued)
		sched_queue_add(rq, se);
	return RAE_OK;
}

void sched_entity_set_ts(sched_rq_t *rq, sched_entity_t *se, int nice)
{
	bool queued = se->on_rq;

	if (queued)
		sched_queue_del(rq, se);
	rq->rt_util_ppm -= se->rt_share_ppm;
	se->rt_share_ppm = 0;
	if (se->cls == SCHED_RT) {
		se->cls = SCHED_TS;
		se->throttled = false;
		se->vruntime = rq->min_vruntime;
	}
	sched_ts_set_nice(se, nice);
	if (queued) {
		sched_queue_add(rq, se);
		sched_ts_update_min_vruntime(rq);
	}
}

void sched_rq_release(sched_rq_t *rq, sched_entity_t *se)
{
	if (se->on_rq)
		sched_dequeue(rq, se);
	rq->rt_util_ppm -= se->rt_share_ppm;
	se->rt_share_ppm = 0;
}

void sched_enqueue(sched_rq_t *rq, sched_entity_t *se, uint64_t now, bool wakeup)
{
	if (se->on_rq)
		return;
	if (se->cls == SCHED_TS) {
		if (wakeup) {
			uint64_t floor = rq->min_vruntime - rq->ts_slice_ns / 2;

			if (sched_vruntime_before(se->vruntime, floor))
				se->vruntime = floor;
		} else {
			se->vruntime = rq->min_vruntime;
		}
	} else if (se->throttled) {
		/* Replenishing at now, not at replenish_at: the time between
		 * was slept, and a full budget against the old period's end
		 * would exceed Q/T. */
		if (se->replenish_at <= now) {
			se->throttled = false;
			sched_rt_new_period(se, now);
		}
	} else if (wakeup ? sched_rt_wakeup_needs_new_period(se, now) : se->deadline <= now) {
		sched_rt_new_period(se, now);
	}
	se->on_rq = true;
	sched_queue_add(rq, se);
	if (se->cls == SCHED_TS)
		sched_ts_update_min_vruntime(rq);
}

void sched_dequeue(sched_rq_t *rq, sched_entity_t *se)
{
	if (!se->on_rq)
		return;
	sched_queue_del(rq, se);
	se->on_rq = false;
	if (rq->curr == se)
		rq->curr = NULL;
	if (se->cls == SCHED_TS)
		sched_ts_update_min_vruntime(rq);
}

sched_entity_t *sched_pick_next(sched_rq_t *rq, uint64_t now)
{
	while (rq->throttled_head && rq->throttled_head->replenish_at <= now) {
		sched_entity_t *se = rq->throttled_head;

		sched_queue_del(rq, se);
		se->throttled = false;
		se->remaining_ns = se->budget_ns;
		se->deadline = sched_rt_replenished_deadline(se);
		if (se->deadline <= now)
			se->deadline = now + se->period_ns;
		sched_queue_add(rq, se);
	}
	rq->curr = rq->rt_head ? rq->rt_head : rq->ts_head;
	return rq->curr;
}

void sched_yield_entity(sched_rq_t *rq, sched_entity_t *se)
{
	if (se->cls != SCHED_TS || !se->on_rq)
		return;
	sched_entity_t *last = rq->ts_head;
	while (last && last->next)
		last = last->next;
	if (!last || last == se)
		return;
	sched_queue_del(rq, se);
	if ((int64_t)(last->vruntime - se->vruntime) >= 0)
		se->vruntime = last->vruntime + 1;
	sched_queue_add(rq, se);
	sched_ts_update_min_vruntime(rq);
}

void sched_charge(sched_rq_t *rq, sched_entity_t *se, uint64_t ran_ns, uint64_t now)
{
	/* Accounting depends on ran_ns alone; replenishment times come from
	 * the server's deadline, not from when the charge happens. */
	(void)now;
	se->sum_exec_ns += ran_ns;
	if (se->cls == SCHED_TS) {
		if (se->on_rq)
			sched_queue_del(rq, se);
		se->vruntime += sched_ts_virtual(ran_ns, se->weight);
		if (se->on_rq) {
			sched_queue_add(rq, se);
			sched_ts_update_min_vruntime(rq);
		}
		return;
	}
	if (se->throttled)
		return; /* already spent; nothing left to take */
	if (ran_ns < se->remaining_ns) {
		se->remaining_ns -= ran_ns;
		return;
	}
	if (se->on_rq)
		sched_queue_del(rq, se);
	se->remaining_ns = 0;
	se->throttled = true;
	se->replenish_at = se->deadline;
	se->nr_throttles++;
	if (se->on_rq)
		sched_queue_add(rq, se);
}

uint64_t sched_next_event(sched_rq_t *rq, sched_entity_t *curr, uint64_t now)
{
	uint64_t ev = UINT64_MAX;

	if (!curr) {
		if (rq->rt_head || rq->ts_head)
			return now;
		if (rq->throttled_head)
			ev = rq->throttled_head->replenish_at;
	} else if (curr->cls == SCHED_RT) {
		if (curr->throttled || (rq->rt_head && rq->rt_head->deadline < curr->deadline))
			return now;
		ev = sched_add_sat(now, curr->remaining_ns);
		/* Sorted by replenish time, so the first one that would beat
		 * curr's deadline is the earliest such event. */
		for (const sched_entity_t *se = rq->throttled_head; se && se->replenish_at < ev;
		     se = se->next) {
			if (sched_rt_replenished_deadline(se) < curr->deadline) {
				ev = se->replenish_at;
				break;
			}
		}
	} else {
		if (rq->rt_head)
			return now;
		if (rq->nr_ts > 1)
			ev = sched_add_sat(now, sched_ts_slice(rq, curr));
		/* Any replenished RT entity preempts a TS one. */
		if (rq->throttled_head && rq->throttled_head->replenish_at < ev)
			ev = rq->throttled_head->replenish_at;
	}
	return ev < now ? now : ev;
}

bool sched_should_preempt(sched_rq_t *rq, sched_entity_t *curr, sched_entity_t *woken, uint64_t now)
{
	/* The keys compared were brought up to now by the caller's charge;
	 * rq and now stay in the contract for load-dependent refinements. */
	(void)rq;
	(void)now;
	if (!woken->on_rq || woken->throttled || woken == curr)
		return false;
	if (!curr)
		return true;
	if (woken->cls != curr->cls)
		return woken->cls == SCHED_RT;
	if (woken->cls == SCHED_RT)
		return curr->throttled || woken->deadline < curr->deadline;

	/* The lead is in woken's virtual time, so heavier wakers need less. */
	uint64_t gran = sched_ts_virtual(SCHED_TS_WAKEUP_GRAN_NS, woken->weight);

	return (int64_t)(curr->vruntime - woken->vruntime) > (int64_t)gran;
}

uint32_t sched_rt_util_ppm(const sched_rq_t *rq)
{
	return rq->rt_util_ppm;
}
