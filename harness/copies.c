/*
 * copies.c: the C library's memcpy, memmove and memset, as the allocator calls them, opening the
 * heap's pages a call is about to write at once (tracking.h, hi_track_write; docs/own-allocator.md,
 * "What the driver records"). A realloc's copy of a few hundred KiB would otherwise take a fault
 * on every page it writes (some 1.1 us each by the kernel, with the fault's sample) where one call
 * unprotects them all (some 70 ns a page); the pages are then compared at the next look like any
 * page written, so the words recorded are the same. Only with glibc, whose checked variants
 * (__memcpy_chk and the rest, exported for _FORTIFY_SOURCE) do the copying; elsewhere the
 * library's own functions are called and every page still faults.
 *
 * Where the allocator's stores are seen by the compiler (track_stores.c) these calls are what it
 * does not see: so the library's other functions that write memory it is given, and an allocator
 * may call (bzero, explicit_bzero, mempcpy, memccpy, strcpy, stpcpy, strncpy, strcat), are here too,
 * done with the same three, and tell the range they write the same way.
 */
#define _GNU_SOURCE
#include <stddef.h>
#include <string.h>

#include "tracking.h"

#if defined(__GLIBC__) && defined(__linux__)
/* glibc declares bzero's and memccpy's destination write-only: telling its address is not reading it. */
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
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

void bzero(void *to, size_t n) {
    hi_track_write(to, n);
    set_fn(to, 0, n, (size_t)-1);
}

void explicit_bzero(void *to, size_t n) {
    hi_track_write(to, n);
    set_fn(to, 0, n, (size_t)-1); /* through a volatile pointer: never left out */
}

void *mempcpy(void *restrict to, const void *restrict from, size_t n) {
    hi_track_write(to, n);
    return (char *)copy_fn(to, from, n, (size_t)-1) + n;
}

void *memccpy(void *restrict to, const void *restrict from, int c, size_t n) {
    const char *stop = memchr(from, c, n);
    size_t k = stop != NULL ? (size_t)(stop - (const char *)from) + 1 : n;
    hi_track_write(to, k);
    copy_fn(to, from, k, (size_t)-1);
    return stop != NULL ? (char *)to + k : NULL;
}

/* A string and its terminator copied to `to`; its length. (The functions below call this, not each other: the compiler would turn a stpcpy whose result is unused back into a call of strcpy.) */
static size_t put_string(char *to, const char *from) {
    size_t n = strlen(from);
    hi_track_write(to, n + 1);
    copy_fn(to, from, n + 1, (size_t)-1);
    return n;
}

char *stpcpy(char *restrict to, const char *restrict from) {
    return to + put_string(to, from);
}

char *strcpy(char *restrict to, const char *restrict from) {
    put_string(to, from);
    return to;
}

char *strncpy(char *restrict to, const char *restrict from, size_t n) {
    size_t k = strnlen(from, n);
    hi_track_write(to, n);
    copy_fn(to, from, k, (size_t)-1);
    set_fn(to + k, 0, n - k, (size_t)-1);
    return to;
}

char *strcat(char *restrict to, const char *restrict from) {
    put_string(to + strlen(to), from);
    return to;
}
#endif
