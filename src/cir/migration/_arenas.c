/* Python's small-object arenas in transparent huge pages (decision 0022).
 *
 * pymalloc maps its arenas 1 MiB at a time, so where the kernel gives transparent huge pages
 * on request only (madvise) the heap never gets any: every 4 KiB page of the millions of
 * small objects the migration makes is a page fault of its own (3.5-8 us each on this
 * project's machines), and every lookup in that heap may miss the TLB. install() replaces
 * the arena allocator: arenas are cut from regions reserved REGION bytes at a time, aligned
 * to 2 MiB and marked MADV_HUGEPAGE, so a fault maps 2 MiB at once.
 *
 * An arena pymalloc frees goes on a free list and is handed out again; its memory stays with
 * the process (the migration, one run that exits, frees little). Arenas made before install()
 * go back to the allocator that made them. pymalloc calls the allocator with the GIL held, so
 * the allocator needs no lock of its own; only the queue to the prefault thread has one.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif

#define HUGE_PAGE ((size_t)2 << 20)
#define REGION ((size_t)32 << 20)
#define AHEAD 2   /* regions reserved, and faulted in by the prefault thread, ahead of use */
#define QUEUE 64

typedef struct {
    char *start;
    char *end;
} Region;

static PyObjectArenaAllocator previous;
static int installed = 0;
static Region *regions = NULL;
static size_t region_count = 0;
static size_t region_capacity = 0;
static char *next_free = NULL; /* the unused rest of the last region */
static char *region_end = NULL;
static void **free_list = NULL; /* arenas freed, each holding the next in its first word */
static size_t arena_size = 0;   /* the size pymalloc asks for (one size: ARENA_SIZE) */
static size_t reserved = 0;
static size_t handed_out = 0;
static Region ahead[AHEAD];
static size_t ahead_count = 0;

/* The prefault thread: it faults in, without the GIL and on another core, the regions
 * reserved ahead, so that the migration's thread finds their huge pages there. It only asks
 * the kernel to populate (MADV_POPULATE_WRITE, Linux 5.14), which never changes what a page
 * holds: should the migration's thread reach a region first, both fault in the same pages. */
static pthread_mutex_t queue_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t queue_ready = PTHREAD_COND_INITIALIZER;
static Region queue[QUEUE];
static size_t queue_head = 0, queue_tail = 0;
static int prefault = 0; /* 1 while the thread serves; 0 if it did not start or was refused */
static size_t prefaulted = 0;

static void *prefault_main(void *unused) {
    (void)unused;
    for (;;) {
        pthread_mutex_lock(&queue_lock);
        while (queue_head == queue_tail) {
            pthread_cond_wait(&queue_ready, &queue_lock);
        }
        Region region = queue[queue_head % QUEUE];
        queue_head++;
        pthread_mutex_unlock(&queue_lock);
        for (char *at = region.start; at < region.end; at += HUGE_PAGE) {
            if (madvise(at, HUGE_PAGE, MADV_POPULATE_WRITE) != 0) {
                if (errno == EINVAL || errno == ENOSYS) {
                    __atomic_store_n(&prefault, 0, __ATOMIC_RELAXED);
                    return NULL;
                }
                break; /* out of memory for now: the migration's thread faults them itself */
            }
            __atomic_add_fetch(&prefaulted, HUGE_PAGE, __ATOMIC_RELAXED);
        }
    }
}

static void ask_prefault(Region region) {
    if (!__atomic_load_n(&prefault, __ATOMIC_RELAXED)) {
        return;
    }
    pthread_mutex_lock(&queue_lock);
    if (queue_tail - queue_head < QUEUE) {
        queue[queue_tail % QUEUE] = region;
        queue_tail++;
        pthread_cond_signal(&queue_ready);
    }
    pthread_mutex_unlock(&queue_lock);
}

static int map_region(Region *region) {
    if (region_count == region_capacity) {
        size_t capacity = region_capacity ? region_capacity * 2 : 64;
        Region *grown = PyMem_RawRealloc(regions, capacity * sizeof(Region));
        if (grown == NULL) {
            return -1;
        }
        regions = grown;
        region_capacity = capacity;
    }
    /* One huge page more than needed, so that the region can start on a 2 MiB boundary. */
    char *mapped = mmap(NULL, REGION + HUGE_PAGE, PROT_READ | PROT_WRITE,
                        MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (mapped == MAP_FAILED) {
        return -1;
    }
    char *start = (char *)(((uintptr_t)mapped + HUGE_PAGE - 1) & ~(uintptr_t)(HUGE_PAGE - 1));
    if (start > mapped) {
        munmap(mapped, (size_t)(start - mapped));
    }
    char *end = start + REGION;
    size_t tail = (size_t)((mapped + REGION + HUGE_PAGE) - end);
    if (tail) {
        munmap(end, tail);
    }
    /* Refused (THP "never", an old kernel): the region still serves, in small pages. */
    (void)madvise(start, REGION, MADV_HUGEPAGE);
    region->start = start;
    region->end = end;
    regions[region_count++] = *region;
    reserved += REGION;
    return 0;
}

/* The next region to cut arenas from, and AHEAD more reserved and on their way in. */
static int next_region(void) {
    Region region;
    if (ahead_count > 0) {
        region = ahead[0];
        memmove(ahead, ahead + 1, (ahead_count - 1) * sizeof(Region));
        ahead_count--;
    } else if (map_region(&region) < 0) {
        return -1;
    }
    next_free = region.start;
    region_end = region.end;
    while (ahead_count < AHEAD && map_region(&ahead[ahead_count]) == 0) {
        ask_prefault(ahead[ahead_count]);
        ahead_count++;
    }
    return 0;
}

static void *arena_alloc(void *ctx, size_t size) {
    (void)ctx;
    if (arena_size == 0) {
        arena_size = size;
    }
    if (size != arena_size || size > REGION) {
        return previous.alloc(previous.ctx, size);
    }
    if (free_list != NULL) {
        void **arena = free_list;
        free_list = (void **)*arena;
        handed_out++;
        return arena;
    }
    if (next_free == NULL || (size_t)(region_end - next_free) < size) {
        if (next_region() < 0) {
            return previous.alloc(previous.ctx, size);
        }
    }
    void *arena = next_free;
    next_free += size;
    handed_out++;
    return arena;
}

static int ours(void *ptr) {
    char *at = ptr;
    for (size_t i = region_count; i-- > 0;) {
        if (at >= regions[i].start && at < regions[i].end) {
            return 1;
        }
    }
    return 0;
}

static void arena_free(void *ctx, void *ptr, size_t size) {
    (void)ctx;
    if (ptr == NULL) {
        return;
    }
    if (!ours(ptr)) {
        previous.free(previous.ctx, ptr, size);
        return;
    }
    *(void **)ptr = free_list;
    free_list = ptr;
    handed_out--;
}

static PyObject *install(PyObject *module, PyObject *unused) {
    (void)module;
    (void)unused;
    if (!installed) {
        PyObjectArenaAllocator ours_ = {NULL, arena_alloc, arena_free};
        pthread_t thread;
        pthread_attr_t attributes;
        pthread_attr_init(&attributes);
        pthread_attr_setdetachstate(&attributes, PTHREAD_CREATE_DETACHED);
        /* Set before the thread starts: it sets it back to 0 should the kernel refuse. */
        __atomic_store_n(&prefault, 1, __ATOMIC_RELAXED);
        if (pthread_create(&thread, &attributes, prefault_main, NULL) != 0) {
            __atomic_store_n(&prefault, 0, __ATOMIC_RELAXED);
        }
        pthread_attr_destroy(&attributes);
        PyObject_GetArenaAllocator(&previous);
        PyObject_SetArenaAllocator(&ours_);
        installed = 1;
    }
    Py_RETURN_TRUE;
}

static PyObject *stats(PyObject *module, PyObject *unused) {
    (void)module;
    (void)unused;
    int prefaulting = __atomic_load_n(&prefault, __ATOMIC_RELAXED);
    return Py_BuildValue("{s:O,s:O,s:n,s:n,s:n,s:n}", "installed", installed ? Py_True : Py_False,
                         "prefault", prefaulting ? Py_True : Py_False, "reserved",
                         (Py_ssize_t)reserved, "prefaulted",
                         (Py_ssize_t)__atomic_load_n(&prefaulted, __ATOMIC_RELAXED), "arenas",
                         (Py_ssize_t)handed_out, "arena_size", (Py_ssize_t)arena_size);
}

static PyMethodDef methods[] = {
    {"install", install, METH_NOARGS,
     "Cut pymalloc's arenas from 2 MiB-aligned regions marked MADV_HUGEPAGE, from now on."},
    {"stats", stats, METH_NOARGS,
     "installed, bytes reserved, arenas handed out and not freed, arena size."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_arenas", "pymalloc arenas in transparent huge pages.", -1, methods,
    NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC PyInit__arenas(void) { return PyModule_Create(&module); }
