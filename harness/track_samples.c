/*
 * track_samples.c: where the thread's page faults were, as the kernel samples them (track_ways.h;
 * docs/own-allocator.md, "What the driver records"). A software perf event counts the thread's
 * page faults, one sample a fault, with the address that faulted, into a ring buffer mapped into
 * the process: reading it at a look is a few loads, where a PAGEMAP_SCAN walks every page of the
 * heap. By the kernel (track_kernel.c) a page's first write since it was protected is a fault, so
 * the faults' pages are the pages newly written.
 *
 * Where perf events are refused (perf_event_paranoid, a seccomp profile, another system)
 * hi_samples_start says false and every look that faulted scans.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "track_ways.h"

#if defined(__linux__) && defined(__has_include)
#if __has_include(<linux/perf_event.h>)
#define HAVE_PERF 1
#endif
#endif

#ifdef HAVE_PERF
#include <linux/perf_event.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

/* The ring's data pages: room for 8,192 samples of 16 bytes between two looks (more are lost, and the look scans); small, as perf_event_mlock_kb counts every ring of the user's. */
#define RING_PAGES 32

bool hi_samples_all_faults;
static struct perf_event_mmap_page *meta;
static const unsigned char *data;
static int event = -1;
static uint64_t data_size;

static int open_event(bool kernel_too) {
    struct perf_event_attr attr;
    memset(&attr, 0, sizeof attr);
    attr.size = sizeof attr;
    attr.type = PERF_TYPE_SOFTWARE;
    attr.config = PERF_COUNT_SW_PAGE_FAULTS;
    attr.sample_period = 1;
    attr.sample_type = PERF_SAMPLE_ADDR;
    attr.exclude_kernel = !kernel_too;
    attr.exclude_hv = 1;
    attr.exclude_idle = 1;
    /* Nobody waits on it: a wakeup only when the ring is nearly full. */
    attr.watermark = 1;
    attr.wakeup_watermark = (uint32_t)(RING_PAGES * (size_t)getpagesize() / 4 * 3);
    return (int)syscall(SYS_perf_event_open, &attr, 0, -1, -1, PERF_FLAG_FD_CLOEXEC);
}

bool hi_samples_start(void) {
    /* Faults taken inside system calls (a read() into the heap) are sampled too where the kernel allows it; else the caller counts faults. */
    const char *chosen = getenv("HEAP_INSPECTOR_TRACKING");
    int fd = chosen != NULL && strcmp(chosen, "user") == 0 ? -1 : open_event(true);
    hi_samples_all_faults = fd >= 0;
    if (fd < 0) fd = open_event(false);
    if (fd < 0) return false;
    size_t page = (size_t)getpagesize();
    void *ring = mmap(NULL, (RING_PAGES + 1) * page, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (ring == MAP_FAILED) {
        close(fd);
        return false;
    }
    event = fd;
    meta = ring;
    data = (const unsigned char *)ring + page;
    data_size = RING_PAGES * page;
    return true;
}

void hi_samples_enable(bool on) {
    ioctl(event, on ? PERF_EVENT_IOC_ENABLE : PERF_EVENT_IOC_DISABLE, 0);
}

static void ring_read(uint64_t at, void *to, size_t n) {
    size_t off = (size_t)(at % data_size), first = data_size - off < n ? (size_t)(data_size - off) : n;
    memcpy(to, data + off, first);
    memcpy((unsigned char *)to + first, data, n - first);
}

long hi_samples_take(void (*page)(size_t r)) {
    uint64_t head = __atomic_load_n(&meta->data_head, __ATOMIC_ACQUIRE);
    uint64_t tail = meta->data_tail;
    long faults = 0;
    bool lost = false;
    while (tail < head) {
        struct perf_event_header h;
        ring_read(tail, &h, sizeof h);
        if (h.size < sizeof h) {
            lost = true;
            break;
        }
        if (h.type == PERF_RECORD_SAMPLE) {
            uint64_t addr;
            ring_read(tail + sizeof h, &addr, sizeof addr);
            faults++;
            if (page != NULL && addr >= (uintptr_t)hi_heap && addr < (uintptr_t)hi_heap + hi_npages * hi_page) page((size_t)(addr - (uintptr_t)hi_heap) / hi_page);
        } else if (h.type == PERF_RECORD_LOST) {
            lost = true;
        }
        tail += h.size;
    }
    __atomic_store_n(&meta->data_tail, head, __ATOMIC_RELEASE);
    return lost ? -1 : faults;
}
#else
bool hi_samples_all_faults;
bool hi_samples_start(void) {
    return false;
}
void hi_samples_enable(bool on) {
    (void)on;
}
long hi_samples_take(void (*page)(size_t r)) {
    (void)page;
    return -1;
}
#endif
