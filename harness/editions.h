/*
 * editions.h: the allocator's mm_init, heap checker and calloc as the driver calls them, for each
 * edition of the lab (docs/own-allocator.md): CS:APP's (int mm_init, the writeup's int mm_check),
 * the CMU lab's from 2016 on (bool mm_init, bool mm_checkheap) and its 2013-2015 edition (int
 * mm_init, void or int mm_checkheap), told apart by the flags the harness compiles with.
 * INIT_FAILED(r) says whether mm_init's result is a failure; HEAP_CHECKER is the checker (a weak
 * symbol: null when the file has none) and HEAP_CHECK_OK(line) calls it and says whether the heap
 * is consistent.
 */
#ifndef HEAP_INSPECTOR_EDITIONS_H
#define HEAP_INSPECTOR_EDITIONS_H

#include <stdbool.h>
#include <stddef.h>

#if defined(HEAP_INSPECTOR_CMU) && !defined(HEAP_INSPECTOR_INT_INIT)
bool mm_init(void);
#define INIT_FAILED(r) (!(r))
#else
int mm_init(void); /* CS:APP's, and the CMU lab's before 2016: 0, or -1 when it failed */
#define INIT_FAILED(r) ((r) < 0)
#endif
#ifdef HEAP_INSPECTOR_CMU
/* The heap checker --checkheap calls, and whether it says the heap is consistent: the CMU lab's
   mm_checkheap (a bool from 2016 on; before, void, or an int whose meaning varied: only called). */
#if defined(HEAP_INSPECTOR_VOID_CHECKHEAP)
void mm_checkheap(int lineno) __attribute__((weak));
#define HEAP_CHECK_OK(line) (mm_checkheap(line), true)
#elif defined(HEAP_INSPECTOR_INT_CHECKHEAP)
int mm_checkheap(int lineno) __attribute__((weak));
#define HEAP_CHECK_OK(line) ((void)mm_checkheap(line), true)
#else
bool mm_checkheap(int lineno) __attribute__((weak));
#define HEAP_CHECK_OK(line) mm_checkheap(line)
#endif
#define HEAP_CHECKER mm_checkheap
#else
int mm_check(void) __attribute__((weak)); /* the CS:APP writeup's checker: nonzero when consistent */
#define HEAP_CHECKER mm_check
#define HEAP_CHECK_OK(line) ((void)(line), mm_check() != 0)
#endif
/* A file without calloc (the CS:APP edition has none) gets a malloc and a memset, as a libc would. */
void *mm_calloc(size_t nmemb, size_t size) __attribute__((weak));

#endif
