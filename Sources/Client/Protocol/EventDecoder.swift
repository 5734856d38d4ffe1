import ComfyJSON
import Foundation

/// Turns WebSocket frames into `ServerEvent`s. Tolerant: unknown keys are ignored, a malformed frame becomes
/// `.malformed` with the reason, and nothing here traps.
public enum EventDecoder {
    /// Decodes a text frame (`{"type": ..., "data": ...}`).
    public static func decode(text: String) -> ServerEvent {
        var decoder = FrameDecoder()
        return decoder.decode(text: text)
    }

    /// The general decoder alone (for tests that compare it with the fast path).
    static func decodeGeneral(text: String) -> ServerEvent {
        general(Array(text.utf8), raw: text)
    }

    /// Decodes a text frame given as UTF-8 bytes.
    public static func decode(bytes: [UInt8]) -> ServerEvent {
        var decoder = FrameDecoder()
        return decoder.decode(bytes: bytes)
    }

    static func general(_ textBytes: [UInt8], raw: @autoclosure () -> String) -> ServerEvent {
        let message: JSONValue
        do {
            message = try JSONValue.parse(textBytes)
        } catch {
            return .malformed(reason: "not JSON (\(error))", raw: String(raw().prefix(200)))
        }
        guard let type = message["type"]?.stringValue else {
            return .malformed(reason: "no \"type\" field", raw: String(raw().prefix(200)))
        }
        let data = message["data"] ?? .null
        switch type {
        case "status":
            guard let field = data["status"]?["exec_info"]?["queue_remaining"] else {
                return .malformed(
                    reason: "status without status.exec_info.queue_remaining", raw: String(raw().prefix(200)))
            }
            guard let remaining = WireNumber.count(field) else {
                return outOfRange("queue_remaining", field, type, raw())
            }
            return .status(queueRemaining: remaining, sid: data["sid"]?.stringValue)
        case "execution_start":
            guard let id = data["prompt_id"]?.stringValue else { return missing("prompt_id", type, raw()) }
            return .executionStart(promptID: id, timestamp: WireNumber.timestampMS(data["timestamp"]))
        case "execution_cached":
            guard let id = data["prompt_id"]?.stringValue else { return missing("prompt_id", type, raw()) }
            return .executionCached(
                promptID: id, nodes: data["nodes"]?.arrayValue?.compactMap(\.pythonStrOrNil) ?? [],
                timestamp: WireNumber.timestampMS(data["timestamp"]))
        case "executing":
            return .executing(
                promptID: data["prompt_id"]?.stringValue, node: data["node"]?.pythonStrOrNil,
                displayNode: data["display_node"]?.pythonStrOrNil)
        case "progress":
            guard let valueField = data["value"], valueField.doubleValue != nil, let maxField = data["max"],
                maxField.doubleValue != nil
            else { return missing("value/max", type, raw()) }
            guard let value = WireNumber.step(valueField) else { return outOfRange("value", valueField, type, raw()) }
            guard let max = WireNumber.step(maxField) else { return outOfRange("max", maxField, type, raw()) }
            return .progress(
                promptID: data["prompt_id"]?.stringValue, node: data["node"]?.pythonStrOrNil, value: value, max: max)
        case "progress_state":
            guard let id = data["prompt_id"]?.stringValue else { return missing("prompt_id", type, raw()) }
            var nodes: [NodeProgress] = []
            for (key, entry) in data["nodes"]?.objectValue ?? [] {
                let value = entry["value"] ?? 0
                let max = entry["max"] ?? 1
                // A number that is not a number reads as the default, as before; one out of range spoils the message.
                guard value.doubleValue == nil || WireNumber.step(value) != nil else {
                    return outOfRange("value", value, type, raw())
                }
                guard max.doubleValue == nil || WireNumber.step(max) != nil else {
                    return outOfRange("max", max, type, raw())
                }
                nodes.append(
                    NodeProgress(
                        nodeID: entry["node_id"]?.pythonStrOrNil ?? key,
                        displayNodeID: entry["display_node_id"]?.pythonStrOrNil, value: value.doubleValue ?? 0,
                        max: max.doubleValue ?? 1,
                        state: entry["state"]?.stringValue.flatMap(NodeProgress.State.init(rawValue:)) ?? .running,
                        activity: entry["activity"]?.stringValue.map { String($0.prefix(200)) }))
            }
            return .progressState(promptID: id, nodes: nodes)
        case "executed":
            guard let id = data["prompt_id"]?.stringValue, let node = data["node"]?.pythonStrOrNil else {
                return missing("prompt_id/node", type, raw())
            }
            let output = data["output"].flatMap { $0.isNull ? nil : $0 }
            return .executed(
                promptID: id, node: node, displayNode: data["display_node"]?.pythonStrOrNil, output: output)
        case "execution_success":
            guard let id = data["prompt_id"]?.stringValue else { return missing("prompt_id", type, raw()) }
            return .executionSuccess(promptID: id, timestamp: WireNumber.timestampMS(data["timestamp"]))
        case "execution_error":
            guard data["prompt_id"]?.stringValue != nil else { return missing("prompt_id", type, raw()) }
            return .executionError(ExecutionErrorInfo(data))
        case "execution_interrupted":
            guard let id = data["prompt_id"]?.stringValue else { return missing("prompt_id", type, raw()) }
            return .executionInterrupted(
                promptID: id, nodeID: data["node_id"]?.pythonStrOrNil, nodeType: data["node_type"]?.stringValue,
                executed: data["executed"]?.arrayValue?.compactMap(\.pythonStrOrNil) ?? [],
                timestamp: WireNumber.timestampMS(data["timestamp"]))
        case "feature_flags":
            return .featureFlags(data)
        case "logs":
            let entries = (data["entries"]?.arrayValue ?? []).map {
                LogEntry(time: $0["t"]?.stringValue ?? "", message: $0["m"]?.stringValue ?? "")
            }
            return .logs(entries)
        default:
            return .unknown(type: type, data: data)
        }
    }

    private static func outOfRange(_ field: String, _ value: JSONValue, _ type: String, _ raw: String)
        -> ServerEvent
    {
        .malformed(
            reason: "\(type) with \(field) out of range (\(value.pythonJSON.prefix(40)))", raw: String(raw.prefix(200)))
    }

    private static func missing(_ field: String, _ type: String, _ raw: String) -> ServerEvent {
        .malformed(reason: "\(type) without \(field)", raw: String(raw.prefix(200)))
    }

    /// Decodes a binary frame: big-endian u32 event type, then the payload.
    public static func decode(binary bytes: [UInt8]) -> ServerEvent {
        guard bytes.count >= 4 else { return .malformed(reason: "binary frame shorter than 4 bytes", raw: hex(bytes)) }
        let type = u32(bytes, 0)
        switch type {
        case 1:
            guard bytes.count >= 8 else {
                return .malformed(reason: "preview frame without image format", raw: hex(bytes))
            }
            let format: PreviewImage.Format
            switch u32(bytes, 4) {
            case 1: format = .jpeg
            case 2: format = .png
            case let other: format = .other("format \(other)")
            }
            return .preview(
                PreviewImage(format: format, bytes: Array(bytes[8...]), promptID: nil, nodeID: nil, displayNodeID: nil))
        case 3:
            guard bytes.count >= 8 else {
                return .malformed(reason: "text frame without node id length", raw: hex(bytes))
            }
            let length = Int(u32(bytes, 4))
            guard length <= bytes.count - 8 else {
                return .malformed(reason: "text frame node id length \(length) exceeds frame", raw: hex(bytes))
            }
            let node = String(decoding: bytes[8..<8 + length], as: UTF8.self)
            return .progressText(nodeID: node, text: String(decoding: bytes[(8 + length)...], as: UTF8.self))
        case 4:
            guard bytes.count >= 8 else {
                return .malformed(reason: "preview frame without metadata length", raw: hex(bytes))
            }
            let length = Int(u32(bytes, 4))
            guard length <= bytes.count - 8, let meta = try? JSONValue.parse(Array(bytes[8..<8 + length])) else {
                return .malformed(reason: "preview metadata is not valid JSON or exceeds the frame", raw: hex(bytes))
            }
            let mime = meta["image_type"]?.stringValue ?? "image/jpeg"
            let format: PreviewImage.Format =
                mime == "image/jpeg" ? .jpeg : mime == "image/png" ? .png : .other(mime)
            return .preview(
                PreviewImage(
                    format: format, bytes: Array(bytes[(8 + length)...]), promptID: meta["prompt_id"]?.stringValue,
                    nodeID: meta["node_id"]?.pythonStrOrNil, displayNodeID: meta["display_node_id"]?.pythonStrOrNil))
        default:
            return .unknownBinary(type: type, bytes: bytes)
        }
    }

    static func u32(_ b: [UInt8], _ i: Int) -> UInt32 {
        UInt32(b[i]) << 24 | UInt32(b[i + 1]) << 16 | UInt32(b[i + 2]) << 8 | UInt32(b[i + 3])
    }

    static func hex(_ bytes: [UInt8]) -> String {
        bytes.prefix(16).map { String(format: "%02x", $0) }.joined()
    }
}

/// Decodes the frames of one connection, in order. Keeps the strings that repeat from frame to frame, so the
/// steady stream of progress frames allocates almost nothing. One per connection; not shared between threads.
public struct FrameDecoder {
    var cache = StringCache()

    public init() {}

    public mutating func decode(text: String) -> ServerEvent {
        var utf8 = text
        return utf8.withUTF8 { decode($0, raw: text) }
    }

    public mutating func decode(bytes: [UInt8]) -> ServerEvent {
        bytes.withUnsafeBufferPointer { decode($0, raw: String(decoding: bytes, as: UTF8.self)) }
    }

    public mutating func decode(binary bytes: [UInt8]) -> ServerEvent { EventDecoder.decode(binary: bytes) }

    mutating func decode(_ buffer: UnsafeBufferPointer<UInt8>, raw: @autoclosure () -> String) -> ServerEvent {
        if let fast = FastEventDecoder.decode(buffer, cache: &cache) { return fast }
        return EventDecoder.general(Array(buffer), raw: raw())
    }
}
