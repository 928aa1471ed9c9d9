/*
 * track_stores.c: the heap words the allocator wrote, told by the compiler (track_ways.h,
 * tracking.c; docs/own-allocator.md, "What the driver records"). When the allocator's file was
 * compiled with GCC's (or clang's) kernel-address instrumentation of stores only, every store it
 * makes calls __asan_store<n>_noabort(address) first: a store into the heap's region marks its
 * 64-byte line, and a look compares only the lines marked with the shadow copy, then forgets them.
 * No page is write-protected and no write faults. The C library's copies and fills the allocator
 * calls mark their ranges (copies.c, through hi_track_write); what the compiler does not see (inline
 * assembly, other libraries writing the heap) is not recorded.
 *
 * The lines marked are kept per 4 KiB chunk of the heap, as a 64-bit mask, with the list of the
 * chunks marked since the last look: a look sorts that list (the words are recorded in address
 * order) and walks each mask.
 */
#include <stdint.h>
#include <stdlib.h>

#include "track_ways.h"

#define LINE_SHIFT 6
#define CHUNK_SHIFT 12

static uintptr_t base;  /* hi_heap, as a number */
static size_t watched;  /* the bytes of the region whose stores are marked: 0 until the way is on */
static uint64_t *lines; /* per chunk, the lines marked */
static uint32_t *marked;
static size_t nmarked;

bool hi_stores_start(void) {
    size_t chunks = (hi_heap_max + ((size_t)1 << CHUNK_SHIFT) - 1) >> CHUNK_SHIFT;
    lines = calloc(chunks, sizeof *lines);
    marked = calloc(chunks, sizeof *marked);
    base = (uintptr_t)hi_heap;
    return lines != NULL && marked != NULL;
}

void hi_stores_enter(bool on) {
    watched = on ? hi_heap_max : 0;
}

/* Marks the lines of [offset, offset + n) (offsets into the region, n > 0, inside it). */
void hi_stores_mark(size_t offset, size_t n) {
    size_t last = offset + n - 1;
    size_t c = offset >> CHUNK_SHIFT, end = last >> CHUNK_SHIFT;
    for (; c <= end; c++) {
        uint64_t bits = ~(uint64_t)0;
        if (c == offset >> CHUNK_SHIFT) bits &= ~(uint64_t)0 << ((offset >> LINE_SHIFT) & 63);
        if (c == end) bits &= ~(uint64_t)0 >> (63 - ((last >> LINE_SHIFT) & 63));
        if (lines[c] == 0) marked[nmarked++] = (uint32_t)c;
        lines[c] |= bits;
    }
}

static inline void store(uintptr_t a, size_t n) {
    size_t offset = a - base;
    if (offset >= watched) return;
    if (n > watched - offset) n = watched - offset;
    size_t line = offset >> LINE_SHIFT, c = offset >> CHUNK_SHIFT;
    if (((offset + n - 1) >> LINE_SHIFT) != line || n == 0) {
        if (n > 0) hi_stores_mark(offset, n);
        return;
    }
    if (lines[c] == 0) marked[nmarked++] = (uint32_t)c;
    lines[c] |= (uint64_t)1 << (line & 63);
}

/* The hooks the instrumented allocator calls before each store (the only ones it needs when compiled with the flags ownAllocator.ts gives). */
void __asan_store1_noabort(uintptr_t a) { store(a, 1); }
void __asan_store2_noabort(uintptr_t a) { store(a, 2); }
void __asan_store4_noabort(uintptr_t a) { store(a, 4); }
void __asan_store8_noabort(uintptr_t a) { store(a, 8); }
void __asan_store16_noabort(uintptr_t a) { store(a, 16); }
void __asan_storeN_noabort(uintptr_t a, size_t n) { store(a, n); }
/* Reads are not instrumented, but the range a built-in copy reads may be told (GCC, a mempcpy of unknown length): nothing to do; nor before a function that does not return (exit, abort). */
void __asan_load1_noabort(uintptr_t a) { (void)a; }
void __asan_load2_noabort(uintptr_t a) { (void)a; }
void __asan_load4_noabort(uintptr_t a) { (void)a; }
void __asan_load8_noabort(uintptr_t a) { (void)a; }
void __asan_load16_noabort(uintptr_t a) { (void)a; }
void __asan_loadN_noabort(uintptr_t a, size_t n) { (void)a, (void)n; }
void __asan_handle_no_return(void) {}

/* Records the words of [from, to) that differ from the shadow, but those of [lo, hi) (whole words of the payload the driver fills next); whether any differed. */
static bool take_run(size_t from, size_t to, size_t lo, size_t hi) {
    if (lo >= hi || hi <= from || lo >= to) return hi_take_words(from, to);
    bool before = lo > from && hi_take_words(from, lo);
    bool after = hi < to && hi_take_words(hi, to);
    return before || after;
}

void hi_stores_take(size_t skip_lo, size_t skip_hi) {
    if (nmarked == 0) return;
    hi_sort_pages(marked, nmarked, 0);
    size_t lo = (skip_lo + 7) / 8 * 8, hi = skip_hi / 8 * 8;
    for (size_t k = 0; k < nmarked; k++) {
        size_t c = marked[k];
        uint64_t m = lines[c];
        lines[c] = 0;
        /* Each run of lines marked in a row (a copy's) compared at once: a block of 256 bytes at a time. */
        while (m != 0) {
            unsigned b = (unsigned)__builtin_ctzll(m);
            uint64_t gaps = ~(m >> b);
            unsigned len = gaps != 0 ? (unsigned)__builtin_ctzll(gaps) : 64;
            m = len == 64 ? 0 : m & ~((((uint64_t)1 << len) - 1) << b);
            size_t from = (c << CHUNK_SHIFT) + ((size_t)b << LINE_SHIFT);
            size_t to = from + ((size_t)len << LINE_SHIFT);
            if (to > hi_heap_max) to = hi_heap_max;
            if (take_run(from, to, lo, hi)) hi_note_changed(from / hi_page);
        }
    }
    nmarked = 0;
}
