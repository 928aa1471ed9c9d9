/*
 * printed.h: how far the allocator's own output has got in its log (printed.c). Part of the
 * harness compiled with the student's mm.c: its names start with hi_.
 */
#ifndef HEAP_INSPECTOR_PRINTED_H
#define HEAP_INSPECTOR_PRINTED_H

#include <stdint.h>

/* From here on the output is counted as it is written (where it can be); before the first op. */
void hi_printed_start(void);

/* The log's offset: everything the allocator printed so far (stdout flushed first). */
uint64_t hi_printed_position(void);

#endif
