// Intentionally empty: SwiftPM needs a source file in a C target; the function is inline in
// include/CorridorPrefetch.h.
