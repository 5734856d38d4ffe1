import ComfyJSON

/// One node's entry in a `progress_state` message.
public struct NodeProgress: Sendable, Equatable {
    public var nodeID: String
    public var displayNodeID: String?
    public var value: Double
    public var max: Double
    public var state: State
    /// What a running node spends its time on (newer servers, e.g. "loading"); nil when not said.
    public var activity: String?

    /// The server's NodeState: `pending`, `running`, `finished` or `error` (it sends only the middle two; anything
    /// else reads as running).
    public enum State: String, Sendable, Equatable {
        case pending, running, finished, error
    }

    public init(
        nodeID: String, displayNodeID: String?, value: Double, max: Double, state: State, activity: String? = nil
    ) {
        self.nodeID = nodeID
        self.displayNodeID = displayNodeID
        self.value = value
        self.max = max
        self.state = state
        self.activity = activity
    }
}

/// The `execution_error` message: which node failed, how, and what ran before it.
public struct ExecutionErrorInfo: Sendable, Equatable {
    public var promptID: String
    public var nodeID: String?
    public var nodeType: String?
    public var exceptionType: String
    public var exceptionMessage: String
    public var traceback: [String]
    public var executed: [String]
    public var timestamp: Int?

    public init(
        promptID: String, nodeID: String?, nodeType: String?, exceptionType: String, exceptionMessage: String,
        traceback: [String], executed: [String], timestamp: Int?
    ) {
        self.promptID = promptID
        self.nodeID = nodeID
        self.nodeType = nodeType
        self.exceptionType = exceptionType
        self.exceptionMessage = exceptionMessage
        self.traceback = traceback
        self.executed = executed
        self.timestamp = timestamp
    }

    init(_ data: JSONValue) {
        self.init(
            promptID: data["prompt_id"]?.stringValue ?? "", nodeID: data["node_id"]?.pythonStrOrNil,
            nodeType: data["node_type"]?.stringValue, exceptionType: data["exception_type"]?.stringValue ?? "",
            exceptionMessage: data["exception_message"]?.stringValue ?? "",
            traceback: data["traceback"]?.arrayValue?.compactMap(\.stringValue) ?? [],
            executed: data["executed"]?.arrayValue?.compactMap(\.pythonStrOrNil) ?? [],
            timestamp: WireNumber.timestampMS(data["timestamp"]))
    }
}

/// A live preview image (binary type 1, or type 4 with metadata).
public struct PreviewImage: Sendable, Equatable {
    public enum Format: Sendable, Equatable {
        case jpeg, png, other(String)
    }

    public var format: Format
    public var bytes: [UInt8]
    /// Only type-4 previews say whose they are.
    public var promptID: String?
    public var nodeID: String?
    public var displayNodeID: String?

    public init(format: Format, bytes: [UInt8], promptID: String?, nodeID: String?, displayNodeID: String?) {
        self.format = format
        self.bytes = bytes
        self.promptID = promptID
        self.nodeID = nodeID
        self.displayNodeID = displayNodeID
    }
}

/// One line of the server's captured stdout/stderr (`logs` message).
public struct LogEntry: Sendable, Equatable {
    public var time: String
    public var message: String

    public init(time: String, message: String) {
        self.time = time
        self.message = message
    }
}

/// Every message ComfyUI sends over its WebSocket, typed. Unknown and malformed frames are kept, never fatal.
public enum ServerEvent: Sendable, Equatable {
    /// Queue length changed (`sid` only in the first message after connecting).
    case status(queueRemaining: Int, sid: String?)
    case executionStart(promptID: String, timestamp: Int?)
    case executionCached(promptID: String, nodes: [String], timestamp: Int?)
    /// A node starts; `node == nil` means the prompt is done and its history is written.
    /// After a reconnect the server re-sends the running node without `promptID`.
    case executing(promptID: String?, node: String?, displayNode: String?)
    case progress(promptID: String?, node: String?, value: Double, max: Double)
    case progressState(promptID: String, nodes: [NodeProgress])
    case executed(promptID: String, node: String, displayNode: String?, output: JSONValue?)
    case executionSuccess(promptID: String, timestamp: Int?)
    case executionError(ExecutionErrorInfo)
    case executionInterrupted(promptID: String, nodeID: String?, nodeType: String?, executed: [String], timestamp: Int?)
    case featureFlags(JSONValue)
    case logs([LogEntry])
    case preview(PreviewImage)
    /// Binary TEXT frame from `send_progress_text` (broadcast, no prompt id).
    case progressText(nodeID: String, text: String)
    /// A text message of a type this version does not know, kept whole.
    case unknown(type: String, data: JSONValue)
    /// A binary frame of a type this version does not know.
    case unknownBinary(type: UInt32, bytes: [UInt8])
    /// A frame that could not be decoded; `reason` says why.
    case malformed(reason: String, raw: String)

    /// The prompt this event belongs to, where the message says.
    public var promptID: String? {
        switch self {
        case .executionStart(let id, _), .executionCached(let id, _, _), .progressState(let id, _),
            .executed(let id, _, _, _), .executionSuccess(let id, _), .executionInterrupted(let id, _, _, _, _):
            return id
        case .executing(let id, _, _), .progress(let id, _, _, _): return id
        case .executionError(let info): return info.promptID
        case .preview(let p): return p.promptID
        default: return nil
        }
    }
}

extension JSONValue {
    /// Node ids are strings, but tolerate numbers.
    var pythonStrOrNil: String? {
        switch self {
        case .null: return nil
        case .string(let s): return s
        case .int(let i): return String(i)
        default: return pythonStr
        }
    }
}
