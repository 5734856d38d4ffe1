import ComfyJSON
import Foundation

/// One job of `/api/jobs` (newer servers, `comfy_execution/jobs.py`): queued, running or finished, with the
/// server's own times. Every number goes through `WireNumber`; a key the server left out (`prune_dict` drops
/// None) is nil here.
public struct JobInfo: Sendable, Equatable {
    public enum Status: String, Sendable, Equatable {
        case pending
        case inProgress = "in_progress"
        case completed, failed, cancelled
        /// A status this version does not know (kept in `rawStatus`).
        case other
    }

    public var id: String
    public var status: Status
    public var rawStatus: String
    /// The queue number (`priority`); int or float on the wire.
    public var priority: Double
    /// Milliseconds since the epoch: when the server accepted the prompt (`extra_data.create_time`).
    public var createTime: Int?
    /// `execution_start` message's timestamp.
    public var startTime: Int?
    /// The timestamp of the message that ended the run (success, error or interrupt).
    public var endTime: Int?
    public var outputsCount: Int
    public var previewableOutputsCount: Int?
    public var workflowID: String?
    /// The `execution_error` message of a failed run.
    public var error: ExecutionErrorInfo?
    /// The output the server would preview (a file, or `{"content": text}` for text outputs).
    public var previewOutput: JSONValue?
    /// Only in `/api/jobs/{id}`: the outputs by node, as `/history` gives them.
    public var outputs: [OutputFile]

    /// Nil when `json` is not a job (no id).
    public init?(_ json: JSONValue) {
        guard let id = json["id"]?.stringValue, !id.isEmpty else { return nil }
        self.id = id
        rawStatus = json["status"]?.stringValue ?? ""
        status = Status(rawValue: rawStatus) ?? .other
        priority = WireNumber.finite(json["priority"], or: 0)
        createTime = WireNumber.timestampMS(json["create_time"])
        startTime = WireNumber.timestampMS(json["execution_start_time"])
        endTime = WireNumber.timestampMS(json["execution_end_time"])
        outputsCount = WireNumber.count(json["outputs_count"]) ?? 0
        previewableOutputsCount = WireNumber.count(json["previewable_outputs_count"])
        workflowID = json["workflow_id"]?.stringValue
        if let data = json["execution_error"], data.objectValue != nil {
            error = ExecutionErrorInfo(data.setting("prompt_id", .string(id)))
        }
        previewOutput = json["preview_output"].flatMap { $0.isNull ? nil : $0 }
        outputs = (json["outputs"]?.objectValue ?? []).flatMap { node, ui in OutputFile.list(nodeID: node, ui: ui) }
    }

    public var isFinished: Bool { [.completed, .failed, .cancelled].contains(status) }

    public var createdAt: Date? { WireNumber.date(ms: createTime) }
    public var startedAt: Date? { WireNumber.date(ms: startTime) }
    public var endedAt: Date? { WireNumber.date(ms: endTime) }

    /// Seconds between acceptance and start (nil unless both are known and in order).
    public var queueSeconds: Double? { Self.seconds(from: createTime, to: startTime) }
    /// Seconds the run took.
    public var runSeconds: Double? { Self.seconds(from: startTime, to: endTime) }

    public static func seconds(from start: Int?, to end: Int?) -> Double? {
        guard let start, let end, end >= start else { return nil }
        return Double(end - start) / 1000
    }
}

/// One page of `/api/jobs` with the server's totals.
public struct JobPage: Sendable, Equatable {
    public var jobs: [JobInfo]
    public var offset: Int
    public var limit: Int?
    /// How many jobs match in all.
    public var total: Int
    public var hasMore: Bool

    public init(_ json: JSONValue) {
        jobs = (json["jobs"]?.arrayValue ?? []).compactMap(JobInfo.init)
        let pagination = json["pagination"] ?? .object([])
        offset = WireNumber.count(pagination["offset"]) ?? 0
        limit = WireNumber.count(pagination["limit"])
        total = WireNumber.count(pagination["total"]) ?? jobs.count
        hasMore = pagination["has_more"]?.boolValue ?? false
    }
}
