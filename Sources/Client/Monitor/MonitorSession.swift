import ComfyJSON
import Foundation

/// Runs the monitor's IO: one WebSocket with our own clientId, queue reads on every `status` broadcast (and
/// every few seconds), history lookups for jobs that leave the queue, `/system_stats` slowly, the server log
/// for foreign jobs' steps. Every result goes through `reduce`; each new state is handed to `onState`.
public actor MonitorSession {
    public let api: ComfyAPI
    let stream: EventStream
    public internal(set) var state: MonitorState
    var onState: @Sendable (MonitorState) -> Void = { _ in }
    private var queueReadInFlight = false
    private var queueReadAgain = false
    private var lookups: Set<String> = []

    /// Where finished runs are recorded (nil: not recorded).
    public nonisolated let store: LocalHistory?

    public init(api: ComfyAPI, clientID: String = EventStream.newClientID(), store: LocalHistory? = nil) {
        self.api = api
        self.store = store
        stream = EventStream(endpoint: api.endpoint, clientID: clientID)
        state = MonitorState(serverURL: api.endpoint.displayURL, ownClientID: clientID)
    }

    public var clientID: String { stream.clientID }

    /// Runs until the task is cancelled.
    public func run(onState: @escaping @Sendable (MonitorState) -> Void) async {
        self.onState = onState
        onState(state)
        // The queue and device stats are read again every 5 s while anything is queued or running, every 30 s
        // otherwise: queue changes are announced by `status` broadcasts, so this is only a safety net (and an idle
        // monitor should cost nothing). The screen keeps its clocks itself.
        let timers = Task { [weak self] in
            var idleRounds = 0
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(5))
                guard let self else { return }
                let active = await self.isActive
                idleRounds = active ? 0 : idleRounds + 1
                if active || idleRounds % 6 == 0 {
                    await self.refreshQueue()
                    await self.refreshStats()
                }
            }
        }
        defer { timers.cancel() }
        Task { [weak self] in
            await self?.refreshStats()
            await self?.seedHistory()
        }
        // Each message is handled by the task that read it (no queue, one thread hop fewer per message).
        await stream.run { [weak self] event in
            switch event {
            case .connection(let change): await self?.input(.connection(change))
            case .server(let message): await self?.input(.event(message))
            }
        }
    }

    var isActive: Bool { state.runningID != nil || !state.pendingIDs.isEmpty }

    /// Applies an input and runs the effects it asks for.
    public func input(_ input: MonitorInput) {
        if case .history(let id, let item?) = input { record(id, item) }
        let effects: [MonitorEffect]
        let changed: Bool
        switch input {
        case .event(.progress), .event(.progressState), .event(.executing):
            // The stream of a run: changed in place, without a copy of the state or a comparison with it.
            effects = state.ingest(input, now: Date())
            changed = true
        default:
            let next: MonitorState
            (next, effects) = state.reduce(input, now: Date())
            changed = next != state
            state = next
        }
        if changed { onState(state) }
        for effect in effects { run(effect) }
    }

    /// Records a finished run with the node timings this monitor saw.
    private func record(_ id: String, _ item: HistoryItem) {
        guard let store else { return }
        let job = state.jobs[id]
        var timings: [String: Double] = [:]
        for node in job?.nodes ?? [] {
            if let start = node.startedAt, let end = node.endedAt { timings[node.id] = end.timeIntervalSince(start) }
        }
        let source = job?.source.rawValue ?? HistoryImporter.source(item, ownClientIDs: [stream.clientID])
        try? store.upsert([RunRecord(server: api.endpoint.displayURL, item: item, source: source, nodeSeconds: timings)]
        )
    }

    /// Records recent server history too, so the store fills up from the monitor alone.
    private func recordRecent(_ items: [HistoryItem]) {
        guard let store else { return }
        let own: Set<String> = [stream.clientID]
        try? store.upsert(
            items.map {
                RunRecord(
                    server: api.endpoint.displayURL, item: $0, source: HistoryImporter.source($0, ownClientIDs: own))
            })
    }

    private func run(_ effect: MonitorEffect) {
        switch effect {
        case .refreshQueue: Task { await refreshQueue() }
        case .lookupHistory(let id):
            guard !lookups.contains(id) else { return }
            lookups.insert(id)
            Task { await lookup(id) }
        case .fetchSizes(let id, let files):
            Task {
                var sizes: [String: Int] = [:]
                for file in files.prefix(50) {
                    if let size = try? await api.fileSize(file) { sizes[file.key] = size }
                }
                if !sizes.isEmpty { input(.outputSizes(promptID: id, sizes)) }
            }
        case .subscribeLogs:
            let id = stream.clientID
            Task { try? await api.subscribeLogs(clientID: id, enabled: true) }
        }
    }

    /// One queue read at a time; a request during a read schedules exactly one more.
    func refreshQueue() async {
        if queueReadInFlight {
            queueReadAgain = true
            return
        }
        queueReadInFlight = true
        repeat {
            queueReadAgain = false
            if let snapshot = try? await api.queue() { input(.queue(snapshot)) }
        } while queueReadAgain
        queueReadInFlight = false
    }

    func refreshStats() async {
        if let stats = try? await api.systemStats() { input(.systemStats(stats)) }
    }

    func seedHistory() async {
        if let items = try? await api.history(maxItems: 200) {
            recordRecent(items)
            input(.recentHistory(items))
        }
    }

    func lookup(_ id: String) async {
        defer { lookups.remove(id) }
        for attempt in 0..<5 {
            do {
                let item = try await api.history(promptID: id)
                if item != nil || attempt == 4 {
                    input(.history(promptID: id, item))
                    return
                }
            } catch {
                if !error.isUnreachable { return }
            }
            try? await Task.sleep(for: .milliseconds(200 * (attempt + 1)))
        }
    }
}
