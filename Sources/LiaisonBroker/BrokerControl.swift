import Prometheus
import Synchronization
import ZeroMQ

/// The thread-safe link between the async world and the broker's own thread: start-up result, stop
/// request, and the wake-up pipe. Everything in it is behind a `Mutex` or atomic.
final class BrokerControl: Sendable {
    enum Phase {
        case starting([CheckedContinuation<String, any Error>])
        case running(endpoint: String)
        case failed(any Error)
        case stopped
    }

    let waker = WakeUpPipe()
    /// The broker's metrics (`HubMetrics` makes them here); `MetricsEndpoint` serves it.
    let registry = PrometheusCollectorRegistry()
    private let stopRequested = Atomic<Bool>(false)
    private let phase = Mutex<Phase>(.starting([]))
    private let stopWaiters = Mutex<(done: Bool, waiters: [CheckedContinuation<Void, Never>])>((false, []))

    private let reloadRequested = Atomic<Bool>(false)
    /// Why a broker that was running stopped on its own (it lost its store and could not start again), if it did.
    private let failure = Mutex<(any Error)?>(nil)

    var isStopRequested: Bool { stopRequested.load(ordering: .acquiring) }

    /// Asks the broker to reload its agencies and agreements (SIGHUP) at its next turn.
    func requestReload() {
        reloadRequested.store(true, ordering: .releasing)
        waker.wake()
    }

    /// Whether a reload was asked for since the last call.
    func takeReloadRequest() -> Bool {
        reloadRequested.exchange(false, ordering: .acquiringAndReleasing)
    }

    func requestStop() {
        stopRequested.store(true, ordering: .releasing)
        waker.wake()
    }

    /// Called by the broker thread once its socket is bound (or it failed to start).
    func started(_ result: Result<String, any Error>) {
        let waiters: [CheckedContinuation<String, any Error>] = phase.withLock { phase in
            guard case .starting(let waiters) = phase else { return [] }
            switch result {
            case .success(let endpoint): phase = .running(endpoint: endpoint)
            case .failure(let error): phase = .failed(error)
            }
            return waiters
        }
        for waiter in waiters { waiter.resume(with: result) }
    }

    /// Records why a broker that was running could not go on (the thread then calls `finished()`): `Broker.run()`
    /// throws it, so that the process ends with a failure a supervisor restarts on, not with success.
    func failedAfterStart(_ error: any Error) {
        failure.withLock { $0 = error }
    }

    /// The error recorded by `failedAfterStart`, if any.
    var failureAfterStart: (any Error)? { failure.withLock { $0 } }

    /// Waits until the broker is bound, returning the bound endpoint, or throws its start-up error.
    func waitUntilRunning() async throws -> String {
        try await withCheckedThrowingContinuation { continuation in
            let result: Result<String, any Error>? = phase.withLock { phase in
                switch phase {
                case .starting(var waiters):
                    waiters.append(continuation)
                    phase = .starting(waiters)
                    return nil
                case .running(let endpoint): return .success(endpoint)
                case .failed(let error): return .failure(error)
                case .stopped: return .failure(BrokerError(.stopped, "The broker has stopped."))
                }
            }
            if let result { continuation.resume(with: result) }
        }
    }

    /// Called by the broker thread as its very last act.
    func finished() {
        started(.failure(BrokerError(.stopped, "The broker stopped before it was running.")))
        let waiters = stopWaiters.withLock { state in
            state.done = true
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }

    func waitUntilFinished() async {
        await withCheckedContinuation { continuation in
            let done = stopWaiters.withLock { state in
                if !state.done { state.waiters.append(continuation) }
                return state.done
            }
            if done { continuation.resume() }
        }
    }
}
