import Synchronization

/// A counting semaphore for tasks: ``acquire(priority:)`` suspends the task, never blocking a thread, until one of
/// the semaphore's slots is free; ``release()`` hands the slot to the waiting task of highest priority, and among
/// those to the one that has waited longest.
///
/// The integration tests take one slot each (`.realProcesses`), so that only a few of them run their brokers and
/// adapters at once; see `Tests/LiaisonIntegrationTests/Support.swift`.
///
/// ```swift
/// let slots = AsyncSemaphore(slots: 4)
/// await slots.acquire()
/// defer { slots.release() }
/// ```
package final class AsyncSemaphore: Sendable {
    private struct State {
        var free: Int
        var waiting: [(priority: Int, continuation: CheckedContinuation<Void, Never>)] = []
    }

    private let state: Mutex<State>

    /// - Parameter slots: how many tasks may hold the semaphore at once (at least one).
    package init(slots: Int) {
        state = Mutex(State(free: max(slots, 1)))
    }

    /// Waits until a slot is free and takes it; the higher `priority`, the sooner.
    package func acquire(priority: Int = 0) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let now = state.withLock { state -> Bool in
                if state.free > 0 {
                    state.free -= 1
                    return true
                }
                // After the last waiter of the same or a higher priority.
                let index = state.waiting.firstIndex { $0.priority < priority } ?? state.waiting.endIndex
                state.waiting.insert((priority, continuation), at: index)
                return false
            }
            if now { continuation.resume() }
        }
    }

    /// Gives a slot back: to the first waiting task, if any.
    package func release() {
        let next = state.withLock { state -> CheckedContinuation<Void, Never>? in
            if state.waiting.isEmpty {
                state.free += 1
                return nil
            }
            return state.waiting.removeFirst().continuation
        }
        next?.resume()
    }
}
