import ComfyJSON
import Foundation

/// One finished run as the local store keeps it: the graph, who ran it, how it ended, when, and what it made,
/// plus the searchable facts pulled out of the graph (prompt texts, checkpoint, LoRAs, seeds, size).
public struct RunRecord: Sendable, Equatable {
    public var server: String
    public var promptID: String
    public var number: Double
    public var clientID: String?
    public var source: JobSource
    /// How it ended (a finished state: success, failed, interrupted, removed).
    public var status: JobState
    public var errorNode: String?
    public var errorType: String?
    public var errorMessage: String?
    public var traceback: String?
    /// Milliseconds since 1970, from the server's messages (or this client's clock where it has none).
    /// When the server accepted the prompt (`extra_data.create_time`, ms; servers ≥ 0.3.69): the queue wait is
    /// `startedAt - createdAt`.
    public var createdAt: Int?
    public var startedAt: Int?
    public var endedAt: Int?
    public var prompt: JSONValue
    public var outputs: [OutputFile]
    /// Seconds per node where this client saw the node run; empty where it did not.
    public var nodeSeconds: [String: Double]
    public var cachedNodes: [String]
    public var positive: String
    public var negative: String
    public var checkpoint: String
    public var loras: String
    public var seeds: String
    public var classes: String
    public var width: Int?
    public var height: Int?

    public var duration: Double? {
        guard let s = startedAt, let e = endedAt, e >= s else { return nil }
        return (Double(e) - Double(s)) / 1000
    }

    /// The one way to make a record: from a job this client followed, its history entry, or both. The entry is
    /// the server's word on how the run ended and what it made; the job adds what only a watcher knows (node
    /// timings, the source as seen live) and stands alone for a job the server kept no entry of (deleted from the
    /// queue, lost to a restart). `ownClientIDs` classify an entry no job of ours describes.
    public init?(server: String, job: MonitorJob? = nil, item: HistoryItem? = nil, ownClientIDs: Set<String> = []) {
        guard let promptID = item?.promptID ?? job?.id else { return nil }
        let status = item.map { JobState($0.outcome) } ?? job?.state ?? .removed
        guard status.isFinished else { return nil }
        let clientID = item?.queue?.clientID ?? job?.clientID
        let error = item?.error ?? job?.error
        self.init(
            server: server, promptID: promptID, number: item?.queue?.number ?? job?.number ?? 0, clientID: clientID,
            source: job?.source ?? JobSource(clientID: clientID, ownClientIDs: ownClientIDs), status: status,
            errorNode: error?.nodeID, errorType: error?.exceptionType,
            errorMessage: error?.exceptionMessage.trimmingCharacters(in: .whitespacesAndNewlines),
            traceback: error.map { $0.traceback.joined() },
            startedAt: item?.startedAt ?? job?.startedAt.map(Self.milliseconds),
            endedAt: item?.endedAt ?? job?.endedAt.map(Self.milliseconds),
            prompt: item?.queue?.prompt ?? job?.prompt ?? .object([]),
            outputs: item?.outputs ?? job?.outputs ?? [],
            nodeSeconds: job?.nodeSeconds ?? [:],
            cachedNodes: item?.cachedNodeIDs ?? job?.nodes.filter { $0.state == .cached }.map(\.id) ?? [])
        createdAt = item?.queue?.createTime ?? job?.createdAt.map(Self.milliseconds)
    }

    /// A record as the store read it back (or as a benchmark makes one).
    public init(
        server: String, promptID: String, number: Double, clientID: String?, source: JobSource, status: JobState,
        errorNode: String?, errorType: String?, errorMessage: String?, traceback: String?, startedAt: Int?,
        endedAt: Int?, prompt: JSONValue, outputs: [OutputFile],
        nodeSeconds: [String: Double], cachedNodes: [String]
    ) {
        self.server = server
        self.promptID = promptID
        self.number = number
        self.clientID = clientID
        self.source = source
        self.status = status
        self.errorNode = errorNode
        self.errorType = errorType
        self.errorMessage = errorMessage
        self.traceback = traceback
        self.startedAt = startedAt
        self.endedAt = endedAt
        self.prompt = prompt
        self.outputs = outputs
        self.nodeSeconds = nodeSeconds
        self.cachedNodes = cachedNodes
        let facts = GraphFacts(prompt)
        positive = facts.positive
        negative = facts.negative
        checkpoint = facts.checkpoints.joined(separator: " ")
        loras = facts.loras.joined(separator: " ")
        seeds = facts.seeds.map(String.init).joined(separator: " ")
        classes = facts.classes.joined(separator: " ")
        width = facts.width
        height = facts.height
    }

    static func milliseconds(_ date: Date) -> Int {
        let ms = (date.timeIntervalSince1970 * 1000).rounded()
        return ms.isFinite && abs(ms) < 9e15 ? Int(ms) : 0
    }
}

extension JobSource {
    /// Who ran a job, from the client id it was queued with: the one classification every view uses.
    public init(clientID: String?, ownClientIDs: Set<String>) {
        guard let clientID else {
            self = .anonymous
            return
        }
        self = ownClientIDs.contains(clientID) ? .own : .foreign
    }
}

/// What a person searches a run by, read from its graph.
struct GraphFacts {
    var positive = ""
    var negative = ""
    var checkpoints: [String] = []
    var loras: [String] = []
    var seeds: [Int] = []
    var classes: [String] = []
    var width: Int?
    var height: Int?

    init(_ prompt: JSONValue) {
        for text in PromptText.extract(prompt) {
            if text.role == "negative" {
                negative += (negative.isEmpty ? "" : " | ") + text.text
            } else {
                positive += (positive.isEmpty ? "" : " | ") + text.text
            }
        }
        var classSet: [String] = []
        for (_, node) in prompt.objectValue ?? [] {
            let inputs = node["inputs"] ?? .null
            if let c = node["class_type"]?.stringValue, !classSet.contains(c) { classSet.append(c) }
            for key in ["ckpt_name", "unet_name"] { if let v = inputs[key]?.stringValue { checkpoints.append(v) } }
            if let v = inputs["lora_name"]?.stringValue { loras.append(v) }
            for key in ["seed", "noise_seed"] { if let v = inputs[key]?.intValue { seeds.append(v) } }
            if width == nil, let w = inputs["width"]?.intValue, let h = inputs["height"]?.intValue {
                width = w
                height = h
            }
        }
        classes = classSet
    }
}
