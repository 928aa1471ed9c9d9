/*
 * mm.h: the allocator interface the malloc lab's driver calls, as Heap Inspector's harness
 * declares it (docs/own-allocator.md). Two editions of the lab are accepted:
 *
 *   - CS:APP 3e: the file defines mm_init, mm_malloc, mm_free and mm_realloc (and usually a
 *     team_t team).
 *   - The CMU 64-bit lab (2016 on): the file defines malloc, free, realloc, calloc and
 *     mm_checkheap; with DRIVER defined (the harness always defines it) the macros below rename
 *     them to mm_malloc and friends, as the lab's own mm.h does.
 *
 * The harness compiles the file with HEAP_INSPECTOR_CMU defined for the second edition, and,
 * for the lab's 2013-2015 edition (int mm_init, void mm_checkheap), HEAP_INSPECTOR_INT_INIT and
 * HEAP_INSPECTOR_VOID_CHECKHEAP (or HEAP_INSPECTOR_INT_CHECKHEAP), so that these declarations
 * are the file's own.
 */
#ifndef HEAP_INSPECTOR_MM_H
#define HEAP_INSPECTOR_MM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#ifdef HEAP_INSPECTOR_CMU
#ifdef DRIVER
#define malloc mm_malloc
#define free mm_free
#define realloc mm_realloc
#define calloc mm_calloc
#endif
#ifdef HEAP_INSPECTOR_INT_INIT
int mm_init(void);
#else
bool mm_init(void);
#endif
void *malloc(size_t size);
void free(void *ptr);
void *realloc(void *ptr, size_t size);
void *calloc(size_t nmemb, size_t size);
#if defined(HEAP_INSPECTOR_VOID_CHECKHEAP)
void mm_checkheap(int lineno);
#elif defined(HEAP_INSPECTOR_INT_CHECKHEAP)
int mm_checkheap(int lineno);
#else
bool mm_checkheap(int lineno);
#endif
#else
int mm_init(void);
void *mm_malloc(size_t size);
void mm_free(void *ptr);
void *mm_realloc(void *ptr, size_t size);
#endif

/* The team a CS:APP handout asks for; the harness never reads it. */
typedef struct {
    char *teamname;
    char *name1;
    char *id1;
    char *name2;
    char *id2;
} team_t;

#endif
