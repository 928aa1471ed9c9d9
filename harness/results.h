/*
 * results.h: the driver's result stream on file descriptor 3 (docs/own-allocator.md, "What the
 * driver records"), records of a tag byte and little-endian fields, buffered; read by
 * src/trace/own/ownRecording.ts. Part of the harness compiled with the student's mm.c: its names
 * start with hi_ so as not to meet the student's.
 */
#ifndef HEAP_INSPECTOR_RESULTS_H
#define HEAP_INSPECTOR_RESULTS_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define HI_OUT_BUF (1 << 18)
extern char hi_out_buf[HI_OUT_BUF];
extern size_t hi_out_len;

/* Writes the buffer out (the process ends with status 74 if it cannot). */
void hi_out_flush(void);

/* Makes room for a record of n bytes. */
static inline void hi_out_room(size_t n) {
    if (hi_out_len + n > sizeof hi_out_buf) hi_out_flush();
}

static inline void hi_put(const void *p, size_t n) {
    memcpy(hi_out_buf + hi_out_len, p, n);
    hi_out_len += n;
}

static inline void hi_put8(uint8_t v) { hi_put(&v, 1); }
static inline void hi_put32(uint32_t v) { hi_put(&v, 4); }
static inline void hi_put64(uint64_t v) { hi_put(&v, 8); }

#endif
