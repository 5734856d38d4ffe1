import ComfyJSON
import Foundation

extension MonitorState {
    /// A server message: `status` asks for a queue read; per-prompt events update that job's nodes.
    /// The frequent events (`progress`, `progress_state`, `executing`) find their job once and change it in place.
    mutating func apply(_ event: ServerEvent, now: Date) -> [MonitorEffect] {
        switch event {
        case .status(let remaining, _):
            queueRemaining = remaining
            announcedRemaining = remaining
            if remaining > 0 { busySinceSync = true }
            // The server broadcasts `status` after it wrote a finished job's history entry (`task_done`): 0 after
            // activity is a drained queue, whatever the queue read it asks for answers (an earlier read can answer
            // after it, a coalesced one later, a failed one never). Recent history is read now, once.
            guard remaining == 0 else { return [.refreshQueue] }
            let unsettled = askHistoryForUnsettledJobs()
            guard busySinceSync || unsettled else { return [.refreshQueue] }
            busySinceSync = false
            return [.refreshQueue, .syncHistory]
        case .executionStart(let id, _):
            return settle(id, withJob(id, now: now, own: true) { JobChange(started: $0.markRunning(now: now)) })
        case .executionCached(let id, let nodes, _):
            withJob(id, now: now, own: true) { job in
                for node in nodes {
                    job.ensureNode(node)
                    job.updateNode(node) { $0.state = .cached }
                }
            }
        case .executing(let id, let node, _):
            guard let id = id ?? runningID else { return [] }
            var done = false
            let change = withJob(id, now: now, own: true) { job -> JobChange in
                var change = JobChange()
                if let node { job.ensureNode(node) }
                // progress_state may already have made this node current: only a different node ends the current one.
                if job.currentNode != node, let learned = job.finishCurrentNode(now: now) { change.learned = [learned] }
                if let node {
                    change.started = job.markRunning(now: now)
                    job.currentNode = node
                    job.updateNode(node) { n in
                        n.state = .running
                        n.startedAt = n.startedAt ?? now
                    }
                } else {
                    done = !job.state.isFinished
                }
                return change
            }
            // Done: the history entry is written now.
            return settle(id, change) + (done ? [.lookupHistory(id)] : [])
        case .progress(let id, let node, let value, let max):
            guard let id = id ?? runningID, let node = node ?? jobs[id]?.currentNode else { return [] }
            let change = withJob(id, now: now, own: false) { job -> JobChange in
                let started = job.markRunning(now: now)
                if let index = job.nodeIndex(node) { job.step(at: index, value: value, max: max, now: now) }
                return JobChange(started: started)
            }
            return settle(id, change)
        case .progressState(let id, let entries):
            let change = withJob(id, now: now, own: false) { job in job.apply(entries, now: now) }
            return settle(id, change)
        case .executed(let id, let node, _, let output):
            if let output { jobs[id]?.outputs.append(contentsOf: OutputFile.list(nodeID: node, ui: output)) }
        case .executionSuccess(let id, _):
            return settle(id, JobChange(learned: jobs[id]?.finishCurrentNode(now: now).map { [$0] } ?? []))
        case .executionError(let info):
            jobs[info.promptID]?.error = info
            if let node = info.nodeID { jobs[info.promptID]?.updateNode(node) { $0.state = .failed } }
            jobs[info.promptID]?.currentNode = nil
        case .executionInterrupted(let id, let node, _, _, _):
            if let node { jobs[id]?.updateNode(node) { $0.state = .failed } }
            jobs[id]?.currentNode = nil
            // Anonymous prompts never get `executing {node: null}`: look the result up once it is written.
            if jobs[id]?.source != .own { return [.refreshQueue, .lookupHistory(id)] }
        case .progressText(let node, let text):
            applyProgressText(nodeID: node, text: text)
        case .logs(let entries):
            guard let id = runningID, jobs[id]?.source == .foreign else { return [] }
            for entry in entries {
                if let step = TqdmParser.parse(entry.message) { jobs[id]?.logStep = step }
            }
        default:
            break
        }
        return []
    }

    /// What changing one job means for the rest of the state.
    struct JobChange {
        /// The job went from pending to running.
        var started = false
        /// Nodes that finished while we watched, for the class timings.
        var learned: [MonitorNode] = []
    }

    /// Changes a job in place with one lookup. Events can arrive before the queue was read: a missing job
    /// becomes a placeholder the next queue read fills in. Only our own prompts send `execution_*`/`executing`;
    /// broadcast progress means an anonymous prompt.
    @discardableResult
    mutating func withJob<R>(_ id: String, now: Date, own: Bool, _ body: (inout MonitorJob) -> R) -> R {
        let index: [String: MonitorJob].Index
        if let cached = recentJob.index, let recent = recentJob.id, sameID(recent, id) {
            index = cached
        } else if let found = jobs.index(forKey: id) {
            index = found
        } else {
            var job = MonitorJob(
                id: id, number: 0, source: own ? .own : .anonymous, clientID: own ? ownClientID : nil,
                prompt: .object([]), now: now)
            job.isPlaceholder = true
            jobs[id] = job
            guard let inserted = jobs.index(forKey: id) else { return body(&job) }
            index = inserted
        }
        let result = body(&jobs.values[index])
        // In-place changes keep every index valid (they also ran `didSet`, which dropped the cache).
        recentJob = JobIndexCache(id: id, index: index)
        return result
    }

    /// Applies what `withJob` reported: a job that started is the running one; finished nodes teach timings.
    /// The server runs one prompt at a time, so a job that starts ends the one we saw running before: its
    /// history entry is looked up now (anonymous and foreign jobs send no `executing {node: null}`, and the next
    /// queue read would no longer name it).
    mutating func settle(_ id: String, _ change: JobChange) -> [MonitorEffect] {
        var effects: [MonitorEffect] = []
        if change.started {
            if let previous = runningID, !sameID(previous, id), let job = jobs[previous], !job.state.isFinished {
                effects.append(.lookupHistory(previous))
            }
            runningID = id
            pendingIDs.removeAll { $0 == id }
        }
        for node in change.learned { learnNode(node) }
        return effects
    }
}

extension MonitorJob {
    /// Pending → running. True when it changed.
    mutating func markRunning(now: Date) -> Bool {
        guard state == .pending else { return false }
        state = .running
        startedAt = startedAt ?? now
        return true
    }

    /// A placeholder job learns its nodes from the events that name them.
    mutating func ensureNode(_ node: String) { _ = nodeIndex(node) }

    /// Where a node is; a placeholder job adds the nodes events name (nil: a known graph without that node).
    mutating func nodeIndex(_ node: String) -> Int? {
        if let index = nodes.firstIndex(where: { sameID($0.id, node) }) { return index }
        guard isPlaceholder else { return nil }
        nodes.append(MonitorNode(id: node, classType: "?", title: "node", state: .pending))
        return nodes.count - 1
    }

    mutating func step(at index: Int, value: Double, max: Double, now: Date) {
        if nodes[index].value != value {
            nodes[index].stepTimes.append(now)
            if nodes[index].stepTimes.count > 12 { nodes[index].stepTimes.removeFirst() }
        }
        nodes[index].value = value
        nodes[index].max = max
        if nodes[index].state == .pending || nodes[index].state == .unknown { nodes[index].state = .running }
        if nodes[index].startedAt == nil { nodes[index].startedAt = now }
    }

    /// Ends the current node; returns it when it was running (its time is worth learning).
    mutating func finishCurrentNode(now: Date) -> MonitorNode? {
        guard let current = currentNode else { return nil }
        currentNode = nil
        guard let index = nodes.firstIndex(where: { sameID($0.id, current) }), nodes[index].state == .running else {
            return nil
        }
        nodes[index].state = .done
        nodes[index].endedAt = now
        if nodes[index].max != nil { nodes[index].value = nodes[index].max }
        return nodes[index]
    }

    /// One `progress_state`: every node's state and steps.
    mutating func apply(_ entries: [NodeProgress], now: Date) -> MonitorState.JobChange {
        var change = MonitorState.JobChange(started: markRunning(now: now))
        for k in entries.indices {
            let entry = entries[k]
            guard let index = nodeIndex(entry.nodeID) else { continue }
            if nodes[index].activity != entry.activity { nodes[index].activity = entry.activity }
            if entry.state == .finished {
                let wasRunning = nodes[index].state == .running
                if nodes[index].state != .cached { nodes[index].state = .done }
                nodes[index].endedAt = nodes[index].endedAt ?? now
                if nodes[index].max != nil { nodes[index].value = nodes[index].max }
                if wasRunning { change.learned.append(nodes[index]) }
                if let current = currentNode, sameID(current, entry.nodeID) { currentNode = nil }
            } else {
                if nodes[index].state == .pending || nodes[index].state == .unknown {
                    nodes[index].state = .running
                    nodes[index].startedAt = nodes[index].startedAt ?? now
                    // Anonymous prompts get no `executing`: the running node of progress_state is the current one.
                    currentNode = entry.nodeID
                }
                if entry.max > 1 { step(at: index, value: entry.value, max: entry.max, now: now) }
            }
        }
        return change
    }
}

/// Node and prompt ids: equal lengths first, which settles most mismatches without a full string comparison.
@inline(__always)
func sameID(_ a: String, _ b: String) -> Bool { a.utf8.count == b.utf8.count && a == b }
