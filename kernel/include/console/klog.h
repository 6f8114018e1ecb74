/* The kernel log ring: every byte the kernel prints, kept for LOG_READ
 * (dmesg) and for the console service to forward. Pure code, host-tested;
 * callers serialize (kprintf's console lock). */
#ifndef CONSOLE_KLOG_H
#define CONSOLE_KLOG_H

#include <stddef.h>
#include <stdint.h>
#include <rae/console.h>
#include <rae/status.h>

#define KLOG_SIZE RAE_KLOG_SIZE /* a power of two */

typedef struct {
	uint64_t written; /* bytes appended since boot: the next byte's offset */
	char buf[KLOG_SIZE];
} klog_t;

/* Appends len bytes; the oldest fall out once the ring is full. */
void klog_append(klog_t *l, const char *s, size_t len);

/* The oldest offset still held. */
uint64_t klog_oldest(const klog_t *l);

/* Copies up to cap bytes starting at *offset (moved up to the oldest held
 * offset first, when older) into out, and advances *offset past them.
 * Returns the count (0 at the end of the log), or RAE_ERR_RANGE when
 * *offset lies past the end. */
int64_t klog_read(const klog_t *l, uint64_t *offset, char *out, size_t cap);

#endif
