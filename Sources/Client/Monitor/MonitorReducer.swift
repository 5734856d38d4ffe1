import ComfyJSON
import Foundation

/// What feeds the monitor.
public enum MonitorInput: Sendable {
    case event(ServerEvent)
    case connection(ConnectionEvent)
    case queue(QueueSnapshot)
    /// The history entry of a job that left the queue (nil: it has none).
    case history(promptID: String, HistoryItem?)
    /// Recent history, to learn how long workflows take.
    case recentHistory([HistoryItem])
    case systemStats(SystemStats)
    /// Sizes of a job's output files (from `HEAD /view`), by `OutputFile.key`.
    case outputSizes(promptID: String, [String: Int])
}

/// IO the reducer asks for; results come back as inputs.
public enum MonitorEffect: Sendable, Equatable {
    case refreshQueue
    case lookupHistory(String)
    case subscribeLogs
    case fetchSizes(String, [OutputFile])
    /// Read the newest entries of `/history`: jobs that came and went between two queue reads are found there.
    case syncHistory
}

extension MonitorState {
    /// The same step in place (no copy of the state): for hot loops that own their state.
    public mutating func ingest(_ input: MonitorInput, now: Date) -> [MonitorEffect] {
        apply(input, now: now)
    }

    /// A server message, in place.
    public mutating func ingest(_ event: ServerEvent, now: Date) -> [MonitorEffect] {
        apply(event, now: now)
    }

    /// The pure step: the next state and the IO it needs.
    public func reduce(_ input: MonitorInput, now: Date) -> (MonitorState, [MonitorEffect]) {
        var next = self
        let effects = next.apply(input, now: now)
        return (next, effects)
    }

    mutating func apply(_ input: MonitorInput, now: Date) -> [MonitorEffect] {
        switch input {
        case .event(let event): return apply(event, now: now)
        case .connection(let change): return apply(change, now: now)
        case .queue(let snapshot): return apply(snapshot, now: now)
        case .history(let id, let item):
            finish(id, with: item, now: now)
            if let job = jobs[id], !job.outputs.isEmpty, job.outputSizes.isEmpty {
                return [.fetchSizes(id, job.outputs)]
            }
            return []
        case .outputSizes(let id, let sizes):
            jobs[id]?.outputSizes.merge(sizes) { _, new in new }
            return []
        case .recentHistory(let items):
            var effects: [MonitorEffect] = []
            for item in items {
                if let job = jobs[item.promptID] {
                    if job.state.isFinished { continue }
                } else if !ranWhileWatching(item) {
                    learn(from: item)
                    continue
                } else {
                    // It came and went between two queue reads: shown and kept like any job seen in the queue.
                    jobs[item.promptID] = MonitorJob(
                        id: item.promptID, number: item.queue?.number ?? 0, source: source(of: item.queue?.clientID),
                        clientID: item.queue?.clientID, prompt: item.queue?.prompt ?? .object([]), now: now)
                }
                finish(item.promptID, with: item, now: now)
                if let job = jobs[item.promptID], !job.outputs.isEmpty {
                    effects.append(.fetchSizes(job.id, job.outputs))
                }
            }
            return effects
        case .systemStats(let stats):
            version = stats.comfyUIVersion ?? version
            devices = stats.devices
            return []
        }
    }

    mutating func apply(_ change: ConnectionEvent, now: Date) -> [MonitorEffect] {
        switch change {
        case .connecting:
            if case .connected = connection {} else { connection = .connecting }
            return []
        case .connected(let sid):
            // Every connection after the first is a reconnect: the status before it is `.connecting` by then.
            let wasAway = connectedBefore
            connectedBefore = true
            connection = .connected(sid: sid)
            if wasAway { post("reconnected", .success, now: now) }
            // Resync: the queue, every job we thought was queued or running, and what ended while we were away.
            return wasAway ? [.refreshQueue, .subscribeLogs, .syncHistory] : [.refreshQueue, .subscribeLogs]
        case .reconnecting(let attempt, let delay, let reason):
            if case .connected = connection { post("connection lost: \(reason)", .error, now: now) }
            connection = .reconnecting(attempt: attempt, retryAt: now.addingTimeInterval(delay), reason: reason)
            return []
        case .offline(let reason):
            connection = .offline(reason: reason)
            post("offline: \(reason)", .error, now: now)
            return []
        }
    }

    /// Whether a history entry of a job never seen ended after this monitor began watching the queue.
    func ranWhileWatching(_ item: HistoryItem) -> Bool {
        guard let since = watchingSince, !learnedRuns.contains(item.promptID),
            let end = item.endDate
        else { return false }
        // The server's clock stamps the entry, ours the first read: a minute's grace for clocks that disagree.
        return end >= since.addingTimeInterval(-60)
    }

    mutating func apply(_ snapshot: QueueSnapshot, now: Date) -> [MonitorEffect] {
        let firstRead = queueReadAt == nil
        if firstRead { watchingSince = now }
        queueReadAt = now
        var present: Set<String> = []
        for (item, running) in snapshot.running.map({ ($0, true) }) + snapshot.pending.map({ ($0, false) }) {
            present.insert(item.promptID)
            if var job = jobs[item.promptID] {
                // Events arrived before this queue read: keep what they told, learn the graph and the number.
                if job.isPlaceholder {
                    job.number = item.number
                    job.adopt(graph: item.prompt)
                    jobs[item.promptID] = job
                }
            } else {
                jobs[item.promptID] = MonitorJob(
                    id: item.promptID, number: item.number, source: source(of: item.clientID), clientID: item.clientID,
                    prompt: item.prompt, now: now)
            }
        }
        var effects: [MonitorEffect] = []
        noteCreateTimes(snapshot)
        if let running = snapshot.running.first { effects += markRunning(running.promptID, now: now) }
        runningID = snapshot.running.first?.promptID
        pendingIDs = snapshot.pending.map(\.promptID)
        queueRemaining = snapshot.running.count + snapshot.pending.count
        // Every job we still think is queued or running but the queue no longer lists has ended: its history entry
        // says how. (Not only the ones of the last read: a job can start and end between two reads.)
        for (id, job) in jobs where !job.state.isFinished && !present.contains(id) {
            effects.append(.lookupHistory(id))
        }
        // A job can also come and go between two reads, unseen (a fully cached one sends nothing at all): recent
        // history names it. Read it at the first read (runs that ended just before the monitor started are the
        // user's too), when the queue drains after any activity, and when the queue's numbers skip one (the
        // server numbers every prompt it is sent; a skipped number is a prompt we never saw, or one it rejected).
        let numbers = (snapshot.running + snapshot.pending).map(\.number)
        var skipped = false
        if let highest = numbers.max() {
            if let seen = highestNumber, highest >= seen {
                skipped = Set(numbers.filter { $0 > seen }).count < Int(min(highest - seen, 1e6))
            }
            highestNumber = highest
        }
        // Drained: after activity, or while a job seen in an event or a read has not ended in the model (its
        // lookup may have found nothing yet, or failed): the history read that follows includes it.
        var drained = false
        if snapshot.isEmpty {
            let unsettled = askHistoryForUnsettledJobs()
            drained = busySinceSync || unsettled
        }
        if firstRead || skipped || drained { effects.append(.syncHistory) }
        // A read that was asked for before the newest broadcast of a busy queue (its answer raced the broadcast)
        // does not end the busy period: the read that broadcast asked for, or the next drain, syncs again.
        busySinceSync = !snapshot.isEmpty || announcedRemaining > 0
        return effects
    }

    /// Whether the model still thinks a job queued or running that no drain asked recent history for yet. Called
    /// when the queue reports empty: every such job has ended by then, so the read that follows includes it; each
    /// is noted, so one job asks once.
    mutating func askHistoryForUnsettledJobs() -> Bool {
        var asked = false
        for (id, job) in jobs where !job.state.isFinished && !historyAskedFor.contains(id) {
            historyAskedFor.insert(id)
            asked = true
        }
        if historyAskedFor.count > 10_000 { historyAskedFor = historyAskedFor.filter { jobs[$0] != nil } }
        return asked
    }

    /// A job this client just queued: known, with its graph, before any queue read names it.
    public mutating func track(_ id: String, number: Double, prompt: JSONValue, now: Date) {
        if var job = jobs[id] {
            job.number = number
            if job.isPlaceholder { job.adopt(graph: prompt) }
            jobs[id] = job
        } else {
            jobs[id] = MonitorJob(
                id: id, number: number, source: .own, clientID: ownClientID, prompt: prompt, now: now)
        }
        if jobs[id]?.state == .pending, runningID != id, !pendingIDs.contains(id) { pendingIDs.append(id) }
    }

    mutating func markRunning(_ id: String, now: Date) -> [MonitorEffect] {
        settle(id, JobChange(started: jobs[id]?.markRunning(now: now) == true))
    }

    /// A job left the queue: its history entry says how it ended; no entry means it was removed.
    mutating func finish(_ id: String, with item: HistoryItem?, now: Date) {
        guard var job = jobs[id] else {
            if let item { learn(from: item) }
            return
        }
        let wasFinished = job.state.isFinished
        if let item {
            learn(from: item)
            job.reconcile(with: item, now: now)
        } else if !wasFinished {
            job.state = job.state == .running ? .interrupted : .removed
            job.currentNode = nil
        }
        job.endedAt = job.endedAt ?? now
        job.lingerUntil = job.lingerUntil ?? now.addingTimeInterval(Self.linger)
        jobs[id] = job
        if runningID == id { runningID = nil }
        pendingIDs.removeAll { $0 == id }
        finishedIDs.removeAll { $0 == id }
        finishedIDs.insert(id, at: 0)
        if finishedIDs.count > Self.maxFinished {
            for old in finishedIDs[Self.maxFinished...] { jobs[old] = nil }
            finishedIDs.removeLast(finishedIDs.count - Self.maxFinished)
        }
        if !wasFinished { announce(job, now: now) }
    }

    mutating func announce(_ job: MonitorJob, now: Date) {
        let who = job.source == .own ? "" : " (\(job.source.rawValue))"
        let short = String(job.id.prefix(8))
        let took = job.elapsed(now: now).map { " in " + MonitorFormat.duration($0) } ?? ""
        switch job.state {
        case .success: post("done \(short)\(who)\(took), \(job.outputs.count) output(s)", .success, now: now)
        case .failed: post("failed \(short)\(who): \(job.error?.summary ?? "no error recorded")", .error, now: now)
        case .interrupted: post("interrupted \(short)\(who)", .warning, now: now)
        case .removed: post("removed from the queue: \(short)\(who)", .info, now: now)
        default: break
        }
    }

    /// Remembers how long the workflow and each node class took.
    mutating func learn(from item: HistoryItem) {
        if learnedRuns.count > 10_000 { learnedRuns.removeAll() }
        guard learnedRuns.insert(item.promptID).inserted else { return }
        guard item.outcome == .success, let start = item.startedAt, let end = item.endedAt, end > start,
            let prompt = item.queue?.prompt
        else { return }
        let signature = MonitorJob.signature(prompt)
        var list = workflowSeconds[signature] ?? []
        list.append((Double(end) - Double(start)) / 1000)
        workflowSeconds[signature] = Array(list.suffix(10))
    }

    mutating func learnNode(_ node: MonitorNode) {
        guard let start = node.startedAt, let end = node.endedAt, node.state == .done else { return }
        var list = classSeconds[node.classType] ?? []
        list.append(end.timeIntervalSince(start))
        classSeconds[node.classType] = Array(list.suffix(20))
    }
}
