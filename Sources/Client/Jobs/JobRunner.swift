import ComfyJSON
import Foundation

/// Submits a prompt and follows it to the end: the socket is opened before the post (so no event is missed),
/// completion is `executing {node: null}` for our prompt (not `execution_success`, which comes before the history
/// is written), then `/history/{id}` is read. Reconnects resync from `/history` and `/queue`; without a socket it
/// polls. Time limits are silence budgets on the wall clock, so a laptop that slept does not hang.
public struct JobRunner: Sendable {
    public let api: ComfyAPI
    public var clientID: String
    /// How long to wait for the socket before falling back to polling.
    public var socketWait: Double = 5
    /// Live preview frames of the job (`submit --wait --preview`), as they come; nil: not wanted.
    public var onPreview: (@Sendable (PreviewImage) -> Void)?
    /// Poll `/history` and `/queue` when nothing was heard for this long.
    public var silenceBudget: Double = 10
    /// Give up after this long in all (nil: never).
    public var timeout: Double?

    public init(api: ComfyAPI, clientID: String = EventStream.newClientID(), timeout: Double? = nil) {
        self.api = api
        self.clientID = clientID
        self.timeout = timeout
    }

    public enum Failure: Error, Sendable, Equatable, CustomStringConvertible {
        case timedOut(promptID: String, seconds: Double)
        case vanished(promptID: String)
        case api(ComfyError)

        public var description: String {
            switch self {
            case .timedOut(let id, let s):
                return
                    "gave up waiting for \(id) after \(ComfyError.format(s)) s (--timeout); it may still run on the server"
            case .vanished(let id):
                return
                    "\(id) left the queue without a history entry: it was deleted from the queue, or the server restarted"
            case .api(let e): return e.description
            }
        }
    }

    /// What happened, for the caller to print.
    public enum Update: Sendable {
        case accepted(PromptAccepted)
        case connection(ConnectionEvent)
        case progress(MonitorJob)
        case polling(reason: String)
    }

    /// Runs the job; `onUpdate` is called for every change. The job is followed with the monitor's own model
    /// (`MonitorState`), so `submit --wait` shows the same node states, timings and errors as the screen.
    public func run(
        prompt: JSONValue, front: Bool = false, extraData: JSONValue? = nil,
        onUpdate: @escaping @Sendable (Update) -> Void
    ) async throws(Failure) -> (MonitorJob, HistoryItem) {
        let stream = EventStream(endpoint: api.endpoint, clientID: clientID)
        let pump = EventPump()
        await pump.start(stream.events())
        defer { Task { await pump.stop() } }
        // Wait (briefly) for the greeting so our prompt's events reach us.
        let connected = await Self.waitForGreeting(pump, seconds: socketWait, onUpdate: onUpdate)
        if !connected { onUpdate(.polling(reason: "no WebSocket: following the job by polling /history")) }
        let accepted: PromptAccepted
        do {
            accepted = try await api.submit(prompt: prompt, clientID: clientID, front: front, extraData: extraData)
        } catch {
            throw .api(error)
        }
        onUpdate(.accepted(accepted))
        let id = accepted.promptID
        var state = MonitorState(serverURL: api.endpoint.displayURL, ownClientID: clientID)
        state.track(id, number: accepted.number, prompt: prompt, now: Date())
        let started = Date()
        while true {
            if let timeout, Date().timeIntervalSince(started) > timeout {
                throw .timedOut(promptID: id, seconds: timeout)
            }
            let next = await pump.next(within: connected ? silenceBudget : 1)
            var item: HistoryItem?
            switch next {
            case .event(.server(let event)):
                guard event.promptID == nil || event.promptID == id else { continue }
                if case .preview(let image) = event {
                    // Type 4 names our prompt; a type-1 frame on our socket is of the prompt we are running.
                    onPreview?(image)
                    continue
                }
                let effects = state.ingest(event, now: Date())
                if let job = state.jobs[id] { onUpdate(.progress(job)) }
                // `executing {node: null}` for our prompt: the history entry is written now.
                if effects.contains(.lookupHistory(id)) { item = try await entry(id, attempts: 10) }
            case .event(.connection(let change)):
                onUpdate(.connection(change))
                if case .connected = change { item = try await resync(id, &state) }
            case .silence, .ended:
                item = try await resync(id, &state)
                if item == nil, case .ended = next { try? await Task.sleep(for: .seconds(1)) }
            }
            if let item {
                _ = state.ingest(.history(promptID: id, item), now: Date())
                guard let job = state.jobs[id] else { continue }
                onUpdate(.progress(job))
                return (job, item)
            }
        }
    }

    /// After a gap: is the job in history (done), still queued (keep waiting), or gone (error)?
    private func resync(_ id: String, _ state: inout MonitorState) async throws(Failure) -> HistoryItem? {
        do {
            if let item = try await api.history(promptID: id) { return item }
            let queue = try await api.queue()
            if !(queue.running + queue.pending).contains(where: { $0.promptID == id }) {
                // It may have finished between the two reads.
                if let item = try await api.history(promptID: id) { return item }
                throw Failure.vanished(promptID: id)
            }
            _ = state.ingest(.queue(queue), now: Date())
            return nil
        } catch let error as Failure {
            throw error
        } catch let error as ComfyError {
            if error.isUnreachable { return nil }  // the server is away; keep waiting within the budget
            throw .api(error)
        } catch {
            return nil
        }
    }

    /// The entry, asked for a few times (it can lag the completion message); nil when it did not come.
    private func entry(_ id: String, attempts: Int) async throws(Failure) -> HistoryItem? {
        do {
            return try await api.historyEntry(id, attempts: attempts, backoffMS: 100)
        } catch {
            if error.isUnreachable { return nil }
            throw .api(error)
        }
    }

    private static func waitForGreeting(
        _ pump: EventPump, seconds: Double, onUpdate: @Sendable (Update) -> Void
    ) async -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            let next = await pump.next(within: max(0.05, deadline.timeIntervalSinceNow))
            guard case .event(let event) = next else { return false }
            if case .connection(let change) = event {
                onUpdate(.connection(change))
                if case .connected = change { return true }
                if case .reconnecting = change { return false }
                if case .offline = change { return false }
            }
        }
        return false
    }
}

/// Reads an event stream with a silence budget.
actor EventPump {
    enum Next: Sendable {
        case event(ClientEvent)
        case silence
        case ended
    }

    private var buffer: [ClientEvent] = []
    private var ended = false
    private var waiter: CheckedContinuation<Void, Never>?
    private var reader: Task<Void, Never>?
    private var waitID = 0

    func start(_ stream: AsyncStream<ClientEvent>) {
        reader = Task { [weak self] in
            for await event in stream {
                await self?.push(event)
            }
            await self?.finish()
        }
    }

    func stop() {
        reader?.cancel()
        reader = nil
    }

    private func push(_ event: ClientEvent) {
        buffer.append(event)
        waiter?.resume()
        waiter = nil
    }

    private func finish() {
        ended = true
        waiter?.resume()
        waiter = nil
    }

    /// The next event, or `.silence` after `seconds` (wall clock) without one.
    func next(within seconds: Double) async -> Next {
        if !buffer.isEmpty { return .event(buffer.removeFirst()) }
        if ended { return .ended }
        waitID += 1
        let id = waitID
        let timer = Task { [weak self] in
            try? await Task.sleep(for: .milliseconds(Int(seconds * 1000)))
            await self?.wakeForTimeout(id)
        }
        await withCheckedContinuation { waiter = $0 }
        timer.cancel()
        if !buffer.isEmpty { return .event(buffer.removeFirst()) }
        return ended ? .ended : .silence
    }

    private func wakeForTimeout(_ id: Int) {
        guard id == waitID else { return }
        waiter?.resume()
        waiter = nil
    }
}
