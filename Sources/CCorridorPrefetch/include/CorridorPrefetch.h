// A hint to the processor: fetch the cache lines of `bytes` bytes from `address` ahead of
// their use. Swift has no prefetch of its own; this header is all the target holds.
#ifndef CORRIDOR_PREFETCH_H
#define CORRIDOR_PREFETCH_H

#include <stddef.h>

/// Requests every 64-byte line of [address, address + bytes) for writing, kept in all cache
/// levels. Never faults, whatever the address: a prefetch is only a hint.
static inline void corridor_prefetch_lines(const void *address, size_t bytes) {
    const char *line = (const char *)address;
    for (size_t offset = 0; offset < bytes; offset += 64) {
        __builtin_prefetch(line + offset, 1, 3);
    }
}

#endif
