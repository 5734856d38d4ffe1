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
            for item in items { learn(from: item) }
            return []
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
            let wasAway: Bool
            if case .reconnecting = connection { wasAway = true } else { wasAway = false }
            connection = .connected(sid: sid)
            if wasAway { post("reconnected", .success, now: now) }
            // Resync: the queue, and every job we thought was queued or running.
            return [.refreshQueue, .subscribeLogs]
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

    mutating func apply(_ snapshot: QueueSnapshot, now: Date) -> [MonitorEffect] {
        queueReadAt = now
        var effects: [MonitorEffect] = []
        var present: Set<String> = []
        for (item, running) in snapshot.running.map({ ($0, true) }) + snapshot.pending.map({ ($0, false) }) {
            present.insert(item.promptID)
            if jobs[item.promptID] == nil || jobs[item.promptID]?.isPlaceholder == true {
                var job = MonitorJob(
                    id: item.promptID, number: item.number, source: source(of: item.clientID), clientID: item.clientID,
                    prompt: item.prompt, now: now)
                if let placeholder = jobs[item.promptID] {
                    // Events arrived before this queue read: keep what they told.
                    for node in placeholder.nodes where node.state != .pending {
                        job.updateNode(node.id) { n in
                            let keep = (n.classType, n.title)
                            n = node
                            (n.classType, n.title) = keep
                        }
                    }
                    job.currentNode = placeholder.currentNode
                    job.state = placeholder.state
                    job.startedAt = placeholder.startedAt
                    job.firstSeen = placeholder.firstSeen
                    job.outputs = placeholder.outputs
                }
                jobs[item.promptID] = job
            }
            if running { markRunning(item.promptID, now: now) }
        }
        let previouslyActive = ([runningID].compactMap { $0 } + pendingIDs)
        runningID = snapshot.running.first?.promptID
        pendingIDs = snapshot.pending.map(\.promptID)
        queueRemaining = snapshot.running.count + snapshot.pending.count
        for id in previouslyActive where !present.contains(id) {
            if let job = jobs[id], !job.state.isFinished { effects.append(.lookupHistory(id)) }
        }
        return effects
    }

    mutating func markRunning(_ id: String, now: Date) {
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
            switch item.outcome {
            case .success: job.state = .success
            case .failed: job.state = .failed
            case .interrupted: job.state = .interrupted
            }
            job.outputs = item.outputs
            job.error = item.error ?? job.error
            if let start = item.startedAt { job.startedAt = Date(timeIntervalSince1970: Double(start) / 1000) }
            if let end = item.endedAt { job.endedAt = Date(timeIntervalSince1970: Double(end) / 1000) }
            for index in job.nodes.indices where job.nodes[index].state == .running {
                job.nodes[index].state = job.state == .success ? .done : .failed
                job.nodes[index].endedAt = job.nodes[index].endedAt ?? now
            }
            if job.state == .success {
                for index in job.nodes.indices where job.nodes[index].state == .unknown {
                    job.nodes[index].state = .done
                }
            }
            if let node = job.error?.nodeID { job.updateNode(node) { $0.state = .failed } }
        } else {
            job.state = job.state == .running ? .interrupted : .removed
        }
        job.endedAt = job.endedAt ?? now
        job.currentNode = nil
        job.lingerUntil = now.addingTimeInterval(Self.linger)
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
        case .failed:
            let e = job.error
            let detail =
                e.map {
                    "node \($0.nodeID ?? "?") \($0.nodeType ?? "?"): \($0.exceptionMessage.trimmingCharacters(in: .whitespacesAndNewlines))"
                } ?? ""
            post("failed \(short)\(who): \(detail)", .error, now: now)
        case .interrupted: post("interrupted \(short)\(who)", .warning, now: now)
        case .removed: post("removed from the queue: \(short)\(who)", .info, now: now)
        default: break
        }
    }

    /// Remembers how long the workflow and each node class took.
    mutating func learn(from item: HistoryItem) {
        guard item.outcome == .success, let start = item.startedAt, let end = item.endedAt, end > start,
            let prompt = item.queue?.prompt
        else { return }
        let signature = MonitorJob.signature(prompt)
        var list = workflowSeconds[signature] ?? []
        list.append(Double(end - start) / 1000)
        workflowSeconds[signature] = Array(list.suffix(10))
    }

    mutating func learnNode(_ node: MonitorNode) {
        guard let start = node.startedAt, let end = node.endedAt, node.state == .done else { return }
        var list = classSeconds[node.classType] ?? []
        list.append(end.timeIntervalSince(start))
        classSeconds[node.classType] = Array(list.suffix(20))
    }
}
