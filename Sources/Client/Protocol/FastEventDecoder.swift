import ComfyJSON
import Foundation

/// A byte-level decoder for the four messages that make up almost all traffic (`progress`, `progress_state`,
/// `executing`, `status`), as ComfyUI's `json.dumps` writes them. It allocates only the strings the event keeps,
/// and with a `StringCache` not even those when they repeat (the prompt id of every frame of a run).
/// Anything it does not expect (another key order, escapes, another type) returns nil and the general decoder
/// takes over, so it can only be faster, never different.
enum FastEventDecoder {
    static func decode(_ b: [UInt8]) -> ServerEvent? {
        var cache = StringCache()
        return b.withUnsafeBufferPointer { decode($0, cache: &cache) }
    }

    static func decode(_ buffer: UnsafeBufferPointer<UInt8>, cache: inout StringCache) -> ServerEvent? {
        guard let base = buffer.baseAddress, !buffer.isEmpty else { return nil }
        var s = Scanner(b: buffer, base: base)
        swap(&s.cache, &cache)
        defer { swap(&s.cache, &cache) }
        return s.event()
    }

    struct Scanner {
        let b: UnsafeBufferPointer<UInt8>
        /// `b`'s first byte (the buffer is never empty).
        let base: UnsafePointer<UInt8>
        var i = 0
        var cache = StringCache()

        @inline(__always)
        mutating func ws() {
            while i < b.count, b[i] == 0x20 || b[i] == 0x0A || b[i] == 0x0D || b[i] == 0x09 { i += 1 }
        }

        @inline(__always)
        mutating func eat(_ c: UInt8) -> Bool {
            ws()
            guard i < b.count, b[i] == c else { return false }
            i += 1
            return true
        }

        /// A string without escapes, as a range.
        @inline(__always)
        mutating func rawString() -> Range<Int>? {
            guard eat(0x22) else { return nil }
            return stringTail()
        }

        /// The rest of a string whose opening quote is read, as a range; nil when it has escapes.
        @inline(__always)
        mutating func stringTail() -> Range<Int>? {
            let start = i
            // Keys and node ids are short: look at them byte by byte; hand longer strings to memchr.
            var end = start
            let limit = Swift.min(b.count, start + 16)
            while end < limit {
                let c = b[end]
                if c == 0x22 {
                    i = end + 1
                    return start..<end
                }
                if c == 0x5C { return nil }
                end += 1
            }
            guard end < b.count, let quote = memchr(base + end, 0x22, b.count - end) else { return nil }
            end = base.distance(to: quote.assumingMemoryBound(to: UInt8.self))
            if memchr(base + start, 0x5C, end - start) != nil { return nil }
            i = end + 1
            return start..<end
        }

        /// Skips `"…"` when it repeats the string at `range` (the prompt id inside every node entry).
        @inline(__always)
        mutating func skipCopy(of range: Range<Int>) -> Bool {
            ws()
            let n = range.count
            guard i + n + 2 <= b.count, b[i] == 0x22, b[i + n + 1] == 0x22,
                memcmp(base + i + 1, base + range.lowerBound, n) == 0
            else { return false }
            i += n + 2
            return true
        }

        func same(_ x: Range<Int>, _ y: Range<Int>) -> Bool {
            x.count == y.count && memcmp(base + x.lowerBound, base + y.lowerBound, x.count) == 0
        }

        @inline(__always)
        func equals(_ r: Range<Int>, _ literal: StaticString) -> Bool {
            r.count == literal.utf8CodeUnitCount
                && memcmp(base + r.lowerBound, literal.utf8Start, r.count) == 0
        }

        mutating func string(_ r: Range<Int>) -> String { cache.string(UnsafeBufferPointer(rebasing: b[r])) }

        /// Skips a string without escapes, or null.
        mutating func skipStringOrNull() -> Bool { null() || rawString() != nil }

        /// `"literal":`, compared in place (no scan for the closing quote).
        @inline(__always)
        mutating func key(_ literal: StaticString) -> Bool {
            ws()
            let n = literal.utf8CodeUnitCount
            guard i + n + 2 <= b.count, b[i] == 0x22, b[i + n + 1] == 0x22,
                memcmp(base + i + 1, literal.utf8Start, n) == 0
            else { return false }
            i += n + 2
            return eat(0x3A)
        }

        mutating func anyKey() -> Range<Int>? {
            guard let r = rawString(), eat(0x3A) else { return nil }
            return r
        }

        /// A progress value: a number the general decoder accepts as one (finite, within ±2^53). Anything else
        /// is nil, and the general decoder takes the frame (and says why it is malformed).
        mutating func number() -> Double? {
            guard let value = numberValue() else { return nil }
            return WireNumber.step(value)
        }

        /// A number, read by the general parser's own number reader (so both read it alike).
        mutating func numberValue() -> JSONValue? {
            ws()
            let start = i
            while i < b.count {
                let c = b[i]
                guard (c >= 0x30 && c <= 0x39) || c == 0x2D || c == 0x2B || c == 0x2E || c == 0x65 || c == 0x45 else {
                    break
                }
                i += 1
            }
            guard i > start else { return nil }
            return JSONValue.number(UnsafeBufferPointer(rebasing: b[start..<i]))
        }

        @inline(__always)
        mutating func null() -> Bool {
            ws()
            guard i + 4 <= b.count, b[i] == 0x6E, b[i + 1] == 0x75, b[i + 2] == 0x6C, b[i + 3] == 0x6C else {
                return false
            }
            i += 4
            return true
        }

        /// A string or null.
        mutating func optionalString() -> String?? {
            if null() { return .some(nil) }
            guard let r = rawString() else { return nil }
            return .some(string(r))
        }

        mutating func event() -> ServerEvent? {
            var type: Range<Int>
            if literal(#"{"type": ""#), let name = stringTail(), literal(#", "data": {"#) {
                type = name
            } else {
                i = 0
                guard eat(0x7B), key("type"), let name = rawString(), eat(0x2C), key("data"), eat(0x7B) else {
                    return nil
                }
                type = name
            }
            if equals(type, "progress") {
                guard let event = progress(), end() else { return nil }
                return event
            } else if equals(type, "progress_state") {
                guard let event = progressState(), end() else { return nil }
                return event
            } else if equals(type, "executing") {
                guard let event = executing(), end() else { return nil }
                return event
            } else if equals(type, "status") {
                guard let event = status(), end() else { return nil }
                return event
            }
            return nil
        }

        /// The frame's closing brace, then nothing.
        mutating func end() -> Bool {
            guard eat(0x7D) else { return false }
            ws()
            return i == b.count
        }

        /// `{"value": 1, "max": 5, "prompt_id": "…", "node": "2"}` (the opening brace is read).
        mutating func progress() -> ServerEvent? {
            let start = i
            if literal(#""value": "#), let value = number(), literal(#", "max": "#), let max = number(),
                literal(#", "prompt_id": "#), let pid = optionalString(), literal(#", "node": "#),
                let node = optionalString(), literal("}")
            {
                return .progress(promptID: pid, node: node, value: value, max: max)
            }
            i = start
            guard key("value"), let value = number(), eat(0x2C), key("max"), let max = number(), eat(0x2C),
                key("prompt_id"), let pid = optionalString(), eat(0x2C), key("node"), let node = optionalString(),
                eat(0x7D)
            else { return nil }
            return .progress(promptID: pid, node: node, value: value, max: max)
        }

        mutating func executing() -> ServerEvent? {
            guard key("node"), let node = optionalString() else { return nil }
            var display: String?
            var pid: String?
            while eat(0x2C) {
                guard let k = anyKey() else { return nil }
                if equals(k, "display_node") {
                    guard let v = optionalString() else { return nil }
                    display = v
                } else if equals(k, "prompt_id") {
                    guard let v = optionalString() else { return nil }
                    pid = v
                } else {
                    return nil
                }
            }
            guard eat(0x7D) else { return nil }
            return .executing(promptID: pid, node: node, displayNode: display)
        }

        mutating func status() -> ServerEvent? {
            guard key("status"), eat(0x7B), key("exec_info"), eat(0x7B), key("queue_remaining"),
                let field = numberValue(), let remaining = WireNumber.count(field), eat(0x7D), eat(0x7D)
            else { return nil }
            var sid: String?
            if eat(0x2C) {
                guard key("sid"), let v = optionalString() else { return nil }
                sid = v
            }
            guard eat(0x7D) else { return nil }
            return .status(queueRemaining: remaining, sid: sid)
        }

        mutating func progressState() -> ServerEvent? {
            let pid: Range<Int>
            if literal(#""prompt_id": ""#), let id = stringTail(), literal(#", "nodes": {"#) {
                pid = id
            } else {
                guard key("prompt_id"), let id = rawString(), eat(0x2C), key("nodes"), eat(0x7B) else { return nil }
                pid = id
            }
            var nodes: [NodeProgress] = []
            nodes.reserveCapacity(4)
            if !eat(0x7D) {
                repeat {
                    guard let id = anyKey(), eat(0x7B) else { return nil }
                    if let entry = canonicalEntry(promptID: pid) {
                        nodes.append(entry)
                        continue
                    }
                    var entry = NodeProgress(nodeID: string(id), displayNodeID: nil, value: 0, max: 1, state: .running)
                    repeat {
                        guard let k = anyKey() else { return nil }
                        if equals(k, "value") {
                            guard let v = number() else { return nil }
                            entry.value = v
                        } else if equals(k, "max") {
                            guard let v = number() else { return nil }
                            entry.max = v
                        } else if equals(k, "state") {
                            guard let v = rawString() else { return nil }
                            entry.state = nodeState(v)
                        } else if equals(k, "node_id") {
                            guard let v = rawString() else { return nil }
                            if !equals(v, "") { entry.nodeID = string(v) }
                        } else if equals(k, "display_node_id") {
                            guard let v = optionalString() else { return nil }
                            entry.displayNodeID = v
                        } else if equals(k, "prompt_id") || equals(k, "parent_node_id") || equals(k, "real_node_id") {
                            guard skipStringOrNull() else { return nil }
                        } else {
                            return nil
                        }
                    } while eat(0x2C)
                    guard eat(0x7D) else { return nil }
                    nodes.append(entry)
                } while eat(0x2C)
                guard eat(0x7D) else { return nil }
            }
            guard eat(0x7D) else { return nil }
            return .progressState(promptID: string(pid), nodes: nodes)
        }

        /// A node entry with the keys in the order the server writes them (after `{`, through `}`); on any
        /// difference it rewinds and returns nil, and the key-by-key loop reads the entry.
        mutating func canonicalEntry(promptID: Range<Int>) -> NodeProgress? {
            let start = i
            guard let entry = canonicalEntryBody(promptID: promptID) else {
                i = start
                return nil
            }
            return entry
        }

        /// The entry byte for byte as `json.dumps` writes it: fixed text between the values, compared whole.
        @inline(__always)
        mutating func canonicalEntryBody(promptID: Range<Int>) -> NodeProgress? {
            guard literal(#""value": "#), let value = number(), literal(#", "max": "#), let max = number(),
                literal(#", "state": ""#), let state = stringTail(), literal(#", "node_id": ""#),
                let node = stringTail(), !node.isEmpty, literal(#", "prompt_id": "#), skipCopy(of: promptID),
                literal(#", "display_node_id": "#)
            else { return nil }
            let nodeID = string(node)
            var display: String?
            if literal(#"null"#) {
                display = nil
            } else if literal(#"""#), let range = stringTail() {
                // Almost always the node itself.
                display = same(range, node) ? nodeID : string(range)
            } else {
                return nil
            }
            guard literal(#", "parent_node_id": "#), skipStringOrNull(), literal(#", "real_node_id": "#),
                skipCopy(of: node) || skipStringOrNull(), literal("}")
            else { return nil }
            return NodeProgress(nodeID: nodeID, displayNodeID: display, value: value, max: max, state: nodeState(state))
        }

        /// Exactly these bytes, here.
        @inline(__always)
        mutating func literal(_ text: StaticString) -> Bool {
            let n = text.utf8CodeUnitCount
            guard i + n <= b.count, memcmp(base + i, text.utf8Start, n) == 0 else { return false }
            i += n
            return true
        }

        func nodeState(_ r: Range<Int>) -> NodeProgress.State {
            if equals(r, "running") { return .running }
            if equals(r, "finished") { return .finished }
            if equals(r, "pending") { return .pending }
            if equals(r, "error") { return .error }
            return .running
        }
    }
}

/// The strings of recent frames (prompt and node ids), so a frame that repeats one reuses it instead of making
/// it again. Direct-mapped on length and a few bytes: a miss costs one comparison, a collision one replacement.
struct StringCache {
    /// Allocated on first use: the scanner holds an empty cache between frames.
    private var slots: [(bytes: [UInt8], string: String)?] = []
    static let size = 64

    mutating func string(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        let n = bytes.count
        guard n > 0, n <= 64 else { return String(decoding: bytes, as: UTF8.self) }
        if slots.isEmpty { slots = Array(repeating: nil, count: Self.size) }
        let slot = (n &* 7 &+ Int(bytes[0]) &* 3 &+ Int(bytes[n - 1]) &* 5 &+ Int(bytes[n / 2])) & (Self.size - 1)
        if let entry = slots[slot], entry.bytes.count == n,
            entry.bytes.withUnsafeBytes({ stored in
                guard let p = stored.baseAddress, let q = bytes.baseAddress else { return false }
                return memcmp(p, q, n) == 0
            })
        {
            return entry.string
        }
        let string = String(decoding: bytes, as: UTF8.self)
        slots[slot] = (Array(bytes), string)
        return string
    }
}
