/* Futexes: a user thread waits on a 32-bit word of its address space until
 * another thread of the same address space wakes that word. The kernel
 * keeps no state for a word nobody waits on. */
#ifndef PROC_FUTEX_H
#define PROC_FUTEX_H

#include <stdint.h>
#include <rae/status.h>

struct address_space;

/* Blocks the calling user thread while the word at user address `addr` in
 * `as` holds `expected`, until futex_wake on that word, `deadline_ns`
 * (UINT64_MAX: none) or a kill. The check and the sleep are one step for
 * wakers: a wake after the check is never lost. Returns RAE_OK when woken
 * (the caller rechecks its condition), RAE_FUTEX_CHANGED when the word did
 * not hold `expected`, RAE_ERR_TIMED_OUT, RAE_ERR_INVALID for an unaligned
 * address, RAE_ERR_FAULT for an unmapped one, RAE_ERR_PEER_CLOSED when the
 * process was killed. Interrupts enabled, no lock held. */
rae_status_t futex_wait(struct address_space *as, uintptr_t addr, uint32_t expected,
			uint64_t deadline_ns);

/* Wakes up to `count` threads waiting on the word at `addr` in `as`, oldest
 * first. Returns how many it woke, RAE_ERR_INVALID for an unaligned
 * address, RAE_ERR_FAULT for one outside the user half. Any context but an
 * interrupt handler. */
int64_t futex_wake(struct address_space *as, uintptr_t addr, uint64_t count);

#endif
