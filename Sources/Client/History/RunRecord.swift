import ComfyJSON
import Foundation

/// One finished run as the local store keeps it: the graph, who ran it, how it ended, when, and what it made,
/// plus the searchable facts pulled out of the graph (prompt texts, checkpoint, LoRAs, seeds, size).
public struct RunRecord: Sendable, Equatable {
    public var server: String
    public var promptID: String
    public var number: Double
    public var clientID: String?
    public var source: String
    public var status: String
    public var errorNode: String?
    public var errorType: String?
    public var errorMessage: String?
    public var traceback: String?
    public var startedAt: Int?
    public var endedAt: Int?
    public var prompt: JSONValue
    public var outputs: [OutputFile]
    /// Seconds per node where this client saw the node run; nil where it did not.
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
        guard let s = startedAt, let e = endedAt else { return nil }
        return Double(e - s) / 1000
    }

    /// A record from a history entry; `source` says whose run it was from this client's point of view.
    public init(server: String, item: HistoryItem, source: String, nodeSeconds: [String: Double] = [:]) {
        self.server = server
        promptID = item.promptID
        number = item.queue?.number ?? 0
        clientID = item.queue?.clientID
        self.source = source
        status = item.outcome.rawValue
        let error = item.error
        errorNode = error?.nodeID
        errorType = error?.exceptionType
        errorMessage = error?.exceptionMessage.trimmingCharacters(in: .whitespacesAndNewlines)
        traceback = error.map { $0.traceback.joined() }
        startedAt = item.startedAt
        endedAt = item.endedAt
        prompt = item.queue?.prompt ?? .object([])
        outputs = item.outputs
        self.nodeSeconds = nodeSeconds
        cachedNodes =
            item.messages.first { $0.0 == "execution_cached" }?.1["nodes"]?.arrayValue?.compactMap(\.pythonStrOrNil)
            ?? []
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
