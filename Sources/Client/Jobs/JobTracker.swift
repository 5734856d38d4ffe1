import ComfyJSON
import Foundation

/// What we know of one job while it runs, built from its own events: per-node state, steps and times.
public struct JobTracker: Sendable, Equatable {
    public enum NodeState: String, Sendable, Equatable {
        case pending, cached, running, done, failed
    }

    public struct Node: Sendable, Equatable {
        public var id: String
        public var classType: String
        public var title: String
        public var state: NodeState = .pending
        /// Steps, where the node reports them.
        public var value: Double?
        public var max: Double?
        public var startedAt: Date?
        public var endedAt: Date?
    }

    public let promptID: String
    public private(set) var nodes: [Node]
    public private(set) var currentNode: String?
    public private(set) var startedAt: Date?
    public private(set) var endedAt: Date?
    public private(set) var outputs: [OutputFile] = []
    public private(set) var outcome: JobOutcome?
    public private(set) var error: ExecutionErrorInfo?
    /// Set by `executing {node: null}`: the history entry is written now.
    public private(set) var finished = false

    public init(promptID: String, prompt: JSONValue) {
        self.promptID = promptID
        nodes = (prompt.objectValue ?? []).map { id, node in
            let classType = node["class_type"]?.stringValue ?? "?"
            return Node(id: id, classType: classType, title: node["_meta"]?["title"]?.stringValue ?? classType)
        }
    }

    public func node(_ id: String) -> Node? { nodes.first { $0.id == id } }

    /// Nodes done or cached over all nodes; the running node counts by its step fraction.
    public var overallFraction: Double {
        guard !nodes.isEmpty else { return 0 }
        let done = nodes.reduce(0.0) { sum, node in
            switch node.state {
            case .done, .cached: return sum + 1
            case .running:
                if let v = node.value, let m = node.max, m > 0 { return sum + min(1, v / m) }
                return sum
            default: return sum
            }
        }
        return done / Double(nodes.count)
    }

    private mutating func update(_ id: String, _ change: (inout Node) -> Void) {
        guard let index = nodes.firstIndex(where: { $0.id == id }) else { return }
        change(&nodes[index])
    }

    private mutating func finishCurrent(at now: Date) {
        guard let current = currentNode else { return }
        update(current) { node in
            if node.state == .running {
                node.state = .done
                node.endedAt = now
                if let m = node.max { node.value = m }
            }
        }
        currentNode = nil
    }

    /// Applies one server event (events of other prompts are ignored).
    public mutating func apply(_ event: ServerEvent, now: Date = Date()) {
        if let id = event.promptID, id != promptID { return }
        switch event {
        case .executionStart:
            startedAt = startedAt ?? now
        case .executionCached(_, let ids, _):
            for id in ids { update(id) { $0.state = .cached } }
        case .executing(let id, let node, _):
            guard id == promptID || id == nil else { return }
            finishCurrent(at: now)
            if let node {
                currentNode = node
                update(node) { n in
                    n.state = .running
                    n.startedAt = n.startedAt ?? now
                }
            } else if id == promptID {
                finished = true
                endedAt = endedAt ?? now
                if outcome == nil { outcome = .success }
            }
        case .progress(_, let node, let value, let max):
            guard let node = node ?? currentNode else { return }
            update(node) { n in
                n.value = value
                n.max = max
                if n.state == .pending { n.state = .running }
                n.startedAt = n.startedAt ?? now
            }
        case .progressState(_, let entries):
            for entry in entries {
                update(entry.nodeID) { n in
                    if entry.state == .finished {
                        if n.state != .cached { n.state = .done }
                        n.endedAt = n.endedAt ?? now
                    } else if n.state == .pending {
                        n.state = .running
                        n.startedAt = n.startedAt ?? now
                    }
                    // progress_state starts every node at 0.0/1.0: keep real step counts only.
                    if entry.max > 1 || n.max != nil {
                        n.value = entry.value
                        n.max = entry.max
                    }
                }
            }
        case .executed(_, let node, _, let output):
            if let output { outputs.append(contentsOf: OutputFile.list(nodeID: node, ui: output)) }
        case .executionSuccess:
            finishCurrent(at: now)
            outcome = .success
        case .executionError(let info):
            error = info
            outcome = .failed
            if let node = info.nodeID { update(node) { $0.state = .failed } }
            currentNode = nil
        case .executionInterrupted(_, let node, _, _, _):
            outcome = .interrupted
            if let node { update(node) { $0.state = .failed } }
            currentNode = nil
        default:
            break
        }
    }

    /// Fills in the final state from the history entry (authoritative after `executing {node: null}`).
    public mutating func apply(history: HistoryItem, now: Date = Date()) {
        outcome = history.outcome
        outputs = history.outputs
        error = history.error ?? error
        finished = true
        endedAt = endedAt ?? now
        if history.outcome == .success {
            for index in nodes.indices where nodes[index].state == .running || nodes[index].state == .pending {
                // Nodes the server did not need (not upstream of an output) stay pending.
                if nodes[index].state == .running { nodes[index].state = .done }
            }
        }
        currentNode = nil
    }
}
