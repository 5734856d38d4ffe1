import ComfyJSON
import Foundation

extension MonitorJob {
    /// Learns the graph (from a queue read or a history entry): a placeholder made from events gets its classes,
    /// titles and the nodes no event named; what the events told about each node is kept.
    mutating func adopt(graph: JSONValue) {
        guard !(graph.objectValue ?? []).isEmpty else { return }
        let learned = MonitorJob(
            id: id, number: number, source: source, clientID: clientID, prompt: graph, now: firstSeen)
        var merged = learned.nodes
        for index in merged.indices {
            guard let seen = nodes.first(where: { sameID($0.id, merged[index].id) }) else { continue }
            let keep = (merged[index].classType, merged[index].title)
            merged[index] = seen
            (merged[index].classType, merged[index].title) = keep
        }
        nodes = merged
        prompt = graph
        workflowSignature = learned.workflowSignature
        isPlaceholder = false
    }

    /// Ends the job as its history entry says. The entry is the server's own record, so it settles what the
    /// events could not tell: which nodes came from the cache (`execution_cached`), which ran before a failure
    /// (`executed`), which node failed, and when the run started and ended (the messages' timestamps). A job
    /// seen only through the queue or broadcast progress ends with the same node states as one of our own.
    mutating func reconcile(with item: HistoryItem, now: Date) {
        if isPlaceholder || (prompt.objectValue ?? []).isEmpty, let graph = item.queue?.prompt { adopt(graph: graph) }
        state = JobState(item.outcome)
        outputs = item.outputs
        error = item.error ?? error
        if let start = item.startDate { startedAt = start }
        if createdAt == nil, let created = item.queue?.createTime { createdAt = WireNumber.date(ms: created) }
        if let end = item.endDate { endedAt = end }
        currentNode = nil

        let cached = Set(item.cachedNodeIDs)
        let interruption = item.messages.last { $0.0 == "execution_interrupted" }?.1
        let executed = Set(
            (error?.executed ?? interruption?["executed"]?.arrayValue?.compactMap(\.pythonStrOrNil) ?? []))
        let stoppedAt = error?.nodeID ?? interruption?["node_id"]?.pythonStrOrNil
        let needed = state == .success ? Self.upstream(of: item.queue?.outputNodes ?? [], in: prompt) : nil
        for index in nodes.indices {
            let id = nodes[index].id
            let endedNow = nodes[index].endedAt ?? endedAt ?? now
            if cached.contains(id) {
                nodes[index].state = .cached
            } else if let stoppedAt, sameID(stoppedAt, id) {
                nodes[index].state = .failed
                nodes[index].endedAt = endedNow
            } else if executed.contains(id) || nodes[index].state == .running && state == .success {
                if nodes[index].state != .done { nodes[index].endedAt = endedNow }
                nodes[index].state = .done
            } else if state == .success, nodes[index].state == .pending || nodes[index].state == .unknown,
                needed.map({ $0.contains(id) }) ?? true
            {
                // It ran, unseen by us (another client's job, or an anonymous one without progress).
                nodes[index].state = .done
            } else if nodes[index].state == .running {
                nodes[index].state = .failed
                nodes[index].endedAt = endedNow
            } else if nodes[index].state == .unknown {
                // A finished job's node that neither ran nor came from the cache: it was not run.
                nodes[index].state = .pending
            }
        }
    }

    /// The nodes an output depends on (links are `[node_id, output_index]` inputs), the outputs included; nil
    /// when the entry names no outputs (then every node counts).
    static func upstream(of outputs: [String], in graph: JSONValue) -> Set<String>? {
        guard !outputs.isEmpty else { return nil }
        var seen: Set<String> = []
        var stack = outputs
        while let id = stack.popLast() {
            guard seen.insert(id).inserted, let node = graph[id] else { continue }
            for (_, value) in node["inputs"]?.objectValue ?? [] {
                if let link = value.arrayValue, link.count == 2, let from = link[0].pythonStrOrNil {
                    stack.append(from)
                }
            }
        }
        return seen
    }
}

extension JobState {
    /// The state a history entry's outcome means.
    public init(_ outcome: JobOutcome) {
        switch outcome {
        case .success: self = .success
        case .failed: self = .failed
        case .interrupted: self = .interrupted
        }
    }
}

extension HistoryItem {
    /// Nodes served from the cache, from the entry's `execution_cached` message.
    public var cachedNodeIDs: [String] {
        messages.first { $0.0 == "execution_cached" }?.1["nodes"]?.arrayValue?.compactMap(\.pythonStrOrNil) ?? []
    }
}
