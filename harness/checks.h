/*
 * checks.h: the driver's reads of a payload for its fill byte (checks.c; docs/own-allocator.md,
 * "What the driver records"). Inside the harness only; its names start with hi_.
 */
#ifndef HEAP_INSPECTOR_CHECKS_H
#define HEAP_INSPECTOR_CHECKS_H

#include <stddef.h>
#include <stdint.h>

/* A payload filled while the heap was not recorded: every byte read. */
#define HI_NOT_RECORDED UINT32_MAX

/* The first byte of [p, p + n) that is not `byte`, or -1. */
int64_t hi_first_unlike(const unsigned char *p, size_t n, unsigned char byte);

/*
 * The same for a live payload in the heap that the driver filled after look `since`
 * (hi_track_looks; HI_NOT_RECORDED: read it all): its pages wholly inside it that no look has
 * found changed since (hi_track_changed) hold the fill still, and are not read.
 */
int64_t hi_payload_unlike(const unsigned char *p, size_t n, unsigned char byte, uint32_t since);

#endif
