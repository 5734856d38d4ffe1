/// A byte-level decoder for the four messages that make up almost all traffic (`progress`, `progress_state`,
/// `executing`, `status`), as ComfyUI's `json.dumps` writes them. It allocates only the strings the event keeps.
/// Anything it does not expect (another key order, escapes, another type) returns nil and the general decoder
/// takes over, so it can only be faster, never different.
enum FastEventDecoder {
    static func decode(_ b: [UInt8]) -> ServerEvent? {
        b.withUnsafeBufferPointer { buffer in
            var s = Scanner(b: buffer)
            return s.event()
        }
    }

    struct Scanner {
        let b: UnsafeBufferPointer<UInt8>
        var i = 0

        mutating func ws() {
            while i < b.count, b[i] == 0x20 || b[i] == 0x0A || b[i] == 0x0D || b[i] == 0x09 { i += 1 }
        }

        mutating func eat(_ c: UInt8) -> Bool {
            ws()
            guard i < b.count, b[i] == c else { return false }
            i += 1
            return true
        }

        /// A string without escapes, as a range.
        mutating func rawString() -> Range<Int>? {
            guard eat(0x22) else { return nil }
            let start = i
            while i < b.count, b[i] != 0x22 {
                if b[i] == 0x5C { return nil }
                i += 1
            }
            guard i < b.count else { return nil }
            let range = start..<i
            i += 1
            return range
        }

        func equals(_ r: Range<Int>, _ literal: StaticString) -> Bool {
            guard r.count == literal.utf8CodeUnitCount else { return false }
            let p = literal.utf8Start
            for k in 0..<r.count where b[r.lowerBound + k] != p[k] { return false }
            return true
        }

        func string(_ r: Range<Int>) -> String { String(decoding: UnsafeBufferPointer(rebasing: b[r]), as: UTF8.self) }

        mutating func key(_ literal: StaticString) -> Bool {
            guard let r = rawString(), equals(r, literal) else { return false }
            return eat(0x3A)
        }

        mutating func anyKey() -> Range<Int>? {
            guard let r = rawString(), eat(0x3A) else { return nil }
            return r
        }

        mutating func number() -> Double? {
            ws()
            let start = i
            var isFloat = false
            while i < b.count {
                let c = b[i]
                if (c >= 0x30 && c <= 0x39) || c == 0x2D || c == 0x2B {
                    i += 1
                } else if c == 0x2E || c == 0x65 || c == 0x45 {
                    isFloat = true
                    i += 1
                } else {
                    break
                }
            }
            guard i > start else { return nil }
            if !isFloat {
                var v = 0
                var k = start
                var negative = false
                if b[k] == 0x2D {
                    negative = true
                    k += 1
                }
                while k < i {
                    v = v &* 10 &+ Int(b[k] - 0x30)
                    k += 1
                }
                return Double(negative ? -v : v)
            }
            return Double(string(start..<i))
        }

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
            guard eat(0x7B), key("type"), let type = rawString(), eat(0x2C), key("data"), eat(0x7B) else { return nil }
            let result: ServerEvent?
            if equals(type, "progress") {
                result = progress()
            } else if equals(type, "progress_state") {
                result = progressState()
            } else if equals(type, "executing") {
                result = executing()
            } else if equals(type, "status") {
                result = status()
            } else {
                return nil
            }
            guard let result, eat(0x7D) else { return nil }
            ws()
            return i == b.count ? result : nil
        }

        /// `{"value": 1, "max": 5, "prompt_id": "…", "node": "2"}` (the opening brace is read).
        mutating func progress() -> ServerEvent? {
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
                let remaining = number(), eat(0x7D), eat(0x7D)
            else { return nil }
            var sid: String?
            if eat(0x2C) {
                guard key("sid"), let v = optionalString() else { return nil }
                sid = v
            }
            guard eat(0x7D) else { return nil }
            return .status(queueRemaining: Int(remaining), sid: sid)
        }

        mutating func progressState() -> ServerEvent? {
            guard key("prompt_id"), let pid = rawString(), eat(0x2C), key("nodes"), eat(0x7B) else { return nil }
            var nodes: [NodeProgress] = []
            if !eat(0x7D) {
                repeat {
                    guard let id = anyKey(), eat(0x7B) else { return nil }
                    var entry = NodeProgress(nodeID: string(id), displayNodeID: nil, value: 0, max: 1, state: "running")
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
                            entry.state =
                                equals(v, "running") ? "running" : equals(v, "finished") ? "finished" : string(v)
                        } else if equals(k, "node_id") {
                            guard let v = rawString() else { return nil }
                            if !equals(v, "") { entry.nodeID = string(v) }
                        } else if equals(k, "display_node_id") {
                            guard let v = optionalString() else { return nil }
                            entry.displayNodeID = v
                        } else if equals(k, "prompt_id") || equals(k, "parent_node_id") || equals(k, "real_node_id") {
                            guard optionalString() != nil else { return nil }
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
    }
}
