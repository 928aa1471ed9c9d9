/*
 * copies.c: the C library's memcpy, memmove and memset, as the allocator calls them, opening the
 * heap's pages a call is about to write at once (tracking.h, hi_track_write; docs/own-allocator.md,
 * "What the driver records"). A realloc's copy of a few hundred KiB would otherwise take a fault
 * on every page it writes (some 1.1 us each by the kernel, with the fault's sample) where one call
 * unprotects them all (some 70 ns a page); the pages are then compared at the next look like any
 * page written, so the words recorded are the same. Only with glibc, whose checked variants
 * (__memcpy_chk and the rest, exported for _FORTIFY_SOURCE) do the copying; elsewhere the
 * library's own functions are called and every page still faults.
 */
#define _GNU_SOURCE
#include <stddef.h>
#include <string.h>

#include "tracking.h"

#if defined(__GLIBC__) && defined(__linux__)
void *__memcpy_chk(void *to, const void *from, size_t n, size_t room);
void *__memmove_chk(void *to, const void *from, size_t n, size_t room);
void *__memset_chk(void *to, int c, size_t n, size_t room);

/* Called through pointers the compiler cannot see through, so that it does not turn them back into calls of memcpy and the rest (these functions). */
static void *(*volatile copy_fn)(void *, const void *, size_t, size_t) = __memcpy_chk;
static void *(*volatile move_fn)(void *, const void *, size_t, size_t) = __memmove_chk;
static void *(*volatile set_fn)(void *, int, size_t, size_t) = __memset_chk;

void *memcpy(void *restrict to, const void *restrict from, size_t n) {
    hi_track_write(to, n);
    return copy_fn(to, from, n, (size_t)-1);
}

void *memmove(void *to, const void *from, size_t n) {
    hi_track_write(to, n);
    return move_fn(to, from, n, (size_t)-1);
}

void *memset(void *to, int c, size_t n) {
    hi_track_write(to, n);
    return set_fn(to, c, n, (size_t)-1);
}
#endif
