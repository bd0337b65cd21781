#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// A value that threads share, reached only under a POSIX mutex.
///
/// The project uses this rather than the standard library's `Mutex`: on Linux a contended
/// `Mutex` is handed from thread to thread inside the kernel (a priority-inheriting futex),
/// where ThreadSanitizer cannot see it, so a contended lock was reported as a data race on
/// the value it guards (Docs/reliability.md). ThreadSanitizer intercepts
/// `pthread_mutex_lock`; uncontended, both locks take and release with one atomic
/// instruction in user space.
public final class Locked<Value>: @unchecked Sendable {
    private var value: Value
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>

    public init(_ value: sending Value) {
        self.value = value
        mutex = .allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        pthread_mutex_init(mutex, nil)
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    /// Runs `body` on the value with no other thread inside `withLock` meanwhile.
    public func withLock<Result>(_ body: (inout sending Value) throws -> sending Result) rethrows -> sending Result {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body(&value)
    }
}
