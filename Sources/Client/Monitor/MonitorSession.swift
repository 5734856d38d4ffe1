import ComfyJSON
import Foundation
import NIOCore
import NIOPosix

/// Runs the monitor's IO: one WebSocket with our own clientId, queue reads on every `status` broadcast (and
/// every few seconds), history lookups for jobs that leave the queue, `/system_stats` slowly, the server log
/// for foreign jobs' steps. Every result goes through `reduce`; each new state is handed to `onState`.
public actor MonitorSession {
    public let api: ComfyAPI
    let stream: EventStream
    public internal(set) var state: MonitorState
    var onState: @Sendable (MonitorState) -> Void = { _ in }
    /// The event loop the session runs on (its actor's executor): its socket is read on that loop's thread and every
    /// message is applied there at once, with no thread hop or task in between (B3, B8).
    public nonisolated let loop: any EventLoop
    public nonisolated var unownedExecutor: UnownedSerialExecutor { loop.executor.asUnownedSerialExecutor() }
    /// The state changed since it was last handed on to `onState`.
    private var unsent = false
    /// The last message of the socket's last read was a `progress_state` (held back for its step's `progress`).
    private var endsWithProgressState = false
    /// A hand-off of a held-back `progress_state` is scheduled (see `readComplete`).
    private var heldBackHandOff = false
    private var queueReadInFlight = false
    private var queueReadAgain = false
    private var lookups: Set<String> = []
    /// Lookups asked for again while one for the same job was under way (see `lookup`).
    private var lookupAgain: Set<String> = []
    private var historyReadInFlight = false
    /// The depth of the history read still to do (0: none).
    private var historyReadDepth = 0
    /// Runs already written to the store by this session.
    private var recorded: Set<String> = []
    /// The store's writes, in order, off the event loop: SQLite waits up to its busy timeout (15 s) while another
    /// process writes, and the loop reads every socket of a fleet.
    private nonisolated let storeWrites = DispatchQueue(label: "comfytop.store-writes")

    /// Where finished runs are recorded (nil: not recorded).
    public nonisolated let store: LocalHistory?
    /// The newest live preview frame of recent prompts (the state holds only marks).
    public nonisolated let previews = LivePreviews()

    /// Read 200 entries of history at the start, to learn how long workflows take (for the ETA).
    let learnsFromHistory: Bool
    /// The timer's reads of the queue and of recent history, a safety net under the reads that broadcasts, events and
    /// queue reads trigger. Tests turn them off to show that the triggered reads alone find every job.
    let periodicReads: Bool

    public init(
        api: ComfyAPI, clientID: String = EventStream.newClientID(), store: LocalHistory? = nil,
        learnsFromHistory: Bool = true, periodicReads: Bool = true, loop: (any EventLoop)? = nil
    ) {
        self.loop = loop ?? MultiThreadedEventLoopGroup.singleton.next()
        self.api = api
        self.store = store
        self.learnsFromHistory = learnsFromHistory
        self.periodicReads = periodicReads
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
                    if self.periodicReads { await self.refreshQueue() }
                    await self.refreshStats()
                    // A safety net under the triggered reads: the newest few entries, for a job that came and went
                    // between two queue reads without any trigger noticing (a handful of entries is cheap).
                    if self.periodicReads { await self.syncHistory(depth: 8) }
                }
            }
        }
        defer { timers.cancel() }
        Task { [weak self, learnsFromHistory] in
            await self?.refreshStats()
            if learnsFromHistory { await self?.seedHistory() }
        }
        // Each message is applied on the loop that read it, and the state is handed on once a read (see `receive`).
        await stream.run(on: loop) { [weak self] event in
            self?.assumeIsolated { $0.receive(event) }
        } readComplete: { [weak self] in
            self?.assumeIsolated { $0.readComplete() }
        }
        await storeWritten()
    }

    var isActive: Bool { state.runningID != nil || !state.pendingIDs.isEmpty }

    /// Applies an input (a read's answer, an action's) and hands the state on at once. (The socket's messages come
    /// through `receive`, and are handed on once a read.)
    public func input(_ input: MonitorInput) {
        apply(input)
        handOn()
    }

    /// A message from the socket, on the loop that read it: applied now, handed on at the end of the read.
    func receive(_ event: ClientEvent) {
        switch event {
        case .connection(let change):
            apply(.connection(change))
            endsWithProgressState = false
            // Connection changes do not come with a read (connecting, reconnecting): hand them on now.
            handOn()
        case .server(let message):
            apply(.event(message))
            if case .progressState = message { endsWithProgressState = true } else { endsWithProgressState = false }
        }
    }

    /// The end of one read from the socket: the state goes out once for all it brought (the screen wakes once a
    /// read, B3). A sampler step is a `progress_state` and then a `progress`, back to back: a read that ends
    /// between the two waits for the `progress`, but only for `heldBackLimit`. A `progress_state` may be the last
    /// message for a long while: an anonymous job's node start (no `executing` follows, protocol §6.6) before a
    /// model load or a VAE decode, or any node start of another client's job on v0.3.45–0.3.57.
    func readComplete() {
        guard endsWithProgressState else { return handOn() }
        guard unsent, !heldBackHandOff else { return }
        heldBackHandOff = true
        loop.scheduleTask(in: Self.heldBackLimit) { [weak self] in
            self?.assumeIsolated { session in
                session.heldBackHandOff = false
                session.handOn()
            }
        }
    }

    /// How long a read's `progress_state` waits for its step's `progress`: about one frame.
    static let heldBackLimit = TimeAmount.milliseconds(30)

    private func handOn() {
        guard unsent else { return }
        unsent = false
        onState(state)
    }

    /// Applies an input and runs the effects it asks for.
    private func apply(_ input: MonitorInput) {
        let effects: [MonitorEffect]
        let changed: Bool
        switch input {
        case .event(.preview(let image)):
            // The bytes go to `previews` (the newest frame replaces the last); the state only notes a mark.
            let target = state.previewTarget(of: image)
            let seq = target.map { previews.put(image, for: $0, now: Date()) } ?? 0
            state.notePreview(of: target, seq: seq, nodeID: image.nodeID, now: Date())
            effects = []
            changed = true
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
        unsent = unsent || changed
        switch input {
        case .history(_, let item): record(entries: item.map { [$0] } ?? [])
        case .recentHistory(let items): record(entries: items)
        default: break
        }
        for effect in effects { run(effect) }
    }

    /// Keeps every run that ended in the store: jobs this monitor followed, with what it saw of them (node
    /// timings, source) and their history entry where the server has one; and entries of runs it never saw
    /// (they ended before it started, or between two queue reads).
    private func record(entries: [HistoryItem]) {
        guard let store else { return }
        let server = api.endpoint.displayURL
        var records: [RunRecord] = []
        for id in state.finishedIDs where !recorded.contains(id) {
            guard let job = state.jobs[id] else { continue }
            let item = entries.first { $0.promptID == id }
            // A job that ended without an entry is kept once no entry can come (it was removed, or lost).
            if let record = RunRecord(server: server, job: job, item: item) {
                records.append(record)
                recorded.insert(id)
            }
        }
        let own: Set<String> = [stream.clientID]
        for item in entries where state.jobs[item.promptID] == nil && !recorded.contains(item.promptID) {
            if let record = RunRecord(server: server, item: item, ownClientIDs: own) {
                records.append(record)
                recorded.insert(item.promptID)
            }
        }
        if recorded.count > 20_000 { recorded = Set(state.finishedIDs) }
        guard !records.isEmpty else { return }
        storeWrites.async { [weak self, records] in
            do throws(ComfyError) {
                try store.upsert(records)
            } catch {
                guard let self else { return }
                self.loop.execute { self.assumeIsolated { $0.storeFailed(error) } }
            }
        }
    }

    private func storeFailed(_ error: ComfyError) {
        state.post("cannot record finished runs: \(error.description)", .error, now: Date())
        unsent = true
        handOn()
    }

    /// Waits until every run handed to the store so far is written (before the process exits).
    public nonisolated func storeWritten() async {
        await withCheckedContinuation { done in storeWrites.async { done.resume() } }
    }

    private func run(_ effect: MonitorEffect) {
        switch effect {
        case .refreshQueue: Task { await refreshQueue() }
        case .lookupHistory(let id):
            guard !lookups.contains(id) else {
                lookupAgain.insert(id)
                return
            }
            lookups.insert(id)
            Task { await lookup(id) }
        case .syncHistory: Task { await syncHistory() }
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

    /// The newest history entries, one read at a time (a request during a read schedules one more).
    func syncHistory(depth: Int = syncDepth) async {
        // A read asked for during another is done after it, as deep as the deepest request.
        historyReadDepth = max(historyReadDepth, depth)
        if historyReadInFlight { return }
        historyReadInFlight = true
        while historyReadDepth > 0 {
            let next = historyReadDepth
            historyReadDepth = 0
            if let items = try? await api.history(maxItems: next) { input(.recentHistory(items)) }
        }
        historyReadInFlight = false
    }

    /// How many of the newest history entries a sync reads: more than can come and go between two queue reads.
    static let syncDepth = 32

    func refreshStats() async {
        if let stats = try? await api.systemStats() { input(.systemStats(stats)) }
    }

    func seedHistory() async {
        if let items = try? await api.history(maxItems: 200) { input(.recentHistory(items)) }
    }

    /// A job's history entry. A lookup asked for while one is under way runs after it when that one found no
    /// entry: it was asked for later (a newer queue read no longer lists the job), and only the later answer may
    /// say the job has none (removed, or lost to a restart).
    func lookup(_ id: String) async {
        defer {
            lookups.remove(id)
            lookupAgain.remove(id)
        }
        // Once more at most: a job that truly has no entry is not looked up for as long as the queue stays busy.
        for round in 0..<2 {
            lookupAgain.remove(id)
            do {
                // The later request came after the job left the queue, when its entry was written: one read.
                let item = try await api.historyEntry(id, attempts: round == 0 ? 5 : 1)
                if item == nil, round == 0, lookupAgain.contains(id) { continue }
                input(.history(promptID: id, item))
            } catch {
                // No verdict while the server cannot answer (a restart, a dropped network): the queue read after the
                // reconnect asks again.
            }
            return
        }
    }
}
