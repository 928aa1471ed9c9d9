/*
 * tracking.h: the heap words the allocator changed during an op, found by watching the heap's
 * pages for writes (tracking.c; docs/own-allocator.md, "What the driver records"). Part of the
 * harness compiled with the student's mm.c: its names start with hi_.
 */
#ifndef HEAP_INSPECTOR_TRACKING_H
#define HEAP_INSPECTOR_TRACKING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Starts watching [heap, heap + size) (the whole region, mapped) for writes; false when there is no memory for it. */
bool hi_track_start(char *heap, size_t size);

/* A SIGSEGV at a: true when it was a write to a watched page, now open (the write goes on when the handler returns); false for a fault of the allocator's own. */
bool hi_track_fault(const char *a);

/* Emits a 'W' record for each heap word changed since the last call, in address order, but those in [skip_lo, skip_hi) (offsets); the shadow copy follows all of them. */
void hi_track_take(size_t skip_lo, size_t skip_hi);

/* How many looks have been taken: the driver notes it when it fills a payload. */
uint32_t hi_track_looks(void);

/*
 * Whether page r may hold words other than the shadow's as of look `since` (its payload's fill):
 * a look has recorded a word of it since, or another payload's fill covered it. Every write of the
 * allocator is found by the look after its op, so a page wholly inside a payload filled at look
 * `since` and not changed still holds the fill, unread.
 */
bool hi_track_changed(size_t r, uint32_t since);

/* The driver's fill: [offset, offset + n) set to byte, in the heap and in the shadow copy alike (it is never recorded); the heap's first `filled` bytes hold it already. */
void hi_track_fill(size_t offset, size_t n, unsigned char byte, size_t filled);

/* [to, to + n) is about to be written by one call (a copy, a memset: copies.c): where that spans two pages or more not yet written, they are opened at once, and compared at the next look as pages written. */
void hi_track_write(const void *to, size_t n);

#endif
