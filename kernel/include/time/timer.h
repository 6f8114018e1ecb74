/* One-shot kernel timers on per-CPU queues. The hardware timer is armed for
 * the earliest deadline only (tickless: an empty queue arms nothing), and a
 * timer never fires before its deadline. */
#ifndef TIME_TIMER_H
#define TIME_TIMER_H

#include <stdbool.h>
#include <stdint.h>

struct ktimer;
typedef void (*ktimer_fn)(struct ktimer *t, void *arg);

typedef struct ktimer {
	struct ktimer *next;
	uint64_t deadline; /* timestamp ticks */
	ktimer_fn fn;      /* runs in interrupt context on the timer's CPU */
	void *arg;
	volatile bool armed;
	unsigned cpu;
	uint64_t fired_at; /* timestamp when fn was called (for lateness stats) */
} ktimer_t;

/* Sets up this CPU's timer queue. Each CPU, once, interrupts off. */
void timer_cpu_init(void);

/* Arms `t` on this CPU to call fn(t, arg) once the timestamp counter
 * reaches `deadline`. `t` must not be armed. */
void timer_start(ktimer_t *t, uint64_t deadline, ktimer_fn fn, void *arg);
/* Disarms `t` if it has not fired; true if it was armed. Any CPU (it takes
 * the lock of the queue `t` is on). A timer must be disarmed before it is
 * started again or its memory is freed. */
bool timer_cancel(ktimer_t *t);

/* As timer_cancel, then waits until a callback of `t` that already started
 * (on another CPU) has returned. Call before freeing `t` or its argument;
 * not from `t`'s own callback, nor with interrupts off on `t`'s CPU. */
void timer_cancel_sync(ktimer_t *t);

/* The timer interrupt: runs every expired timer of this CPU, then re-arms
 * the hardware for the next. Interrupts off. */
void timer_interrupt(void);

#endif
