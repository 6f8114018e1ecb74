/* Host tests for the scheduling policy: fixed cases for EDF order, class
 * priority, CBS throttling, wakeup and admission; a one-CPU discrete-event
 * simulator that drives the policy the way the kernel does (fairness, the
 * product's real-time set, CBS isolation); and a long seeded random run
 * checked against the run queue's invariants after every step. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sched/policy.h>

#define US  1000ull
#define MS  1000000ull
#define SEC 1000000000ull

static uint64_t rng_state;

static uint64_t rng_next(void)
{
	/* xorshift64* */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dull;
}

static uint64_t rng_below(uint64_t n)
{
	return rng_next() % n;
}

/* ---- the simulator ------------------------------------------------------ */

typedef enum {
	SIM_TS_HOG,      /* always runnable */
	SIM_RT_PERIODIC, /* a job of c ns every t ns, deadline at the next release */
	SIM_RT_OVERRUN,  /* always runnable: wants far more than its budget */
} sim_kind_t;

typedef struct {
	const char *name;
	sim_kind_t kind;
	int nice;      /* TS */
	uint64_t q, t; /* RT server; t is also the job period */
	uint64_t c;    /* job cost, SIM_RT_PERIODIC */

	sched_entity_t se;
	uint64_t next_release;
	uint64_t job_release;
	uint64_t job_left; /* of the current job; 0: none pending */
	uint64_t cpu_ns;
	uint64_t jobs;
	uint64_t jobs_done;
	uint64_t misses;
	uint64_t worst_response_ns;
} sim_task_t;

typedef struct {
	sched_rq_t rq;
	sim_task_t *tasks;
	size_t n;
	uint64_t now;
	uint64_t idle_ns;
	uint64_t picks;
	uint64_t preemptions; /* wakeups that should_preempt let through */
} sim_t;

static uint64_t min_u64(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

/*
 * Runs the task set on one CPU from time 0 to `end`, calling the policy as
 * the kernel's scheduler does: at a wakeup, enqueue and ask should_preempt;
 * at a reschedule, charge the running entity, dequeue it if it blocks, pick
 * the next and arm the timer at next_event. Between events curr simply runs.
 * The running entity is charged at every event, which the policy allows.
 */
static void sim_run(sim_t *s, uint64_t end)
{
	sched_rq_t *rq = &s->rq;
	sched_entity_t *curr = NULL;
	uint64_t timer = 0; /* the armed one-shot timer; 0 = fire at once */
	bool need_resched = true;

	sched_rq_init(rq);
	s->now = 0;
	for (size_t i = 0; i < s->n; i++) {
		sim_task_t *t = &s->tasks[i];

		sched_entity_init_ts(&t->se, t->nice);
		t->se.owner = t;
		if (t->kind != SIM_TS_HOG)
			assert_int_equal(sched_entity_set_rt(rq, &t->se, t->q, t->t, 0), RAE_OK);
		t->next_release = 0;
		if (t->kind != SIM_RT_PERIODIC)
			sched_enqueue(rq, &t->se, 0, false);
	}

	while (s->now < end) {
		/* Job releases due now: a job still unfinished at its
		 * successor's release has missed its deadline. */
		for (size_t i = 0; i < s->n; i++) {
			sim_task_t *t = &s->tasks[i];

			if (t->kind != SIM_RT_PERIODIC || t->next_release > s->now)
				continue;
			if (t->job_left > 0)
				t->misses++;
			t->job_left = t->c;
			t->job_release = t->next_release;
			t->jobs++;
			t->next_release += t->t;
			if (!t->se.on_rq) {
				sched_enqueue(rq, &t->se, s->now, true);
				if (sched_should_preempt(rq, rq->curr, &t->se, s->now)) {
					need_resched = true;
					s->preemptions++;
				}
			}
		}
		if (need_resched || s->now >= timer) {
			curr = sched_pick_next(rq, s->now);
			assert_ptr_equal(curr, rq->curr);
			timer = sched_next_event(rq, curr, s->now);
			assert_true(timer > s->now);
			need_resched = false;
			s->picks++;
		}

		uint64_t stop = min_u64(timer, end);
		for (size_t i = 0; i < s->n; i++) {
			if (s->tasks[i].kind == SIM_RT_PERIODIC)
				stop = min_u64(stop, s->tasks[i].next_release);
		}
		sim_task_t *ct = curr ? curr->owner : NULL;
		if (ct && ct->kind == SIM_RT_PERIODIC)
			stop = min_u64(stop, s->now + ct->job_left);
		assert_true(stop > s->now);

		uint64_t ran = stop - s->now;
		s->now = stop;
		if (!ct) {
			s->idle_ns += ran;
			continue;
		}
		ct->cpu_ns += ran;
		sched_charge(rq, curr, ran, s->now);
		if (ct->kind == SIM_RT_PERIODIC) {
			ct->job_left -= ran;
			if (ct->job_left == 0) {
				uint64_t resp = s->now - ct->job_release;

				if (resp > ct->worst_response_ns)
					ct->worst_response_ns = resp;
				ct->jobs_done++;
				sched_dequeue(rq, curr);
				assert_null(rq->curr);
				need_resched = true;
			}
		}
		/* A spent RT budget must end the run at once: the timer
		 * from next_event is exactly the exhaustion time. */
		if (curr->throttled)
			assert_int_equal(s->now, timer);
	}
	for (size_t i = 0; i < s->n; i++) {
		sim_task_t *t = &s->tasks[i];

		if (t->kind == SIM_RT_PERIODIC && t->job_left > 0 && t->next_release <= s->now)
			t->misses++;
	}
}

static double sim_share(const sim_t *s, const sim_task_t *t)
{
	return 100.0 * (double)t->cpu_ns / (double)s->now;
}

static void sim_report(const char *title, const sim_t *s)
{
	printf("# %s: %.1f s simulated, %llu picks, %llu wakeup preemptions, idle %.3f%%\n", title,
	       (double)s->now / SEC, (unsigned long long)s->picks,
	       (unsigned long long)s->preemptions, 100.0 * (double)s->idle_ns / (double)s->now);
	for (size_t i = 0; i < s->n; i++) {
		const sim_task_t *t = &s->tasks[i];

		if (t->kind == SIM_TS_HOG) {
			printf("#   %-10s TS nice %3d        cpu %7.3f%%\n", t->name, t->nice,
			       sim_share(s, t));
		} else {
			printf("#   %-10s RT Q=%.1fms T=%.0fms cpu %7.3f%%  jobs %llu misses %llu "
			       "throttles %llu worst response %.3f ms\n",
			       t->name, (double)t->q / MS, (double)t->t / MS, sim_share(s, t),
			       (unsigned long long)t->jobs, (unsigned long long)t->misses,
			       (unsigned long long)t->se.nr_throttles,
			       (double)t->worst_response_ns / MS);
		}
	}
}

/* ---- fixed cases --------------------------------------------------------- */

static void rt_entity(sched_rq_t *rq, sched_entity_t *se, uint64_t q, uint64_t t, uint64_t now)
{
	sched_entity_init_ts(se, 0);
	assert_int_equal(sched_entity_set_rt(rq, se, q, t, now), RAE_OK);
	assert_int_equal(se->cls, SCHED_RT);
	assert_int_equal(se->deadline, now + t);
	assert_int_equal(se->remaining_ns, q);
}

/* 1. Three RT entities come out earliest-deadline-first, whatever the order
 * they were queued in. */
static void test_policy_edf_order(void **state)
{
	sched_rq_t rq;
	sched_entity_t a, b, c;

	(void)state;
	sched_rq_init(&rq);
	rt_entity(&rq, &a, 1 * MS, 30 * MS, 0); /* deadline 30 ms */
	rt_entity(&rq, &b, 1 * MS, 10 * MS, 0); /* deadline 10 ms */
	rt_entity(&rq, &c, 1 * MS, 20 * MS, 0); /* deadline 20 ms */
	sched_enqueue(&rq, &a, 0, false);
	sched_enqueue(&rq, &b, 0, false);
	sched_enqueue(&rq, &c, 0, false);
	assert_int_equal(rq.nr_rt, 3);

	assert_ptr_equal(sched_pick_next(&rq, 0), &b);
	assert_ptr_equal(rq.curr, &b);
	assert_true(b.on_rq); /* picking does not dequeue */
	sched_charge(&rq, &b, 100 * US, 100 * US);
	sched_dequeue(&rq, &b);
	assert_null(rq.curr);
	assert_ptr_equal(sched_pick_next(&rq, 100 * US), &c);
	sched_dequeue(&rq, &c);
	assert_ptr_equal(sched_pick_next(&rq, 100 * US), &a);
	sched_dequeue(&rq, &a);
	assert_null(sched_pick_next(&rq, 100 * US));
	assert_int_equal(rq.nr_rt, 0);

	/* An RT wakeup with an earlier deadline preempts; a later one not. */
	sched_enqueue(&rq, &a, 200 * US, false);
	assert_ptr_equal(sched_pick_next(&rq, 200 * US), &a);
	/* 0.9 ms left fits 9.8 ms at 10%: b keeps its 10 ms deadline. */
	sched_enqueue(&rq, &b, 200 * US, true);
	assert_int_equal(b.deadline, 10 * MS);
	assert_true(sched_should_preempt(&rq, &a, &b, 200 * US));
	assert_false(sched_should_preempt(&rq, &b, &a, 200 * US));
	assert_ptr_equal(sched_pick_next(&rq, 200 * US), &b);

	/* Equal deadlines: first come, first served, and no preemption. */
	sched_rq_init(&rq);
	rt_entity(&rq, &a, 1 * MS, 10 * MS, 0);
	rt_entity(&rq, &b, 1 * MS, 10 * MS, 0);
	rt_entity(&rq, &c, 1 * MS, 10 * MS, 0);
	sched_enqueue(&rq, &b, 0, false);
	sched_enqueue(&rq, &a, 0, false);
	sched_enqueue(&rq, &c, 0, false);
	assert_ptr_equal(sched_pick_next(&rq, 0), &b);
	assert_false(sched_should_preempt(&rq, &b, &a, 0));
	sched_dequeue(&rq, &b);
	assert_ptr_equal(sched_pick_next(&rq, 0), &a);
}

/* 2. RT beats TS both in should_preempt and in pick_next, whatever the TS
 * backlog. */
static void test_policy_rt_preempts_ts(void **state)
{
	enum { NTS = 100 };
	sched_rq_t rq;
	sched_entity_t ts[NTS], rt;

	(void)state;
	sched_rq_init(&rq);
	for (int i = 0; i < NTS; i++) {
		sched_entity_init_ts(&ts[i], SCHED_NICE_MIN);
		sched_enqueue(&rq, &ts[i], 0, false);
	}
	/* Make the TS backlog huge: everybody else is far ahead of ts[0]. */
	for (int i = 1; i < NTS; i++)
		sched_charge(&rq, &ts[i], 10 * SEC, 0);
	assert_ptr_equal(sched_pick_next(&rq, 0), &ts[0]);

	rt_entity(&rq, &rt, 1 * MS, 100 * MS, 0);
	sched_enqueue(&rq, &rt, 0, true);
	assert_true(sched_should_preempt(&rq, &ts[0], &rt, 0));
	assert_false(sched_should_preempt(&rq, &rt, &ts[0], 0));
	assert_true(sched_should_preempt(&rq, NULL, &rt, 0));
	assert_ptr_equal(sched_pick_next(&rq, 0), &rt);
	/* The TS entity that was curr is still queued, untouched. */
	assert_true(ts[0].on_rq);
	assert_int_equal(rq.nr_ts, NTS);
	/* A TS curr must give way at once if an RT entity is runnable. */
	assert_int_equal(sched_next_event(&rq, &ts[0], 5), 5);

	/* Once the RT budget is spent, TS runs again until the replenishment. */
	sched_charge(&rq, &rt, 1 * MS, 1 * MS);
	assert_true(rt.throttled);
	assert_ptr_equal(sched_pick_next(&rq, 1 * MS), &ts[0]);
	assert_int_equal(sched_next_event(&rq, &ts[0], 1 * MS), 1 * MS + 1 * MS);
	/* Its slice is 1 ms (minimum granularity) and the replenishment at
	 * 100 ms is later; after 100 ms RT comes back first. */
	assert_ptr_equal(sched_pick_next(&rq, 100 * MS), &rt);
	assert_int_equal(rt.deadline, 200 * MS);
	assert_int_equal(rt.remaining_ns, 1 * MS);
}

/* Budget exhaustion throttles into the throttled list; pick_next replenishes
 * at the old deadline with the next period's deadline (hard CBS). */
static void test_policy_cbs_throttle_and_replenish(void **state)
{
	sched_rq_t rq;
	sched_entity_t a, b;

	(void)state;
	sched_rq_init(&rq);
	rt_entity(&rq, &a, 2 * MS, 10 * MS, 0);
	rt_entity(&rq, &b, 1 * MS, 50 * MS, 0);
	sched_enqueue(&rq, &a, 0, false);
	sched_enqueue(&rq, &b, 0, false);
	assert_ptr_equal(sched_pick_next(&rq, 0), &a);
	assert_int_equal(sched_next_event(&rq, &a, 0), 2 * MS);
	sched_charge(&rq, &a, 2 * MS, 2 * MS);
	assert_true(a.throttled);
	assert_int_equal(a.remaining_ns, 0);
	assert_int_equal(a.replenish_at, 10 * MS);
	assert_int_equal(a.nr_throttles, 1);
	assert_true(a.on_rq);
	assert_int_equal(rq.nr_rt, 1);
	assert_int_equal(rq.nr_throttled, 1);
	assert_ptr_equal(rq.throttled_head, &a);

	/* b runs; a's replenishment gives it deadline 20 ms < b's 50 ms, so
	 * the timer must fire at 10 ms even though b has budget for longer. */
	assert_ptr_equal(sched_pick_next(&rq, 2 * MS), &b);
	assert_int_equal(sched_next_event(&rq, &b, 9500 * US), 10 * MS);
	/* A throttled entity never preempts. */
	assert_false(sched_should_preempt(&rq, &b, &a, 2 * MS));
	/* Overrunning a budget is not carried as debt. */
	sched_charge(&rq, &b, 5 * MS, 7 * MS);
	assert_true(b.throttled);
	assert_int_equal(b.replenish_at, 50 * MS);
	assert_null(sched_pick_next(&rq, 7 * MS));
	assert_int_equal(sched_next_event(&rq, NULL, 7 * MS), 10 * MS);

	/* At 10 ms a comes back with a fresh budget and the next deadline. */
	assert_ptr_equal(sched_pick_next(&rq, 10 * MS), &a);
	assert_false(a.throttled);
	assert_int_equal(a.remaining_ns, 2 * MS);
	assert_int_equal(a.deadline, 20 * MS);
	/* a's next replenishment deadline (100 ms) does not beat a. */
	assert_int_equal(sched_next_event(&rq, &a, 10 * MS), 12 * MS);

	/* A throttled entity that blocks keeps its throttling... */
	sched_charge(&rq, &a, 2 * MS, 12 * MS);
	sched_dequeue(&rq, &a);
	assert_true(a.throttled);
	assert_int_equal(rq.nr_throttled, 1); /* b */
	/* ...waking before the period ends it goes back to waiting... */
	sched_enqueue(&rq, &a, 15 * MS, true);
	assert_true(a.throttled);
	assert_int_equal(rq.nr_throttled, 2);
	assert_ptr_equal(rq.throttled_head, &a);
	sched_dequeue(&rq, &a);
	/* ...and waking after it, it gets a new period from the wakeup. */
	sched_enqueue(&rq, &a, 33 * MS, true);
	assert_false(a.throttled);
	assert_int_equal(a.deadline, 43 * MS);
	assert_int_equal(a.remaining_ns, 2 * MS);

	/* A late pick (after replenish_at + T) does not hand out a deadline
	 * that has already passed. */
	assert_ptr_equal(sched_pick_next(&rq, 200 * MS), &a); /* EDF: 43 ms < b's */
	assert_false(b.throttled);
	assert_int_equal(b.deadline, 250 * MS);
}

/* 3. Fairness between TS hogs, by simulation. */
static void test_policy_ts_fairness(void **state)
{
	sim_task_t eq[] = {
	    {.name = "hog-a", .kind = SIM_TS_HOG, .nice = 0},
	    {.name = "hog-b", .kind = SIM_TS_HOG, .nice = 0},
	    {.name = "hog-c", .kind = SIM_TS_HOG, .nice = 0},
	};
	sim_t s = {.tasks = eq, .n = 3};

	(void)state;
	sim_run(&s, 10 * SEC);
	sim_report("TS fairness, 3 hogs at nice 0", &s);
	uint64_t lo = UINT64_MAX, hi = 0;
	for (size_t i = 0; i < s.n; i++) {
		lo = min_u64(lo, eq[i].cpu_ns);
		hi = eq[i].cpu_ns > hi ? eq[i].cpu_ns : hi;
	}
	printf("#   spread (max - min) / max = %.4f%%\n", 100.0 * (double)(hi - lo) / (double)hi);
	assert_true((hi - lo) * 100 <= hi);
	assert_int_equal(s.idle_ns, 0);

	sim_task_t nice[] = {
	    {.name = "nice-0", .kind = SIM_TS_HOG, .nice = 0},
	    {.name = "nice-5", .kind = SIM_TS_HOG, .nice = 5},
	};
	sim_t s2 = {.tasks = nice, .n = 2};

	sim_run(&s2, 10 * SEC);
	sim_report("TS weights, nice 0 vs nice 5", &s2);
	double want = (double)nice[0].se.weight / (double)nice[1].se.weight;
	double got = (double)nice[0].cpu_ns / (double)nice[1].cpu_ns;
	printf("#   cpu ratio %.4f, weight ratio %.4f (%u/%u), error %.3f%%\n", got, want,
	       nice[0].se.weight, nice[1].se.weight, 100.0 * (got - want) / want);
	assert_true(got > want * 0.95 && got < want * 1.05);
}

/* 4. The product's real-time set: 20% + 30% + 30% RT next to two TS hogs. */
static void test_policy_product_rt_set(void **state)
{
	sim_task_t set[] = {
	    {.name = "input", .kind = SIM_RT_PERIODIC, .q = 2 * MS, .t = 10 * MS, .c = 2 * MS},
	    {.name = "audio", .kind = SIM_RT_PERIODIC, .q = 3 * MS, .t = 10 * MS, .c = 3 * MS},
	    {.name = "compositor", .kind = SIM_RT_PERIODIC, .q = 6 * MS, .t = 20 * MS, .c = 6 * MS},
	    {.name = "game", .kind = SIM_TS_HOG, .nice = 0},
	    {.name = "build", .kind = SIM_TS_HOG, .nice = 0},
	};
	sim_t s = {.tasks = set, .n = 5};

	(void)state;
	sim_run(&s, 10 * SEC);
	sim_report("product RT set + 2 TS hogs", &s);
	assert_int_equal(sched_rt_util_ppm(&s.rq), 800000);
	for (size_t i = 0; i < 3; i++) {
		assert_int_equal(set[i].misses, 0);
		assert_true(set[i].jobs_done >= set[i].jobs - 1);
		assert_true(set[i].worst_response_ns <= set[i].t);
	}
	double ts = sim_share(&s, &set[3]) + sim_share(&s, &set[4]);
	printf("#   TS hogs together %.3f%%\n", ts);
	assert_true(ts >= 19.5 && ts <= 20.5);
	assert_true(sim_share(&s, &set[3]) >= 9.5 && sim_share(&s, &set[4]) >= 9.5);
}

/* 5. CBS isolation: an overrunning RT task is held to its reservation and
 * cannot make its neighbours miss. */
static void test_policy_cbs_isolation(void **state)
{
	sim_task_t set[] = {
	    {.name = "overrun", .kind = SIM_RT_OVERRUN, .q = 2 * MS, .t = 10 * MS},
	    {.name = "rt-25",
	     .kind = SIM_RT_PERIODIC,
	     .q = 2500 * US,
	     .t = 10 * MS,
	     .c = 2500 * US},
	    {.name = "rt-30", .kind = SIM_RT_PERIODIC, .q = 6 * MS, .t = 20 * MS, .c = 6 * MS},
	    {.name = "hog", .kind = SIM_TS_HOG, .nice = 0},
	};
	sim_t s = {.tasks = set, .n = 4};

	(void)state;
	sim_run(&s, 10 * SEC);
	sim_report("CBS isolation: overrunner at 2/10 ms", &s);
	assert_true(set[0].se.nr_throttles > 0);
	assert_true(sim_share(&s, &set[0]) <= 20.01);
	assert_true(sim_share(&s, &set[0]) >= 19.9); /* and it does get its reservation */
	assert_int_equal(set[1].misses, 0);
	assert_int_equal(set[2].misses, 0);
	assert_true(sim_share(&s, &set[3]) >= 24.5); /* TS keeps the unreserved rest */
}

/* 6. Admission control. */
static void test_policy_admission(void **state)
{
	sched_rq_t rq;
	sched_entity_t a, b, c, d;

	(void)state;
	sched_rq_init(&rq);
	assert_int_equal(rq.rt_bound_ppm, 900000);
	rt_entity(&rq, &a, 3 * MS, 10 * MS, 0);
	rt_entity(&rq, &b, 6 * MS, 20 * MS, 0);
	rt_entity(&rq, &c, 30 * MS, 100 * MS, 0);
	assert_int_equal(sched_rt_util_ppm(&rq), 900000); /* exactly at the bound: admitted */

	sched_entity_init_ts(&d, 3);
	assert_int_equal(sched_entity_set_rt(&rq, &d, 1 * US, 10 * MS, 0), RAE_ERR_LIMIT);
	assert_int_equal(sched_rt_util_ppm(&rq), 900000);
	assert_int_equal(d.cls, SCHED_TS);
	assert_int_equal(d.rt_share_ppm, 0);
	assert_int_equal(d.nice, 3);

	/* Re-parameterizing counts the entity's own share as freed. */
	assert_int_equal(sched_entity_set_rt(&rq, &a, 4 * MS, 10 * MS, 0), RAE_ERR_LIMIT);
	assert_int_equal(a.budget_ns, 3 * MS);
	assert_int_equal(sched_entity_set_rt(&rq, &a, 2 * MS, 10 * MS, 0), RAE_OK);
	assert_int_equal(sched_rt_util_ppm(&rq), 800000);
	assert_int_equal(sched_entity_set_rt(&rq, &a, 3 * MS, 10 * MS, 0), RAE_OK);

	/* Releasing frees the share, once. */
	sched_rq_release(&rq, &b);
	assert_int_equal(sched_rt_util_ppm(&rq), 600000);
	sched_rq_release(&rq, &b);
	assert_int_equal(sched_rt_util_ppm(&rq), 600000);
	assert_int_equal(sched_entity_set_rt(&rq, &d, 1 * US, 10 * MS, 0), RAE_OK);
	assert_int_equal(sched_rt_util_ppm(&rq), 600100);
	/* Going back to TS frees it too. */
	sched_entity_set_ts(&rq, &c, 0);
	assert_int_equal(sched_rt_util_ppm(&rq), 300100);
	assert_int_equal(c.cls, SCHED_TS);

	/* Shares round up: 1 ns every 3 ns is 333334 ppm. */
	sched_rq_init(&rq);
	sched_entity_init_ts(&a, 0);
	assert_int_equal(sched_entity_set_rt(&rq, &a, 1, 3, 0), RAE_OK);
	assert_int_equal(a.rt_share_ppm, 333334);
	/* A lower bound is honoured. */
	sched_rq_init(&rq);
	rq.rt_bound_ppm = 500000;
	sched_entity_init_ts(&a, 0);
	assert_int_equal(sched_entity_set_rt(&rq, &a, 5 * MS, 10 * MS, 0), RAE_OK);
	sched_entity_init_ts(&b, 0);
	assert_int_equal(sched_entity_set_rt(&rq, &b, 1, 10 * MS, 0), RAE_ERR_LIMIT);

	/* Invalid parameters change nothing. */
	sched_rq_init(&rq);
	sched_entity_init_ts(&a, 0);
	assert_int_equal(sched_entity_set_rt(&rq, &a, 0, 10 * MS, 0), RAE_ERR_INVALID);
	assert_int_equal(sched_entity_set_rt(&rq, &a, 1 * MS, 0, 0), RAE_ERR_INVALID);
	assert_int_equal(sched_entity_set_rt(&rq, &a, 11 * MS, 10 * MS, 0), RAE_ERR_INVALID);
	assert_int_equal(sched_entity_set_rt(&rq, &a, 1 * MS, 10 * SEC + 1, 0), RAE_ERR_INVALID);
	assert_int_equal(sched_entity_set_rt(&rq, &a, UINT64_MAX, UINT64_MAX, 0), RAE_ERR_INVALID);
	assert_int_equal(sched_rt_util_ppm(&rq), 0);
	assert_int_equal(a.cls, SCHED_TS);
	/* The largest valid period, and Q == T (100%, above the bound). */
	assert_int_equal(sched_entity_set_rt(&rq, &a, 1 * SEC, 10 * SEC, 0), RAE_OK);
	assert_int_equal(a.rt_share_ppm, 100000);
	sched_entity_init_ts(&b, 0);
	assert_int_equal(sched_entity_set_rt(&rq, &b, 10 * SEC, 10 * SEC, 0), RAE_ERR_LIMIT);
}

/* 7. Tickless: nothing to time-slice means no timer at all. */
static void test_policy_tickless(void **state)
{
	sched_rq_t rq;
	sched_entity_t a, b, r;

	(void)state;
	sched_rq_init(&rq);
	assert_null(sched_pick_next(&rq, 0));
	assert_int_equal(sched_next_event(&rq, NULL, 0), UINT64_MAX);

	sched_entity_init_ts(&a, 0);
	sched_enqueue(&rq, &a, 0, false);
	assert_ptr_equal(sched_pick_next(&rq, 0), &a);
	assert_int_equal(sched_next_event(&rq, &a, 5 * MS), UINT64_MAX);

	sched_entity_init_ts(&b, 0);
	sched_enqueue(&rq, &b, 5 * MS, false);
	uint64_t ev = sched_next_event(&rq, &a, 5 * MS);
	assert_true(ev != UINT64_MAX);
	assert_int_equal(ev, 5 * MS + 2 * MS); /* 4 ms shared by two equal weights */

	/* Many entities: the slice stays at the 1 ms minimum. */
	sched_entity_t more[8];
	for (int i = 0; i < 8; i++) {
		sched_entity_init_ts(&more[i], 0);
		sched_enqueue(&rq, &more[i], 5 * MS, false);
	}
	assert_int_equal(sched_next_event(&rq, &a, 5 * MS), 6 * MS);
	for (int i = 0; i < 8; i++)
		sched_dequeue(&rq, &more[i]);

	/* Alone again but with a throttled RT entity: the timer is its
	 * replenishment only. */
	sched_dequeue(&rq, &b);
	rt_entity(&rq, &r, 1 * MS, 10 * MS, 5 * MS);
	sched_enqueue(&rq, &r, 5 * MS, false);
	assert_ptr_equal(sched_pick_next(&rq, 5 * MS), &r);
	assert_int_equal(sched_next_event(&rq, &r, 5 * MS), 6 * MS);
	sched_charge(&rq, &r, 1 * MS, 6 * MS);
	assert_ptr_equal(sched_pick_next(&rq, 6 * MS), &a);
	assert_int_equal(sched_next_event(&rq, &a, 6 * MS), 15 * MS);
	/* An RT entity alone is not time-sliced either: only its budget. */
	sched_dequeue(&rq, &a);
	assert_ptr_equal(sched_pick_next(&rq, 15 * MS), &r);
	assert_int_equal(sched_next_event(&rq, &r, 15 * MS), 16 * MS);
}

/* 8. The CBS wakeup rule. */
static void test_policy_cbs_wakeup(void **state)
{
	sched_rq_t rq;
	sched_entity_t a;

	(void)state;
	sched_rq_init(&rq);
	rt_entity(&rq, &a, 2 * MS, 10 * MS, 0);
	sched_enqueue(&rq, &a, 0, true);
	assert_int_equal(a.deadline, 10 * MS);
	assert_ptr_equal(sched_pick_next(&rq, 0), &a);
	sched_charge(&rq, &a, 1 * MS, 1 * MS);
	sched_dequeue(&rq, &a);
	assert_int_equal(a.remaining_ns, 1 * MS);

	/* Early: 1 ms left, 8 ms to the deadline at 20%: 1.6 ms would fit. */
	sched_enqueue(&rq, &a, 2 * MS, true);
	assert_int_equal(a.deadline, 10 * MS);
	assert_int_equal(a.remaining_ns, 1 * MS);
	sched_dequeue(&rq, &a);

	/* Exactly on the line (remaining == (d - now) Q / T): kept. */
	sched_enqueue(&rq, &a, 5 * MS, true);
	assert_int_equal(a.deadline, 10 * MS);
	sched_dequeue(&rq, &a);

	/* Late: 3 ms to the deadline allow only 0.6 ms: a new period. */
	sched_enqueue(&rq, &a, 7 * MS, true);
	assert_int_equal(a.deadline, 17 * MS);
	assert_int_equal(a.remaining_ns, 2 * MS);
	sched_dequeue(&rq, &a);

	/* After the deadline: a new period. */
	sched_enqueue(&rq, &a, 40 * MS, true);
	assert_int_equal(a.deadline, 50 * MS);
	sched_dequeue(&rq, &a);

	/* Not a wakeup (migration, new thread): a live deadline is kept even
	 * where the wakeup rule would renew it; a passed one is renewed. */
	sched_enqueue(&rq, &a, 45 * MS, false);
	assert_int_equal(a.deadline, 50 * MS);
	sched_dequeue(&rq, &a);
	sched_enqueue(&rq, &a, 50 * MS, false);
	assert_int_equal(a.deadline, 60 * MS);
}

/* TS placement: sleepers get at most slice/2 of credit, newcomers none, and
 * wakeup preemption needs a lead of the wakeup granularity. */
static void test_policy_ts_placement(void **state)
{
	sched_rq_t rq;
	sched_entity_t a, b, c;

	(void)state;
	sched_rq_init(&rq);
	sched_entity_init_ts(&a, 0);
	sched_entity_init_ts(&b, 0);
	sched_enqueue(&rq, &a, 0, false);
	sched_enqueue(&rq, &b, 0, false);
	sched_charge(&rq, &a, 100 * MS, 100 * MS);
	sched_charge(&rq, &b, 100 * MS, 100 * MS);
	assert_int_equal(rq.min_vruntime, 100 * MS);
	sched_dequeue(&rq, &b);
	sched_charge(&rq, &a, 900 * MS, 1 * SEC);
	assert_int_equal(rq.min_vruntime, 1 * SEC);

	/* b slept 900 ms: it comes back only 2 ms (slice / 2) ahead. */
	sched_enqueue(&rq, &b, 1 * SEC, true);
	assert_int_equal(b.vruntime, 1 * SEC - 2 * MS);
	assert_true(sched_should_preempt(&rq, &a, &b, 1 * SEC));
	assert_ptr_equal(sched_pick_next(&rq, 1 * SEC), &b);
	assert_int_equal(rq.min_vruntime, 1 * SEC); /* never goes back */

	/* A brief sleeper keeps its own, later vruntime. */
	sched_charge(&rq, &b, 3 * MS, 1 * SEC + 3 * MS);
	sched_dequeue(&rq, &b);
	sched_enqueue(&rq, &b, 1 * SEC + 3 * MS, true);
	assert_int_equal(b.vruntime, 1 * SEC + 1 * MS);
	assert_false(sched_should_preempt(&rq, &a, &b, 1 * SEC + 3 * MS));
	/* A lead of exactly the 1 ms granularity is not enough; more is. */
	sched_charge(&rq, &a, 2 * MS, 1 * SEC + 5 * MS);
	assert_false(sched_should_preempt(&rq, &a, &b, 1 * SEC + 5 * MS));
	sched_charge(&rq, &a, 1, 1 * SEC + 5 * MS);
	assert_true(sched_should_preempt(&rq, &a, &b, 1 * SEC + 5 * MS));

	/* A newcomer starts at min_vruntime, whatever its vruntime was. */
	sched_entity_init_ts(&c, -5);
	sched_enqueue(&rq, &c, 2 * SEC, false);
	assert_int_equal(c.vruntime, rq.min_vruntime);
	/* Heavier entities accrue vruntime more slowly. */
	uint64_t before = c.vruntime;
	sched_charge(&rq, &c, 3121 * US, 2 * SEC);
	assert_int_equal(c.vruntime - before, 1024 * US);

	/* Class changes: RT and back lands at min_vruntime; nice clamps. */
	assert_int_equal(sched_entity_set_rt(&rq, &c, 1 * MS, 10 * MS, 2 * SEC), RAE_OK);
	assert_int_equal(rq.nr_ts, 2);
	assert_int_equal(rq.nr_rt, 1);
	sched_entity_set_ts(&rq, &c, 99);
	assert_int_equal(c.nice, SCHED_NICE_MAX);
	assert_int_equal(c.weight, 15);
	assert_int_equal(c.vruntime, rq.min_vruntime);
	assert_int_equal(rq.nr_ts, 3);
	assert_int_equal(rq.ts_weight_sum, 1024 + 1024 + 15);
	sched_entity_set_ts(&rq, &c, -99);
	assert_int_equal(c.weight, 88761);
	assert_int_equal(rq.ts_weight_sum, 1024 + 1024 + 88761);
}

/* ---- 9. randomized invariants ------------------------------------------- */

enum { RAND_N = 32 };

typedef struct {
	sched_rq_t rq;
	sched_entity_t e[RAND_N];
	uint32_t share[RAND_N]; /* the test's own account of admitted shares */
	bool gone[RAND_N];      /* released: may only come back via set_rt / set_ts */
	uint64_t now;
	uint64_t last_min_vruntime;
} rand_state_t;

static size_t rand_index(const rand_state_t *r, const sched_entity_t *se)
{
	assert_true(se >= r->e && se < r->e + RAND_N);
	return (size_t)(se - r->e);
}

/* Walks one list: well linked, sorted by the class key, each member in the
 * expected class and state; marks what it saw. Returns the length. */
static unsigned rand_check_list(const rand_state_t *r, const sched_entity_t *head, int kind,
				unsigned *seen, uint64_t *weight)
{
	unsigned count = 0;
	const sched_entity_t *prev = NULL;

	for (const sched_entity_t *se = head; se; se = se->next) {
		size_t i = rand_index(r, se);

		assert_ptr_equal(se->prev, prev);
		assert_true(se->on_rq);
		seen[i]++;
		count++;
		assert_true(count <= RAND_N);
		if (kind == 0) {
			assert_int_equal(se->cls, SCHED_TS);
			*weight += se->weight;
			if (prev)
				assert_true((int64_t)(se->vruntime - prev->vruntime) >= 0);
		} else if (kind == 1) {
			assert_int_equal(se->cls, SCHED_RT);
			assert_false(se->throttled);
			assert_true(se->remaining_ns > 0 && se->remaining_ns <= se->budget_ns);
			if (prev)
				assert_true(se->deadline >= prev->deadline);
		} else {
			assert_int_equal(se->cls, SCHED_RT);
			assert_true(se->throttled);
			assert_int_equal(se->remaining_ns, 0);
			if (prev)
				assert_true(se->replenish_at >= prev->replenish_at);
		}
		prev = se;
	}
	return count;
}

static void rand_check(rand_state_t *r)
{
	const sched_rq_t *rq = &r->rq;
	unsigned seen[RAND_N] = {0};
	uint64_t weight = 0;
	uint64_t util = 0;

	assert_int_equal(rand_check_list(r, rq->ts_head, 0, seen, &weight), rq->nr_ts);
	assert_int_equal(rand_check_list(r, rq->rt_head, 1, seen, &weight), rq->nr_rt);
	assert_int_equal(rand_check_list(r, rq->throttled_head, 2, seen, &weight),
			 rq->nr_throttled);
	assert_int_equal(weight, rq->ts_weight_sum);
	for (size_t i = 0; i < RAND_N; i++) {
		const sched_entity_t *se = &r->e[i];

		assert_int_equal(seen[i], se->on_rq ? 1 : 0);
		assert_int_equal(se->rt_share_ppm, r->share[i]);
		if (se->cls == SCHED_TS)
			assert_int_equal(se->rt_share_ppm, 0);
		assert_true(se->nice >= SCHED_NICE_MIN && se->nice <= SCHED_NICE_MAX);
		util += r->share[i];
	}
	assert_int_equal(rq->rt_util_ppm, util);
	assert_true(rq->rt_util_ppm <= rq->rt_bound_ppm);
	assert_true(rq->curr == NULL || rq->curr->on_rq);
	assert_true((int64_t)(rq->min_vruntime - r->last_min_vruntime) >= 0);
	r->last_min_vruntime = rq->min_vruntime;
}

static void rand_check_pick(rand_state_t *r, const sched_entity_t *picked)
{
	const sched_rq_t *rq = &r->rq;

	assert_ptr_equal(picked, rq->curr);
	for (size_t i = 0; i < RAND_N; i++) {
		const sched_entity_t *se = &r->e[i];

		if (!se->on_rq)
			continue;
		if (se->cls == SCHED_RT && se->throttled) {
			assert_true(se->replenish_at > r->now);
			continue;
		}
		assert_non_null(picked);
		if (se->cls == SCHED_RT) {
			assert_int_equal(picked->cls, SCHED_RT);
			assert_true(picked->deadline <= se->deadline);
		} else if (picked->cls == SCHED_TS) {
			assert_true((int64_t)(se->vruntime - picked->vruntime) >= 0);
		}
	}
}

static sched_entity_t *rand_entity(rand_state_t *r)
{
	return &r->e[rng_below(RAND_N)];
}

static void rand_set_rt(rand_state_t *r, sched_entity_t *se)
{
	size_t i = rand_index(r, se);
	uint64_t t = (1 + rng_below(200)) * MS;
	uint64_t q = 1 + rng_below(t / 4);
	bool invalid = rng_below(10) == 0;

	if (invalid) {
		switch (rng_below(4)) {
		case 0: q = 0; break;
		case 1: t = 0; break;
		case 2: q = t + 1; break;
		default: t = 10 * SEC + 1 + rng_below(SEC); break;
		}
	}
	sched_class_t cls = se->cls;
	uint32_t want = invalid ? 0 : (uint32_t)((q * 1000000 + t - 1) / t);
	uint64_t util_after = (uint64_t)r->rq.rt_util_ppm - r->share[i] + want;
	rae_status_t s = sched_entity_set_rt(&r->rq, se, q, t, r->now);

	if (invalid) {
		assert_int_equal(s, RAE_ERR_INVALID);
		assert_int_equal(se->cls, cls);
	} else if (util_after > r->rq.rt_bound_ppm) {
		assert_int_equal(s, RAE_ERR_LIMIT);
		assert_int_equal(se->cls, cls);
	} else {
		assert_int_equal(s, RAE_OK);
		assert_int_equal(se->cls, SCHED_RT);
		r->share[i] = want;
		r->gone[i] = false;
	}
}

static void rand_run(uint64_t seed, unsigned ops)
{
	rand_state_t *r = calloc(1, sizeof(*r));
	unsigned counts[8] = {0};

	assert_non_null(r);
	rng_state = seed;
	sched_rq_init(&r->rq);
	/* Start far from zero so wrap-safe vruntime compares are exercised
	 * across the sleeper-bonus underflow of min_vruntime - slice / 2. */
	r->now = 1 * MS;
	for (size_t i = 0; i < RAND_N; i++)
		sched_entity_init_ts(&r->e[i], (int)rng_below(40) - 20);

	for (unsigned op = 0; op < ops; op++) {
		sched_entity_t *se = rand_entity(r);
		size_t i = rand_index(r, se);
		unsigned kind = (unsigned)rng_below(8);

		counts[kind]++;
		switch (kind) {
		case 0: /* enqueue */
			if (!se->on_rq && !r->gone[i]) {
				sched_enqueue(&r->rq, se, r->now, rng_below(2));
				assert_true(se->on_rq);
				if (r->rq.curr)
					(void)sched_should_preempt(&r->rq, r->rq.curr, se, r->now);
			}
			break;
		case 1: /* dequeue */
			if (se->on_rq) {
				if (rng_below(2))
					sched_charge(&r->rq, se, rng_below(2 * MS), r->now);
				sched_dequeue(&r->rq, se);
				assert_false(se->on_rq);
				assert_true(r->rq.curr != se);
			}
			break;
		case 2: { /* time passes, pick */
			r->now += rng_below(4 * MS);
			sched_entity_t *p = sched_pick_next(&r->rq, r->now);
			rand_check_pick(r, p);
			uint64_t ev = sched_next_event(&r->rq, p, r->now);
			assert_true(ev >= r->now);
			if (p && p->cls == SCHED_RT)
				assert_true(ev <= r->now + p->remaining_ns);
			break;
		}
		case 3: { /* curr (usually) runs and is charged */
			sched_entity_t *c = r->rq.curr && rng_below(4) ? r->rq.curr : se;
			uint64_t ran = rng_below(3 * MS);
			uint64_t exec = c->sum_exec_ns;

			r->now += ran;
			sched_charge(&r->rq, c, ran, r->now);
			assert_int_equal(c->sum_exec_ns, exec + ran);
			break;
		}
		case 4: rand_set_rt(r, se); break;
		case 5:
			sched_entity_set_ts(&r->rq, se, (int)rng_below(50) - 25);
			assert_int_equal(se->cls, SCHED_TS);
			r->share[i] = 0;
			r->gone[i] = false;
			break;
		case 6: /* leaves the run queue for good */
			if (rng_below(4) == 0) {
				sched_rq_release(&r->rq, se);
				assert_false(se->on_rq);
				r->share[i] = 0;
				r->gone[i] = true;
			}
			break;
		default: /* a long sleep: time jumps */
			if (rng_below(16) == 0)
				r->now += rng_below(2 * SEC);
			break;
		}
		rand_check(r);
	}
	printf("# random run seed %#llx: %u ops (enqueue %u dequeue %u pick %u charge %u "
	       "set_rt %u set_ts %u release %u), end: ts %u rt %u throttled %u util %u ppm\n",
	       (unsigned long long)seed, ops, counts[0], counts[1], counts[2], counts[3], counts[4],
	       counts[5], counts[6], r->rq.nr_ts, r->rq.nr_rt, r->rq.nr_throttled,
	       r->rq.rt_util_ppm);
	free(r);
}

static void test_policy_random(void **state)
{
	(void)state;
	rand_run(0x5c4ed001, 200000);
	rand_run(0x5c4ed002, 100000);
}

/* Yield: a TS entity goes behind every other queued TS entity; alone, or
 * already last, or RT, it keeps its place. */
static void test_policy_yield(void **state)
{
	sched_rq_t rq;
	sched_entity_t a, b, c, rt;

	(void)state;
	sched_rq_init(&rq);
	sched_entity_init_ts(&a, 0);
	sched_enqueue(&rq, &a, 0, false);
	sched_yield_entity(&rq, &a);
	assert_ptr_equal(sched_pick_next(&rq, 0), &a); /* alone: runs on */
	sched_entity_init_ts(&b, 0);
	sched_entity_init_ts(&c, 0);
	sched_enqueue(&rq, &b, 0, false);
	sched_enqueue(&rq, &c, 0, false);
	sched_charge(&rq, &b, 5 * MS, 5 * MS);
	sched_charge(&rq, &c, 7 * MS, 7 * MS);
	assert_ptr_equal(sched_pick_next(&rq, 7 * MS), &a);
	sched_yield_entity(&rq, &a);
	assert_int_equal(a.vruntime, c.vruntime + 1);
	assert_ptr_equal(sched_pick_next(&rq, 7 * MS), &b);
	uint64_t before = a.vruntime;
	sched_yield_entity(&rq, &a); /* already last: unchanged */
	assert_int_equal(a.vruntime, before);
	/* A real-time entity is ordered by its deadline, never moved. */
	sched_entity_init_ts(&rt, 0);
	assert_int_equal(sched_entity_set_rt(&rq, &rt, 1 * MS, 10 * MS, 7 * MS), RAE_OK);
	sched_enqueue(&rq, &rt, 7 * MS, true);
	sched_yield_entity(&rq, &rt);
	assert_ptr_equal(sched_pick_next(&rq, 7 * MS), &rt);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_policy_edf_order),
	    cmocka_unit_test(test_policy_rt_preempts_ts),
	    cmocka_unit_test(test_policy_cbs_throttle_and_replenish),
	    cmocka_unit_test(test_policy_ts_fairness),
	    cmocka_unit_test(test_policy_product_rt_set),
	    cmocka_unit_test(test_policy_cbs_isolation),
	    cmocka_unit_test(test_policy_admission),
	    cmocka_unit_test(test_policy_tickless),
	    cmocka_unit_test(test_policy_cbs_wakeup),
	    cmocka_unit_test(test_policy_ts_placement),
	    cmocka_unit_test(test_policy_yield),
	    cmocka_unit_test(test_policy_random),
	};

	return cmocka_run_group_tests_name("sched_policy", tests, NULL, NULL);
}
