import ComfyJSON
import Foundation

extension MonitorState {
    /// A server message: `status` asks for a queue read; per-prompt events update that job's nodes.
    mutating func apply(_ event: ServerEvent, now: Date) -> [MonitorEffect] {
        switch event {
        case .status(let remaining, _):
            queueRemaining = remaining
            return [.refreshQueue]
        case .executionStart(let id, _):
            markRunning(id, now: now)
            ensureJob(id, now: now)
        case .executionCached(let id, let nodes, _):
            ensureJob(id, now: now)
            for node in nodes {
                ensureNode(id, node)
                jobs[id]?.updateNode(node) { $0.state = .cached }
            }
        case .executing(let id, let node, _):
            guard let id = id ?? runningID else { return [] }
            ensureJob(id, now: now)
            if let node { ensureNode(id, node) }
            // progress_state may already have made this node current: only a different node ends the current one.
            if jobs[id]?.currentNode != node { finishCurrentNode(id, now: now) }
            if let node {
                markRunning(id, now: now)
                jobs[id]?.currentNode = node
                jobs[id]?.updateNode(node) { n in
                    n.state = .running
                    n.startedAt = n.startedAt ?? now
                }
            } else if jobs[id].map({ !$0.state.isFinished }) ?? false {
                // Done: the history entry is written now.
                return [.lookupHistory(id)]
            }
        case .progress(let id, let node, let value, let max):
            guard let id = id ?? runningID, let node = node ?? jobs[id]?.currentNode else { return [] }
            ensureJob(id, now: now, own: false)
            ensureNode(id, node)
            markRunning(id, now: now)
            step(id, node: node, value: value, max: max, now: now)
        case .progressState(let id, let entries):
            ensureJob(id, now: now, own: false)
            markRunning(id, now: now)
            for entry in entries {
                ensureNode(id, entry.nodeID)
                if entry.state == "finished" {
                    let wasRunning = jobs[id]?.node(entry.nodeID)?.state == .running
                    jobs[id]?.updateNode(entry.nodeID) { n in
                        if n.state != .cached { n.state = .done }
                        n.endedAt = n.endedAt ?? now
                        if n.max != nil { n.value = n.max }
                    }
                    if wasRunning, let node = jobs[id]?.node(entry.nodeID) { learnNode(node) }
                    if jobs[id]?.currentNode == entry.nodeID { jobs[id]?.currentNode = nil }
                } else {
                    if jobs[id]?.node(entry.nodeID)?.state == .pending
                        || jobs[id]?.node(entry.nodeID)?.state == .unknown
                    {
                        jobs[id]?.updateNode(entry.nodeID) { n in
                            n.state = .running
                            n.startedAt = n.startedAt ?? now
                        }
                        // Anonymous prompts get no `executing`: the running node of progress_state is the current one.
                        jobs[id]?.currentNode = entry.nodeID
                    }
                    if entry.max > 1 { step(id, node: entry.nodeID, value: entry.value, max: entry.max, now: now) }
                }
            }
        case .executed(let id, let node, _, let output):
            if let output { jobs[id]?.outputs.append(contentsOf: OutputFile.list(nodeID: node, ui: output)) }
        case .executionSuccess(let id, _):
            finishCurrentNode(id, now: now)
        case .executionError(let info):
            jobs[info.promptID]?.error = info
            if let node = info.nodeID { jobs[info.promptID]?.updateNode(node) { $0.state = .failed } }
            jobs[info.promptID]?.currentNode = nil
        case .executionInterrupted(let id, let node, _, _, _):
            if let node { jobs[id]?.updateNode(node) { $0.state = .failed } }
            jobs[id]?.currentNode = nil
            // Anonymous prompts never get `executing {node: null}`: look the result up once it is written.
            if jobs[id]?.source != .own { return [.refreshQueue, .lookupHistory(id)] }
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

    /// Events can arrive before the queue was read: make a placeholder the next queue read fills in.
    /// Only our own prompts send `execution_*`/`executing`; broadcast progress means an anonymous prompt.
    mutating func ensureJob(_ id: String, now: Date, own: Bool = true) {
        guard jobs[id] == nil else { return }
        jobs[id] = MonitorJob(
            id: id, number: 0, source: own ? .own : .anonymous, clientID: own ? ownClientID : nil,
            prompt: .object([]), now: now)
        jobs[id]?.isPlaceholder = true
    }

    /// A placeholder job learns its nodes from the events that name them.
    mutating func ensureNode(_ id: String, _ node: String) {
        guard let job = jobs[id], job.isPlaceholder, job.node(node) == nil else { return }
        jobs[id]?.nodes.append(MonitorNode(id: node, classType: "?", title: "node", state: .pending))
    }

    mutating func step(_ id: String, node: String, value: Double, max: Double, now: Date) {
        jobs[id]?.updateNode(node) { n in
            if n.value != value {
                n.stepTimes.append(now)
                if n.stepTimes.count > 12 { n.stepTimes.removeFirst(n.stepTimes.count - 12) }
            }
            n.value = value
            n.max = max
            if n.state == .pending || n.state == .unknown { n.state = .running }
            n.startedAt = n.startedAt ?? now
        }
    }

    mutating func finishCurrentNode(_ id: String, now: Date) {
        guard let current = jobs[id]?.currentNode else { return }
        let wasRunning = jobs[id]?.node(current)?.state == .running
        jobs[id]?.updateNode(current) { n in
            if n.state == .running {
                n.state = .done
                n.endedAt = now
                if n.max != nil { n.value = n.max }
            }
        }
        if wasRunning, let node = jobs[id]?.node(current) { learnNode(node) }
        jobs[id]?.currentNode = nil
    }
}
