/*
 * memlib.h: the malloc lab's memory model, as Heap Inspector's harness provides it
 * (docs/own-allocator.md): one region of MAX_HEAP bytes (20 MiB unless the harness is told
 * otherwise) handed out by mem_sbrk, which never moves it and fails past its end.
 */
#ifndef HEAP_INSPECTOR_MEMLIB_H
#define HEAP_INSPECTOR_MEMLIB_H

#include <stddef.h>
#include <stdint.h>

void mem_init(void);
void mem_deinit(void);
/* Extends the heap by incr bytes and returns the old break, or (void *)-1 when it cannot. */
void *mem_sbrk(intptr_t incr);
void mem_reset_brk(void);
void *mem_heap_lo(void);
void *mem_heap_hi(void);
size_t mem_heapsize(void);
size_t mem_pagesize(void);
/* The CMU lab's bounds-checked copies (later editions of its memlib). */
void *mem_memcpy(void *dst, const void *src, size_t n);
void *mem_memset(void *ptr, int c, size_t n);

#endif
