/*
 * memlib.c: the malloc lab's memory model for Heap Inspector's harness (docs/own-allocator.md).
 * One region of hi_max_heap bytes, mapped once at a page-aligned address and never moved;
 * mem_sbrk hands it out from the start and fails past its end, as the lab's memlib does.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "memlib.h"

/* Set by the driver before mem_init (the trace's heap limit). */
size_t hi_max_heap = 20u * (1u << 20);
/* Set when mem_sbrk refuses to grow the heap; the driver reads and clears it after each op. */
int hi_sbrk_refused;

static char *mem_start_brk; /* first byte of the heap */
static char *mem_brk;       /* one past the last byte of the heap */
static char *mem_max_addr;  /* one past the largest legal heap address */

void mem_init(void) {
    if (mem_start_brk != NULL) {
        mem_brk = mem_start_brk;
        return;
    }
    void *region = mmap(NULL, hi_max_heap, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (region == MAP_FAILED) {
        fprintf(stderr, "heap-inspector harness: cannot map %zu bytes for the heap: %s\n", hi_max_heap, strerror(errno));
        _exit(71);
    }
    mem_start_brk = region;
    mem_brk = mem_start_brk;
    mem_max_addr = mem_start_brk + hi_max_heap;
}

void mem_deinit(void) {
    /* The region lives as long as the process: the driver reads it after the allocator is done. */
}

void mem_reset_brk(void) {
    mem_brk = mem_start_brk;
}

void *mem_sbrk(intptr_t incr) {
    char *old_brk = mem_brk;
    if (incr < 0 || (uintptr_t)incr > (uintptr_t)(mem_max_addr - mem_brk)) {
        errno = ENOMEM;
        hi_sbrk_refused = 1;
        return (void *)-1;
    }
    mem_brk += incr;
    return (void *)old_brk;
}

void *mem_heap_lo(void) {
    return (void *)mem_start_brk;
}

void *mem_heap_hi(void) {
    return (void *)(mem_brk - 1);
}

size_t mem_heapsize(void) {
    return (size_t)(mem_brk - mem_start_brk);
}

size_t mem_pagesize(void) {
    return (size_t)getpagesize();
}

void *mem_memcpy(void *dst, const void *src, size_t n) {
    return memcpy(dst, src, n);
}

void *mem_memset(void *ptr, int c, size_t n) {
    return memset(ptr, c, n);
}
