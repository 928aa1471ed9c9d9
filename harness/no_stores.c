/*
 * no_stores.c: the way by stores in the plain executable, where it cannot start (track_ways.h;
 * docs/own-allocator.md, "What the driver records"). The plain executable's allocator was compiled
 * without the instrumentation of stores, so it links this file where the recording executable links
 * track_stores.c: the rest of the harness is compiled once for both, and here the pages are watched.
 */
#include "track_ways.h"

bool hi_stores_start(void) { return false; }
void hi_stores_enter(bool on) { (void)on; }
void hi_stores_mark(size_t offset, size_t n) { (void)offset, (void)n; }
void hi_stores_take(size_t skip_lo, size_t skip_hi) { (void)skip_lo, (void)skip_hi; }
