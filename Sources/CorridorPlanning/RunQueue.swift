import CorridorEngine
import Dispatch
import Foundation

/// Runs the model for requests: at most `limit` at once, the next ones waiting their turn
/// in order (up to `waitingLimit`, beyond which a request is refused), each on a thread of
/// its own so the server's event loops never wait for the engine. A run carrying an id can
/// be cancelled by it, waiting or running.
package final class RunQueue: Sendable {
    private struct State {
        var running = 0
        /// Runs waiting for a turn, first come first served (resumed with false: go).
        var waiting: [CheckedContinuation<Bool, Never>] = []
        var cancellations: [String: RunCancellation] = [:]
    }

    package let limit: Int
    package let waitingLimit: Int
    private let state = Locked(State())

    package init(limit: Int, waitingLimit: Int) {
        self.limit = limit
        self.waitingLimit = waitingLimit
    }

    /// Runs `work` when a turn comes, cancellable by `id` (a later run with the same id
    /// replaces the earlier's switch).
    package func run<T: Sendable>(id: String?, _ work: @escaping @Sendable () throws -> T) async throws -> T {
        let cancellation = RunCancellation()
        if let id { state.withLock { $0.cancellations[id] = cancellation } }
        defer { if let id { state.withLock { if $0.cancellations[id] === cancellation { $0.cancellations[id] = nil } } } }
        try await takeTurn()
        defer { endTurn() }
        if cancellation.isCancelled { throw RunCancelledError() }
        return try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                continuation.resume(with: Result { try RunCancellation.$current.withValue(cancellation) { try work() } })
            }
        }
    }

    /// Cancels the run with this id; false when none is waiting or running.
    package func cancel(id: String) -> Bool {
        guard let cancellation = state.withLock({ $0.cancellations[id] }) else { return false }
        cancellation.cancel()
        return true
    }

    /// Cancels every run (the server is stopping).
    package func cancelAll() {
        for cancellation in state.withLock({ Array($0.cancellations.values) }) { cancellation.cancel() }
    }

    /// Waits for a turn: at once when fewer than `limit` run, else behind those waiting.
    /// The decision and the joining of the line are one step, so no turn is lost.
    private func takeTurn() async throws {
        let refused: Bool = await withCheckedContinuation { continuation in
            let now: Bool? = state.withLock { state in
                if state.running < limit {
                    state.running += 1
                    return false
                }
                guard state.waiting.count < waitingLimit else { return true }
                state.waiting.append(continuation)
                return nil
            }
            if let now { continuation.resume(returning: now) }
        }
        if refused {
            throw APIError(status: 429, message: "error: the server is busy: \(limit) runs are computing and \(waitingLimit) are waiting (corridor serve --max-concurrent-runs, --max-waiting-runs); try again shortly")
        }
    }

    /// Hands the turn to the first waiting run, or frees it.
    private func endTurn() {
        let next: CheckedContinuation<Bool, Never>? = state.withLock { state in
            if state.waiting.isEmpty {
                state.running -= 1
                return nil
            }
            return state.waiting.removeFirst()
        }
        next?.resume(returning: false)
    }
}
