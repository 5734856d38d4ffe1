import ComfyJSON
import Foundation

/// A file a job produced, as `executed` and `/history` list it.
public struct OutputFile: Sendable, Equatable, Hashable {
    public var filename: String
    public var subfolder: String
    /// `output`, `temp` or `input`.
    public var type: String
    /// The node that produced it.
    public var nodeID: String
    /// The key it was listed under: `images`, `gifs`, `audio`, `video`, …
    public var kind: String

    public init(filename: String, subfolder: String, type: String, nodeID: String, kind: String = "images") {
        self.filename = filename
        self.subfolder = subfolder
        self.type = type
        self.nodeID = nodeID
        self.kind = kind
    }

    /// Every file entry in a node's UI output (`{"images": [{filename, subfolder, type}], ...}`).
    public static func list(nodeID: String, ui: JSONValue) -> [OutputFile] {
        (ui.objectValue ?? []).flatMap { kind, value -> [OutputFile] in
            (value.arrayValue ?? []).compactMap { item in
                guard let name = item["filename"]?.stringValue else { return nil }
                return OutputFile(
                    filename: name, subfolder: item["subfolder"]?.stringValue ?? "",
                    type: item["type"]?.stringValue ?? "output", nodeID: nodeID, kind: kind)
            }
        }
    }

    /// Identifies the file on the server.
    public var key: String { "\(type)/\(subfolder)/\(filename)" }

    public var json: JSONValue {
        .obj(
            ("filename", .string(filename)), ("subfolder", .string(subfolder)), ("type", .string(type)),
            ("node", .string(nodeID)), ("kind", .string(kind)))
    }
}

/// One item of `/queue`: `[number, prompt_id, prompt, extra_data, outputs_to_execute]`.
public struct QueueItem: Sendable, Equatable {
    public var number: Double
    public var promptID: String
    var graph: LazyJSON
    var extra: LazyJSON
    public var outputNodes: [String]
    /// Who submitted it (the socket that receives its events), if anyone said.
    public let clientID: String?
    /// Milliseconds since the epoch, on servers ≥ 0.3.69.
    public let createTime: Int?

    /// The graph (API format). Read from history lazily: parsed when asked for.
    public var prompt: JSONValue {
        get { graph.value }
        set { graph = LazyJSON(newValue) }
    }

    /// `extra_data`: the client id, and from the browser the whole UI workflow (`extra_pnginfo`).
    public var extraData: JSONValue { extra.value }

    public init?(_ json: JSONValue) {
        guard let items = json.arrayValue, items.count >= 2, let id = items[1].stringValue else { return nil }
        number = WireNumber.finite(items[0], or: 0)
        promptID = id
        graph = LazyJSON(items.count > 2 ? items[2] : .object([]))
        let extraData = items.count > 3 ? items[3] : .object([])
        extra = LazyJSON(extraData)
        clientID = extraData["client_id"]?.stringValue
        createTime = WireNumber.timestampMS(extraData["create_time"])
        outputNodes = items.count > 4 ? (items[4].arrayValue?.compactMap(\.pythonStrOrNil) ?? []) : []
    }

    /// Reads `[number, id, graph, extra_data, outputs]` keeping the graph and extra_data as bytes (only the
    /// client id and creation time are read out of extra_data).
    init?(lazy c: inout JSONCursor) throws(JSONParseError) {
        var number: Double?
        var id: String?
        var graph = LazyJSON(.object([]))
        var extra = LazyJSON(.object([]))
        var clientID: String?
        var createTime: Int?
        var outputs: [String] = []
        try c.forEachItem { c, index throws(JSONParseError) in
            switch index {
            case 0: number = WireNumber.finite(try c.value(), or: 0)
            case 1: id = try c.value().stringValue
            case 2: graph = LazyJSON(raw: try c.skip())
            case 3:
                // One pass: the two keys read, the rest skipped, the whole kept as bytes.
                let start = c.position
                do throws(JSONParseError) {
                    try c.forEachKey { c, key throws(JSONParseError) in
                        switch key {
                        case "client_id": clientID = try c.value().stringValue
                        case "create_time": createTime = WireNumber.timestampMS(try c.value())
                        default: _ = try c.skip()
                        }
                    }
                } catch {
                    // Not an object (the cursor did not move): no client id; anything broken is an error.
                    guard c.position == start else { throw error }
                    _ = try c.skip()
                }
                extra = LazyJSON(raw: c.bytes(start..<c.position))
            case 4: outputs = try c.value().arrayValue?.compactMap(\.pythonStrOrNil) ?? []
            default: _ = try c.skip()
            }
        }
        guard let id else { return nil }
        self.number = number ?? 0
        promptID = id
        self.graph = graph
        self.extra = extra
        self.clientID = clientID
        self.createTime = createTime
        outputNodes = outputs
    }
}

/// `/queue`: the running prompt (zero or one) and the pending ones in execution order.
public struct QueueSnapshot: Sendable, Equatable {
    public var running: [QueueItem]
    public var pending: [QueueItem]

    public init(running: [QueueItem], pending: [QueueItem]) {
        self.running = running
        self.pending = pending
    }

    public init(_ json: JSONValue) {
        running = (json["queue_running"]?.arrayValue ?? []).compactMap(QueueItem.init)
        // The server hands out its heap array unsorted: sort by (number, prompt_id) as the heap pops.
        pending = (json["queue_pending"]?.arrayValue ?? []).compactMap(QueueItem.init).sorted {
            $0.number != $1.number ? $0.number < $1.number : $0.promptID < $1.promptID
        }
    }

    public var isEmpty: Bool { running.isEmpty && pending.isEmpty }
}

/// How a finished job ended.
public enum JobOutcome: String, Sendable, Equatable {
    case success, failed, interrupted
}

/// A finished job from `/history`.
public struct HistoryItem: Sendable, Equatable {
    public var promptID: String
    public var queue: QueueItem?
    public var outputs: [OutputFile]
    public var statusString: String
    public var completed: Bool
    /// `[event, data]` pairs: execution_start, execution_cached, then the ending message.
    public var messages: [(String, JSONValue)]

    public static func == (a: HistoryItem, b: HistoryItem) -> Bool {
        a.promptID == b.promptID && a.outputs == b.outputs && a.statusString == b.statusString
            && a.completed == b.completed && a.messages.count == b.messages.count
    }

    public init(promptID: String, json: JSONValue) {
        self.init(
            promptID: promptID, queue: json["prompt"].flatMap(QueueItem.init), outputs: json["outputs"],
            status: json["status"])
    }

    init(promptID: String, queue: QueueItem?, outputs: JSONValue?, status: JSONValue?) {
        self.promptID = promptID
        self.queue = queue
        self.outputs = (outputs?.objectValue ?? []).flatMap { node, ui in OutputFile.list(nodeID: node, ui: ui) }
        statusString = status?["status_str"]?.stringValue ?? "unknown"
        completed = status?["completed"]?.boolValue ?? false
        messages = (status?["messages"]?.arrayValue ?? []).compactMap { pair in
            guard let event = pair[0]?.stringValue else { return nil }
            return (event, pair[1] ?? .null)
        }
    }

    public var outcome: JobOutcome {
        if statusString == "success" { return .success }
        return messages.contains { $0.0 == "execution_interrupted" } ? .interrupted : .failed
    }

    /// The error, if the job failed in a node.
    public var error: ExecutionErrorInfo? {
        messages.first { $0.0 == "execution_error" }.map { ExecutionErrorInfo($0.1) }
    }

    /// Milliseconds since the epoch when it started and ended, from the message timestamps. A timestamp outside
    /// 1970...9999 reads as nil: the entry keeps its outputs and messages, only the absurd time is dropped.
    public var startedAt: Int? {
        WireNumber.timestampMS(messages.first { $0.0 == "execution_start" }?.1["timestamp"])
    }
    public var endedAt: Int? { WireNumber.timestampMS(messages.last?.1["timestamp"]) }

    /// When it started, if the server said (and the time is plausible).
    public var startDate: Date? { WireNumber.date(ms: startedAt) }
    /// When it ended, if the server said (and the time is plausible).
    public var endDate: Date? { WireNumber.date(ms: endedAt) }

    /// How long it ran in milliseconds (nil without both timestamps, or when the end is before the start).
    /// Use this instead of subtracting the timestamps yourself.
    public var durationMS: Int? {
        guard let startedAt, let endedAt, endedAt >= startedAt else { return nil }
        return endedAt - startedAt
    }

    /// How long it ran in seconds (see `durationMS`).
    public var durationSeconds: Double? { durationMS.map { Double($0) / 1000 } }

    /// Parses a `/history` or `/history/{id}` body, keeping the server's (oldest-first) order.
    public static func list(_ json: JSONValue) -> [HistoryItem] {
        (json.objectValue ?? []).map { HistoryItem(promptID: $0.0, json: $0.1) }
    }

    /// Reads a `/history` body straight from its bytes. The graphs and `extra_data` (most of the body: the
    /// browser puts its whole UI workflow there) are kept as bytes and parsed only when asked for.
    public static func list(body: [UInt8]) throws(JSONParseError) -> [HistoryItem] {
        var c = JSONCursor(body)
        var items: [HistoryItem] = []
        try c.forEachKey { c, id throws(JSONParseError) in
            var queue: QueueItem?
            var outputs: JSONValue?
            var status: JSONValue?
            try c.forEachKey { c, key throws(JSONParseError) in
                switch key {
                case "prompt": queue = try QueueItem(lazy: &c)
                case "outputs": outputs = try c.value()
                case "status": status = try c.value()
                default: _ = try c.skip()
                }
            }
            items.append(HistoryItem(promptID: id, queue: queue, outputs: outputs, status: status))
        }
        try c.end()
        return items
    }
}

/// `/system_stats`, the parts a monitor shows.
public struct SystemStats: Sendable, Equatable {
    public struct Device: Sendable, Equatable {
        public var name: String
        public var type: String
        public var vramTotal: Int
        public var vramFree: Int
    }

    public var comfyUIVersion: String?
    public var os: String?
    public var pythonVersion: String?
    public var pytorchVersion: String?
    public var ramTotal: Int?
    public var ramFree: Int?
    public var devices: [Device]

    public init(_ json: JSONValue) {
        let system = json["system"] ?? .object([])
        comfyUIVersion = system["comfyui_version"]?.stringValue
        os = system["os"]?.stringValue
        pythonVersion = system["python_version"]?.stringValue
        pytorchVersion = system["pytorch_version"]?.stringValue
        ramTotal = WireNumber.count(system["ram_total"])
        ramFree = WireNumber.count(system["ram_free"])
        devices = (json["devices"]?.arrayValue ?? []).map {
            Device(
                name: $0["name"]?.stringValue ?? "?", type: $0["type"]?.stringValue ?? "?",
                vramTotal: WireNumber.count($0["vram_total"]) ?? 0, vramFree: WireNumber.count($0["vram_free"]) ?? 0)
        }
    }
}

/// One validation problem of one node, from `node_errors`.
public struct NodeValidationError: Sendable, Equatable {
    public var nodeID: String
    public var classType: String
    public var type: String
    public var message: String
    public var details: String
    public var inputName: String?

    /// "node 7 KSampler: Required input is missing: model"
    public var rendered: String {
        let detail = details.isEmpty ? "" : ": \(details)"
        return "node \(nodeID) \(classType): \(message)\(detail)"
    }

    public static func list(_ nodeErrors: JSONValue) -> [NodeValidationError] {
        (nodeErrors.objectValue ?? []).flatMap { node, entry -> [NodeValidationError] in
            let classType = entry["class_type"]?.stringValue ?? "?"
            return (entry["errors"]?.arrayValue ?? []).map { e in
                NodeValidationError(
                    nodeID: node, classType: classType, type: e["type"]?.stringValue ?? "",
                    message: e["message"]?.stringValue ?? "", details: e["details"]?.stringValue ?? "",
                    inputName: e["extra_info"]?["input_name"]?.stringValue)
            }
        }
    }
}

/// `POST /prompt` accepted: the id, the queue number, and the outputs that were dropped for errors.
public struct PromptAccepted: Sendable, Equatable {
    public var promptID: String
    public var number: Double
    public var warnings: [NodeValidationError]
}
