import ComfyJSON
import Foundation

/// Follows several jobs to their ends on one socket: a batch this client queues (`submit --count/--sweep --wait`,
/// whose per-node events reach the socket because the prompts carry its client id) or jobs queued elsewhere
/// (`wait ID...`, seen through `/queue` and `/history`). The jobs are kept in the monitor's model (`MonitorState`),
/// so node states, timings and estimates are the monitor's.
public struct JobFollower: Sendable {
    public let api: ComfyAPI
    public var clientID: String
    /// Give up after this long in all (nil: never); jobs not ended by then are `.timedOut`.
    public var timeout: Double?
    /// How long to wait for the socket before following by polling alone.
    public var socketWait: Double = 5
    /// Read `/queue` at least this often (and whenever the socket is silent for as long).
    public var pollInterval: Double = 2

    public init(api: ComfyAPI, clientID: String = EventStream.newClientID(), timeout: Double? = nil) {
        self.api = api
        self.clientID = clientID
        self.timeout = timeout
    }

    /// How a job ended, from its history entry or from its absence.
    public enum Status: String, Sendable, Equatable {
        case success, failed, interrupted
        /// Accepted and not followed (`submit` without `--wait`).
        case queued
        /// The server refused the prompt (validation): it never ran.
        case rejected
        /// It left the queue without a history entry (deleted, or the server restarted).
        case vanished
        /// Neither queued, running nor in history: no such job on this server.
        case unknown
        /// Still queued or running when `timeout` ran out.
        case timedOut = "timeout"

        public var succeeded: Bool { self == .success }
    }

    public struct Outcome: Sendable {
        public var promptID: String?
        public var status: Status
        public var job: MonitorJob?
        public var item: HistoryItem?
        /// Why it was rejected, vanished or unknown.
        public var problem: String?
    }

    public enum Update: Sendable {
        case connection(ConnectionEvent)
        case accepted(index: Int, PromptAccepted)
        case rejected(index: Int, ComfyError)
        case progress(MonitorState)
        case finished(Outcome)
        case polling(reason: String)
    }

    /// Queues `prompts` in order (after the socket is up, so none of their events is missed) and, when `wait`, follows
    /// them to the end. The outcomes are in the order of `prompts`; a prompt the server refused is `.rejected` and the
    /// others still run. Without `wait` the accepted ones are `.queued`, with their ids.
    /// A server that cannot be reached or refuses the credentials ends the call with `.api` (the caller was told of
    /// each prompt queued so far through `onUpdate(.accepted)`).
    public func submit(
        _ prompts: [JSONValue], front: Bool = false, wait: Bool,
        onUpdate: @escaping @Sendable (Update) -> Void
    ) async throws(JobRunner.Failure) -> [Outcome] {
        let session = wait ? await open(onUpdate) : nil
        defer { if let session { Task { await session.pump.stop() } } }
        var state = MonitorState(serverURL: api.endpoint.displayURL, ownClientID: clientID)
        var outcomes: [Outcome?] = Array(repeating: nil, count: prompts.count)
        var ids: [Int: String] = [:]
        for (index, prompt) in prompts.enumerated() {
            do {
                // Not followed: no client id, as `submit` without `--wait` (the monitor shows them as anonymous,
                // not as another client's).
                let accepted = try await api.submit(prompt: prompt, clientID: wait ? clientID : nil, front: front)
                ids[index] = accepted.promptID
                state.track(accepted.promptID, number: accepted.number, prompt: prompt, now: Date())
                onUpdate(.accepted(index: index, accepted))
            } catch {
                // Only a refusal of this prompt is this prompt's: a server away or asking for credentials stops all.
                if error.isUnreachable { throw .api(error) }
                if case .unauthorized = error { throw .api(error) }
                outcomes[index] = Outcome(promptID: nil, status: .rejected, problem: error.description)
                onUpdate(.rejected(index: index, error))
            }
        }
        guard let session else {
            return outcomes.enumerated().map { index, outcome in
                outcome ?? Outcome(promptID: ids[index], status: .queued)
            }
        }
        let followed = try await follow(Array(ids.values), state: state, session: session, onUpdate: onUpdate)
        return outcomes.enumerated().map { index, outcome in
            if let outcome { return outcome }
            let id = ids[index] ?? ""
            return followed[id] ?? Outcome(promptID: id, status: .unknown)
        }
    }

    /// Follows jobs queued by anyone until each has ended; the outcomes in the order of `ids`.
    public func follow(_ ids: [String], onUpdate: @escaping @Sendable (Update) -> Void) async throws(JobRunner.Failure)
        -> [Outcome]
    {
        let session = await open(onUpdate)
        defer { Task { await session.pump.stop() } }
        let state = MonitorState(serverURL: api.endpoint.displayURL, ownClientID: clientID)
        let followed = try await follow(ids, state: state, session: session, onUpdate: onUpdate)
        return ids.map { followed[$0] ?? Outcome(promptID: $0, status: .unknown) }
    }

    struct Session: Sendable {
        var pump: EventPump
        var connected: Bool
    }

    private func open(_ onUpdate: @escaping @Sendable (Update) -> Void) async -> Session {
        let stream = EventStream(endpoint: api.endpoint, clientID: clientID)
        let pump = EventPump()
        await pump.start(stream.events())
        let connected = await Self.waitForGreeting(pump, seconds: socketWait, onUpdate)
        if !connected { onUpdate(.polling(reason: "no WebSocket: following the jobs by polling /queue and /history")) }
        return Session(pump: pump, connected: connected)
    }

    private func follow(
        _ ids: [String], state start: MonitorState, session: Session,
        onUpdate: @escaping @Sendable (Update) -> Void
    ) async throws(JobRunner.Failure) -> [String: Outcome] {
        var tracker = Tracker(state: start, pending: Set(ids))
        let began = Date()
        // The first read comes once the events already buffered are read (or after two intervals at most).
        var lastPoll = Date()
        var wantPoll = true
        while !tracker.pending.isEmpty {
            if let timeout, Date().timeIntervalSince(began) > timeout {
                for id in tracker.pending {
                    tracker.results[id] = Outcome(promptID: id, status: .timedOut, job: tracker.state.jobs[id])
                }
                break
            }
            // Buffered events go first (the freshest news, and the only source of per-node steps); the queue is
            // read when they are drained and a read is asked for (a `status`) or due, and in any case once it is
            // overdue twice over, so a busy socket cannot starve the reads nor slow reads the events.
            let sincePoll = Date().timeIntervalSince(lastPoll)
            if sincePoll >= pollInterval { wantPoll = true }
            var pollNow = false
            switch await session.pump.next(within: wantPoll ? 0.01 : max(0.01, pollInterval - sincePoll)) {
            case .event(.server(let event)):
                if let id = event.promptID, !tracker.pending.contains(id) { break }
                let effects = tracker.state.ingest(event, now: Date())
                for case .lookupHistory(let id) in effects where tracker.pending.contains(id) {
                    if let item = try await entry(id) { tracker.finish(id, item, onUpdate) }
                }
                if effects.contains(.refreshQueue) { wantPoll = true }
                onUpdate(.progress(tracker.state))
            case .event(.connection(let change)):
                onUpdate(.connection(change))
                _ = tracker.state.ingest(.connection(change), now: Date())
                if case .connected = change { wantPoll = true }
            case .silence: pollNow = wantPoll
            case .ended:
                pollNow = true
                try? await Task.sleep(for: .milliseconds(Int(pollInterval * 1000)))
            }
            if Date().timeIntervalSince(lastPoll) >= 2 * pollInterval { pollNow = true }
            if pollNow {
                wantPoll = false
                lastPoll = Date()
                try await poll(&tracker, onUpdate)
                onUpdate(.progress(tracker.state))
            }
        }
        return tracker.results
    }

    /// One look at `/queue`, then `/history/{id}` for each job no longer in it. A job must be missing from both
    /// twice running before it is called vanished or unknown (it may be between the queue and its history entry).
    private func poll(_ tracker: inout Tracker, _ onUpdate: @escaping @Sendable (Update) -> Void)
        async throws(JobRunner.Failure)
    {
        let queue: QueueSnapshot
        do {
            queue = try await api.queue()
        } catch {
            if error.isUnreachable { return }  // away for now: keep waiting within the budget
            throw .api(error)
        }
        _ = tracker.state.ingest(.queue(queue), now: Date())
        let present = Set((queue.running + queue.pending).map(\.promptID))
        for id in tracker.pending.sorted() {
            if present.contains(id) {
                tracker.seen.insert(id)
                tracker.misses[id] = 0
                continue
            }
            let item: HistoryItem?
            do {
                item = try await api.history(promptID: id)
            } catch {
                if error.isUnreachable { return }
                throw .api(error)
            }
            if let item {
                tracker.finish(id, item, onUpdate)
                continue
            }
            tracker.misses[id, default: 0] += 1
            guard tracker.misses[id, default: 0] >= 2 else { continue }
            let seen = tracker.seen.contains(id) || tracker.state.jobs[id]?.source == .own
            let outcome = Outcome(
                promptID: id, status: seen ? .vanished : .unknown, job: tracker.state.jobs[id],
                problem: seen
                    ? JobRunner.Failure.vanished(promptID: id).description
                    : "\(id) is not queued, running or in the history of \(api.endpoint.displayURL)")
            tracker.results[id] = outcome
            tracker.pending.remove(id)
            onUpdate(.finished(outcome))
        }
    }

    /// Waits (briefly) for the socket's greeting, so the events of the prompts queued next reach it.
    private static func waitForGreeting(
        _ pump: EventPump, seconds: Double, _ onUpdate: @Sendable (Update) -> Void
    ) async -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            let next = await pump.next(within: max(0.05, deadline.timeIntervalSinceNow))
            guard case .event(.connection(let change)) = next else {
                if case .event = next { continue }
                return false
            }
            onUpdate(.connection(change))
            switch change {
            case .connected: return true
            case .offline: return false
            // The stream retries by itself: a first attempt that fails (a busy server) is worth the rest of the wait.
            case .reconnecting, .connecting: continue
            }
        }
        return false
    }

    private func entry(_ id: String) async throws(JobRunner.Failure) -> HistoryItem? {
        do {
            return try await api.historyEntry(id, attempts: 10, backoffMS: 100)
        } catch {
            if error.isUnreachable { return nil }
            throw .api(error)
        }
    }

    struct Tracker {
        var state: MonitorState
        var pending: Set<String>
        var seen: Set<String> = []
        var misses: [String: Int] = [:]
        var results: [String: Outcome] = [:]

        mutating func finish(_ id: String, _ item: HistoryItem, _ onUpdate: @Sendable (Update) -> Void) {
            guard pending.contains(id) else { return }
            _ = state.ingest(.history(promptID: id, item), now: Date())
            let status: Status
            switch item.outcome {
            case .success: status = .success
            case .failed: status = .failed
            case .interrupted: status = .interrupted
            }
            let outcome = Outcome(promptID: id, status: status, job: state.jobs[id], item: item)
            results[id] = outcome
            pending.remove(id)
            onUpdate(.finished(outcome))
        }
    }
}
