/*
 * checks.c: the driver's reads of a payload for its fill byte (checks.h): before a payload is freed
 * or moved, and after a realloc or calloc. When the heap is recorded, a payload's pages that no
 * look has found changed since its fill are known to hold it: realloc-bal would otherwise read
 * some 8 GB of payloads, as much as its reallocs copy (docs/performance.md, "Your own allocator").
 */
#define _GNU_SOURCE
#include <stdbool.h>
#include <string.h>

#include "checks.h"
#include "track_ways.h"
#include "tracking.h"

int64_t hi_first_unlike(const unsigned char *p, size_t n, unsigned char byte) {
    /* Eight bytes at a time, or a page at a time against a page of `byte`. */
    static unsigned char like[4096];
    static size_t like_len;
    static unsigned char like_byte;
    size_t k = 0;
    if (n >= 256) {
        size_t want = n < sizeof like ? n : sizeof like;
        if (like_byte != byte || like_len < want) {
            memset(like, byte, want);
            like_byte = byte;
            like_len = want;
        }
        for (; k + like_len <= n; k += like_len)
            if (memcmp(p + k, like, like_len) != 0) break;
    }
    uint64_t all = 0x0101010101010101ull * byte;
    for (; k + 8 <= n; k += 8) {
        uint64_t w;
        memcpy(&w, p + k, 8);
        if (w != all) break;
    }
    for (; k < n; k++)
        if (p[k] != byte) return (int64_t)k;
    return -1;
}

int64_t hi_payload_unlike(const unsigned char *p, size_t n, unsigned char byte, uint32_t since) {
    if (since == HI_NOT_RECORDED || hi_heap == NULL) return hi_first_unlike(p, n, byte);
    size_t at = (size_t)((const char *)p - hi_heap);
    /* Runs of pages to read, each read at once: the partial pages at the ends, and those changed. */
    size_t from = 0;
    for (size_t k = 0; k < n;) {
        size_t r = (at + k) / hi_page, end = (r + 1) * hi_page - at;
        if (end > n) end = n;
        bool whole = (at + k) % hi_page == 0 && end - k == hi_page;
        if (whole && !hi_track_changed(r, since)) {
            if (from < k) {
                int64_t u = hi_first_unlike(p + from, k - from, byte);
                if (u >= 0) return (int64_t)from + u;
            }
            from = end;
        }
        k = end;
    }
    if (from < n) {
        int64_t u = hi_first_unlike(p + from, n - from, byte);
        if (u >= 0) return (int64_t)from + u;
    }
    return -1;
}
