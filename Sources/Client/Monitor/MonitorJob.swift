import ComfyJSON
import Foundation

/// How much of a job this client can see.
public enum JobSource: String, Sendable, Equatable {
    /// Submitted by this client: every event reaches us.
    case own
    /// Submitted by another client (e.g. a browser): queue polling and the server log only.
    case foreign
    /// Submitted without a client_id: broadcast progress; completion from history.
    case anonymous
}

/// Where a job stands.
public enum JobState: String, Sendable, Equatable {
    case pending, running, success, failed, interrupted
    /// Left the pending queue without running (deleted, cleared, or lost to a restart).
    case removed

    public var isFinished: Bool { ![.pending, .running].contains(self) }
}

/// One node of a job's graph, as the monitor shows it.
public struct MonitorNode: Sendable, Equatable {
    public enum State: String, Sendable, Equatable {
        case pending, cached, running, done, failed
        /// Nothing can be known (a foreign job's nodes).
        case unknown
    }

    public var id: String
    public var classType: String
    public var title: String
    public var state: State
    public var value: Double?
    public var max: Double?
    public var startedAt: Date?
    public var endedAt: Date?
    /// Recent step times, for the live rate.
    public var stepTimes: [Date] = []
    /// What the running node spends its time on, when the server says (`progress_state` `activity`).
    public var activity: String?
    /// The node's latest `progress_text` (binary type 3, broadcast to every socket), at most 500 characters.
    public var progressText: String?

    public var fraction: Double? {
        guard let value, let max, max > 0 else { return nil }
        return Swift.min(1, value / max)
    }

    /// Steps per second over the last steps (nil until two steps were seen).
    public var stepRate: Double? {
        guard stepTimes.count >= 2, let first = stepTimes.first, let last = stepTimes.last else { return nil }
        let span = last.timeIntervalSince(first)
        return span > 0 ? Double(stepTimes.count - 1) / span : nil
    }
}

/// A job on the server, with what we know and how we know it.
public struct MonitorJob: Sendable, Equatable {
    public var id: String
    public var number: Double
    public var source: JobSource
    public var clientID: String?
    public var state: JobState
    public var nodes: [MonitorNode]
    public var currentNode: String?
    /// Steps read from the server log for a foreign job (the log names no node).
    public var logStep: TqdmParser.Step?
    public var firstSeen: Date
    /// When the server accepted the prompt (`extra_data.create_time`, servers ≥ 0.3.69, or `/api/jobs`).
    public var createdAt: Date?
    public var startedAt: Date?
    public var endedAt: Date?
    public var outputs: [OutputFile] = []
    /// Sizes in bytes by `OutputFile.key`, where the server told them.
    public var outputSizes: [String: Int] = [:]
    public var error: ExecutionErrorInfo?
    /// A signature of the graph (classes and inputs), to find earlier runs of the same workflow.
    public var workflowSignature: String
    /// When a finished job leaves the queue pane.
    public var lingerUntil: Date?
    /// Made from events before any queue read: its graph is not known yet.
    public var isPlaceholder = false
    /// The graph as queued (API format), kept so a finished job can be stored even when the server has no
    /// history entry for it (deleted from the queue, lost to a restart).
    public var prompt: JSONValue

    public init(id: String, number: Double, source: JobSource, clientID: String?, prompt: JSONValue, now: Date) {
        self.id = id
        self.number = number
        self.source = source
        self.clientID = clientID
        state = .pending
        firstSeen = now
        self.prompt = prompt
        let pairs = prompt.objectValue ?? []
        nodes = pairs.map { id, node in
            let classType = node["class_type"]?.stringValue ?? "?"
            return MonitorNode(
                id: id, classType: classType, title: node["_meta"]?["title"]?.stringValue ?? classType,
                state: source == .foreign ? .unknown : .pending)
        }
        nodes.sort { a, b in
            if let x = Int(a.id), let y = Int(b.id) { return x < y }
            return a.id < b.id
        }
        workflowSignature = Self.signature(prompt)
    }

    /// Classes and non-seed inputs: two runs of the same workflow with new seeds share it.
    static func signature(_ prompt: JSONValue) -> String {
        let pairs = (prompt.objectValue ?? []).sorted { $0.0 < $1.0 }.map { id, node -> (String, JSONValue) in
            let inputs = (node["inputs"]?.objectValue ?? []).filter { !["seed", "noise_seed"].contains($0.0) }
                .sorted { $0.0 < $1.0 }
            return (id, .obj(("c", node["class_type"] ?? .null), ("i", .object(inputs))))
        }
        return JSONValue.object(pairs).pythonJSON
    }

    public func node(_ id: String) -> MonitorNode? { nodes.first { $0.id == id } }

    mutating func updateNode(_ id: String, _ change: (inout MonitorNode) -> Void) {
        guard let index = nodes.firstIndex(where: { $0.id == id }) else { return }
        change(&nodes[index])
    }

    /// Done and cached nodes over all nodes, the running one by its step fraction; nil when nothing is known.
    public var overallFraction: Double? {
        if state == .success { return 1 }
        // Another client's job: its nodes are unknown; the log's steps are one node's, not the job's.
        if source == .foreign { return state == .pending ? 0 : nil }
        guard !nodes.isEmpty, state != .pending else { return state == .pending ? 0 : nil }
        let done = nodes.reduce(0.0) { sum, node in
            switch node.state {
            case .done, .cached: return sum + 1
            case .running: return sum + (node.fraction ?? 0)
            default: return sum
            }
        }
        return done / Double(nodes.count)
    }

    /// The fraction of the sampler steps read from the server log (another client's job).
    public var logFraction: Double? {
        guard let step = logStep, step.total > 0 else { return nil }
        return Double(step.value) / Double(step.total)
    }

    /// Seconds between acceptance and start, while waiting (to `now`) or once started; nil without `createdAt`,
    /// and nil for a job first seen already running (its start is only the time of that read) until its history
    /// entry gives the server's start.
    public func queueSeconds(now: Date) -> Double? {
        guard let created = createdAt else { return nil }
        if state == .pending { return max(0, now.timeIntervalSince(created)) }
        guard let start = startedAt, state.isFinished || firstSeen < start else { return nil }
        return max(0, start.timeIntervalSince(created))
    }

    public func elapsed(now: Date) -> Double? {
        guard let start = startedAt else { return nil }
        return (endedAt ?? now).timeIntervalSince(start)
    }

    /// Seconds each node took, for the nodes this client saw start and end (the store's per-node timeline).
    public var nodeSeconds: [String: Double] {
        var out: [String: Double] = [:]
        for node in nodes {
            guard let start = node.startedAt, let end = node.endedAt, node.state == .done || node.state == .failed
            else { continue }
            out[node.id] = max(0, end.timeIntervalSince(start))
        }
        return out
    }
}
