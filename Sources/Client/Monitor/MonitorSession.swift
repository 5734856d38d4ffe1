import ComfyJSON
import Foundation

/// Runs the monitor's IO: one WebSocket with our own clientId, queue reads on every `status` broadcast (and
/// every few seconds), history lookups for jobs that leave the queue, `/system_stats` slowly, the server log
/// for foreign jobs' steps. Every result goes through `reduce`; each new state is handed to `onState`.
public actor MonitorSession {
    public let api: ComfyAPI
    let stream: EventStream
    public private(set) var state: MonitorState
    private var onState: @Sendable (MonitorState) -> Void = { _ in }
    private var queueReadInFlight = false
    private var queueReadAgain = false
    private var lookups: Set<String> = []

    public init(api: ComfyAPI, clientID: String = EventStream.newClientID()) {
        self.api = api
        stream = EventStream(endpoint: api.endpoint, clientID: clientID)
        state = MonitorState(serverURL: api.endpoint.displayURL, ownClientID: clientID)
    }

    public var clientID: String { stream.clientID }

    /// Runs until the task is cancelled.
    public func run(onState: @escaping @Sendable (MonitorState) -> Void) async {
        self.onState = onState
        onState(state)
        let timers = Task { [weak self] in
            var tick = 0
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(1))
                tick += 1
                await self?.input(.tick)
                if tick % 5 == 0 {
                    await self?.refreshQueue()
                    await self?.refreshStats()
                }
            }
        }
        defer { timers.cancel() }
        Task { [weak self] in
            await self?.refreshStats()
            await self?.seedHistory()
        }
        for await event in stream.events() {
            if Task.isCancelled { break }
            switch event {
            case .connection(let change): input(.connection(change))
            case .server(let message): input(.event(message))
            }
        }
    }

    /// Applies an input and runs the effects it asks for.
    public func input(_ input: MonitorInput) {
        let (next, effects) = state.reduce(input, now: Date())
        let changed = next != state
        state = next
        if changed
            || {
                if case .tick = input { return true }
                return false
            }()
        {
            onState(state)
        }
        for effect in effects { run(effect) }
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
        if let items = try? await api.history(maxItems: 50) { input(.recentHistory(items)) }
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

    // MARK: Actions from the screen

    public func interrupt(_ id: String) async -> String {
        do {
            try await api.interrupt(promptID: id)
            return "interrupt sent for \(id.prefix(8))"
        } catch {
            return "interrupt failed: \(error.description)"
        }
    }

    public func cancel(_ id: String) async -> String {
        do {
            try await api.deleteFromQueue([id])
            await refreshQueue()
            return "removed \(id.prefix(8)) from the queue"
        } catch {
            return "cancel failed: \(error.description)"
        }
    }

    public func download(_ id: String, to directory: URL) async -> String {
        do {
            guard let item = try await api.history(promptID: id) else {
                return "no finished job \(id.prefix(8)) in history"
            }
            let (saved, refused) = try await Downloader(api: api, directory: directory).download(item)
            if saved.isEmpty, refused.isEmpty { return "\(id.prefix(8)) has no output files" }
            let where_ = saved.first.map { ($0.path as NSString).deletingLastPathComponent } ?? directory.path
            return "saved \(saved.count) file(s) to \(where_)"
                + (refused.isEmpty ? "" : "; refused \(refused.count) unsafe name(s)")
        } catch {
            return "download failed: \(error.description)"
        }
    }

    /// A message from an action, shown on the message line.
    public func note(_ text: String, level: MonitorState.Message.Level) {
        state.post(text, level, now: Date())
        onState(state)
    }
}
