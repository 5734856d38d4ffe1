import Foundation

/// What the writer does with NaN and the infinities, which JSON has no words for.
public enum NonFiniteNumbers: Sendable {
    /// `null`: the text stays JSON (for `--json`, files and requests).
    case null
    /// `NaN`, `Infinity`, `-Infinity`, as Python's `json.dumps` writes them (for the mock, imitating a server).
    case python
}

extension JSONValue {
    /// Serialises as Python's `json.dumps` does by default: `", "` and `": "` separators,
    /// non-ASCII escaped as `\uXXXX`, floats in `repr` form (`1.0`, `0.5`); NaN and infinities as `null`, so
    /// that the text is always JSON.
    public var pythonJSON: String { pythonJSON(nonFinite: .null) }

    /// The same text as UTF-8 bytes.
    public var pythonJSONBytes: [UInt8] { pythonJSONBytes(nonFinite: .null) }

    /// The text, with NaN and infinities written as `nonFinite` says.
    public func pythonJSON(nonFinite: NonFiniteNumbers) -> String {
        String(decoding: pythonJSONBytes(nonFinite: nonFinite), as: UTF8.self)
    }

    /// The bytes, with NaN and infinities written as `nonFinite` says.
    public func pythonJSONBytes(nonFinite: NonFiniteNumbers) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(256)
        Self.write(self, into: &out, nonFinite: nonFinite)
        return out
    }

    static func write(_ value: JSONValue, into out: inout [UInt8], nonFinite: NonFiniteNumbers) {
        switch value {
        case .null: out.append(contentsOf: Array("null".utf8))
        case .bool(let b): out.append(contentsOf: Array((b ? "true" : "false").utf8))
        case .int(let i): out.append(contentsOf: Array(String(i).utf8))
        case .double(let d) where !d.isFinite && nonFinite == .null: out.append(contentsOf: Array("null".utf8))
        case .double(let d): out.append(contentsOf: Array(pythonFloat(d).utf8))
        case .string(let s): writeString(s, into: &out)
        case .array(let items):
            out.append(UInt8(ascii: "["))
            for (n, item) in items.enumerated() {
                if n > 0 { out.append(contentsOf: [0x2C, 0x20]) }
                write(item, into: &out, nonFinite: nonFinite)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let pairs):
            out.append(UInt8(ascii: "{"))
            for (n, (key, item)) in pairs.enumerated() {
                if n > 0 { out.append(contentsOf: [0x2C, 0x20]) }
                writeString(key, into: &out)
                out.append(contentsOf: [0x3A, 0x20])
                write(item, into: &out, nonFinite: nonFinite)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    /// Python's float repr: always a decimal point or exponent, `NaN`/`Infinity` as Python writes them.
    static func pythonFloat(_ d: Double) -> String {
        if d.isNaN { return "NaN" }
        if d.isInfinite { return d < 0 ? "-Infinity" : "Infinity" }
        if d == d.rounded(), abs(d) < 1e16 { return String(format: "%.1f", d) }
        var s = "\(d)"
        if let e = s.firstIndex(of: "e") {
            // Swift writes 1e-05 like Python; make sure the exponent has at least two digits and a sign.
            let mantissa = s[..<e]
            var exponent = String(s[s.index(after: e)...])
            var sign = "+"
            if exponent.hasPrefix("-") || exponent.hasPrefix("+") {
                if exponent.hasPrefix("-") { sign = "-" }
                exponent.removeFirst()
            }
            if exponent.count < 2 { exponent = "0" + exponent }
            s = "\(mantissa)e\(sign)\(exponent)"
        }
        return s
    }

    static func writeString(_ s: String, into out: inout [UInt8]) {
        let hex = Array("0123456789abcdef".utf8)
        func escape(_ unit: UInt16, _ out: inout [UInt8]) {
            out.append(contentsOf: [0x5C, UInt8(ascii: "u")])
            out.append(hex[Int(unit >> 12 & 0xF)])
            out.append(hex[Int(unit >> 8 & 0xF)])
            out.append(hex[Int(unit >> 4 & 0xF)])
            out.append(hex[Int(unit & 0xF)])
        }
        out.append(0x22)
        for unit in s.utf16 {
            switch unit {
            case 0x22: out.append(contentsOf: [0x5C, 0x22])
            case 0x5C: out.append(contentsOf: [0x5C, 0x5C])
            case 0x0A: out.append(contentsOf: [0x5C, UInt8(ascii: "n")])
            case 0x0D: out.append(contentsOf: [0x5C, UInt8(ascii: "r")])
            case 0x09: out.append(contentsOf: [0x5C, UInt8(ascii: "t")])
            case 0x08: out.append(contentsOf: [0x5C, UInt8(ascii: "b")])
            case 0x0C: out.append(contentsOf: [0x5C, UInt8(ascii: "f")])
            case 0x20..<0x7F: out.append(UInt8(unit))
            default: escape(unit, &out)
            }
        }
        out.append(0x22)
    }

    /// Python's `repr()` of a value inside a list, as validation messages show it (`'a'`, `1`, `True`).
    public var pythonRepr: String {
        switch self {
        case .null: return "None"
        case .bool(let b): return b ? "True" : "False"
        case .int(let i): return String(i)
        case .double(let d) where d.isNaN: return "nan"
        case .double(let d) where d.isInfinite: return d < 0 ? "-inf" : "inf"
        case .double(let d): return Self.pythonFloat(d)
        case .string(let s):
            return "'" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "\\'") + "'"
        case .array(let items): return "[" + items.map(\.pythonRepr).joined(separator: ", ") + "]"
        case .object(let pairs):
            return "{" + pairs.map { "'\($0.0)': \($0.1.pythonRepr)" }.joined(separator: ", ") + "}"
        }
    }

    /// Python's `str()` of a value (strings without quotes).
    public var pythonStr: String {
        if case .string(let s) = self { return s }
        return pythonRepr
    }
}
