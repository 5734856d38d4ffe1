import Foundation

/// Why a JSON text could not be parsed, with Python's wording and position.
public struct JSONParseError: Error, CustomStringConvertible, Sendable {
    public let message: String
    public let offset: Int
    public var description: String { "\(message): char \(offset)" }
}

extension JSONValue {
    /// Parses JSON text, keeping key order and the int/float distinction.
    public static func parse(_ text: String) throws(JSONParseError) -> JSONValue {
        try parse(Array(text.utf8))
    }

    /// Parses UTF-8 JSON bytes, keeping key order and the int/float distinction.
    public static func parse(_ bytes: [UInt8]) throws(JSONParseError) -> JSONValue {
        try parse(bytes[...])
    }

    /// Parses part of a buffer (a value kept raw by `JSONCursor.skip`).
    public static func parse(_ bytes: ArraySlice<UInt8>) throws(JSONParseError) -> JSONValue {
        let result: Result<JSONValue, JSONParseError> = bytes.withUnsafeBufferPointer { buffer in
            var parser = JSONParser(bytes: buffer)
            do throws(JSONParseError) {
                parser.skipWhitespace()
                let value = try parser.parseValue(depth: 0)
                parser.skipWhitespace()
                guard parser.index == buffer.count else { throw parser.error("Extra data") }
                return .success(value)
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }
}

extension JSONValue {
    /// The JSON number that fills `bytes` exactly, read as the parser reads it (nil for anything else): for
    /// scanners that find a number's extent themselves.
    public static func number(_ bytes: UnsafeBufferPointer<UInt8>) -> JSONValue? {
        var parser = JSONParser(bytes: bytes)
        guard let value = try? parser.parseNumber(), parser.index == bytes.count else { return nil }
        return value
    }
}

/// Reads a JSON document piece by piece: parse the values you need, skip the rest (keeping their bytes for
/// later). Big bodies (`/history`) are read this way so the parts nobody looks at are never built.
public struct JSONCursor {
    let storage: [UInt8]
    var offset = 0

    public init(_ bytes: [UInt8]) { storage = bytes }

    private mutating func run<R>(_ body: (inout JSONParser) throws(JSONParseError) -> R) throws(JSONParseError) -> R {
        let start = offset
        let result: Result<(R, Int), JSONParseError> = storage.withUnsafeBufferPointer { buffer in
            var parser = JSONParser(bytes: buffer)
            parser.index = start
            do throws(JSONParseError) {
                let value = try body(&parser)
                return .success((value, parser.index))
            } catch {
                return .failure(error)
            }
        }
        let (value, end) = try result.get()
        offset = end
        return value
    }

    /// The next value, built.
    public mutating func value() throws(JSONParseError) -> JSONValue {
        try run { p throws(JSONParseError) in
            p.skipWhitespace()
            return try p.parseValue(depth: 1)
        }
    }

    /// Skips the next value, checking its shape (brackets, strings, literals) without building it; returns its bytes.
    public mutating func skip() throws(JSONParseError) -> ArraySlice<UInt8> {
        let range = try run { p throws(JSONParseError) in
            p.skipWhitespace()
            let start = p.index
            try p.skipValue(depth: 1)
            return start..<p.index
        }
        return storage[range]
    }

    /// Enters an object and calls `body` for each key; `body` must read or skip that key's value.
    public mutating func forEachKey(_ body: (inout JSONCursor, String) throws(JSONParseError) -> Void)
        throws(JSONParseError)
    {
        var empty = try run { p throws(JSONParseError) in try p.enter(UInt8(ascii: "{"), UInt8(ascii: "}")) }
        while !empty {
            let key = try run { p throws(JSONParseError) in try p.memberKey() }
            try body(&self, key)
            empty = try run { p throws(JSONParseError) in try p.afterMember(closing: UInt8(ascii: "}")) }
        }
    }

    /// Enters an array and calls `body` for each item (with its index); `body` must read or skip the item.
    public mutating func forEachItem(_ body: (inout JSONCursor, Int) throws(JSONParseError) -> Void)
        throws(JSONParseError)
    {
        var done = try run { p throws(JSONParseError) in try p.enter(UInt8(ascii: "["), UInt8(ascii: "]")) }
        var n = 0
        while !done {
            try body(&self, n)
            n += 1
            done = try run { p throws(JSONParseError) in try p.afterMember(closing: UInt8(ascii: "]")) }
        }
    }

    /// Nothing but whitespace is left.
    public mutating func end() throws(JSONParseError) {
        try run { p throws(JSONParseError) in
            p.skipWhitespace()
            guard p.index == p.bytes.count else { throw p.error("Extra data") }
        }
    }
}

struct JSONParser {
    let bytes: UnsafeBufferPointer<UInt8>
    var index = 0
    static let maxDepth = 512

    init(bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    func error(_ message: String) -> JSONParseError { JSONParseError(message: message, offset: index) }

    @inline(__always)
    mutating func skipWhitespace() {
        while index < bytes.count {
            let c = bytes[index]
            guard c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 else { return }
            index += 1
        }
    }

    /// At `open` (after whitespace): steps in; true when the container is empty (then it has stepped out too).
    mutating func enter(_ open: UInt8, _ close: UInt8) throws(JSONParseError) -> Bool {
        skipWhitespace()
        guard index < bytes.count, bytes[index] == open else { throw error("Expecting value") }
        index += 1
        skipWhitespace()
        guard index < bytes.count, bytes[index] == close else { return false }
        index += 1
        return true
    }

    /// An object member's `"key":`.
    mutating func memberKey() throws(JSONParseError) -> String {
        skipWhitespace()
        guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else {
            throw error("Expecting property name enclosed in double quotes")
        }
        let key = try parseString()
        skipWhitespace()
        guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw error("Expecting ':' delimiter") }
        index += 1
        return key
    }

    /// After an object member or array item: `,` (more follow: false) or the closing bracket (done: true).
    mutating func afterMember(closing: UInt8) throws(JSONParseError) -> Bool {
        skipWhitespace()
        guard index < bytes.count else { throw error("Expecting ',' delimiter") }
        if bytes[index] == UInt8(ascii: ",") {
            index += 1
            return false
        }
        if bytes[index] == closing {
            index += 1
            return true
        }
        throw error("Expecting ',' delimiter")
    }

    mutating func parseValue(depth: Int) throws(JSONParseError) -> JSONValue {
        guard depth < Self.maxDepth else { throw error("Nesting too deep") }
        guard index < bytes.count else { throw error("Expecting value") }
        switch bytes[index] {
        case UInt8(ascii: "{"): return try parseObject(depth: depth)
        case UInt8(ascii: "["): return try parseArray(depth: depth)
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): return try literal("true", .bool(true))
        case UInt8(ascii: "f"): return try literal("false", .bool(false))
        case UInt8(ascii: "n"): return try literal("null", .null)
        case UInt8(ascii: "N"): return try literal("NaN", .double(.nan))
        case UInt8(ascii: "I"): return try literal("Infinity", .double(.infinity))
        default: return try parseNumber()
        }
    }

    /// Skips a value, checking what a parse would check except the text of numbers and strings' escapes.
    mutating func skipValue(depth: Int) throws(JSONParseError) {
        guard depth < Self.maxDepth else { throw error("Nesting too deep") }
        guard index < bytes.count else { throw error("Expecting value") }
        switch bytes[index] {
        case UInt8(ascii: "{"):
            if try enter(UInt8(ascii: "{"), UInt8(ascii: "}")) { return }
            repeat {
                skipWhitespace()
                guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else {
                    throw error("Expecting property name enclosed in double quotes")
                }
                try skipString()
                skipWhitespace()
                guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else {
                    throw error("Expecting ':' delimiter")
                }
                index += 1
                skipWhitespace()
                try skipValue(depth: depth + 1)
            } while try !afterMember(closing: UInt8(ascii: "}"))
        case UInt8(ascii: "["):
            if try enter(UInt8(ascii: "["), UInt8(ascii: "]")) { return }
            repeat {
                skipWhitespace()
                try skipValue(depth: depth + 1)
            } while try !afterMember(closing: UInt8(ascii: "]"))
        case UInt8(ascii: "\""): try skipString()
        default: _ = try parseValue(depth: depth)
        }
    }

    mutating func skipString() throws(JSONParseError) {
        let start = index
        index += 1
        while index < bytes.count {
            let c = bytes[index]
            if c == UInt8(ascii: "\"") {
                index += 1
                return
            }
            if c == UInt8(ascii: "\\") {
                index += 2
                continue
            }
            if c < 0x20 { throw error("Invalid control character at") }
            index += 1
        }
        index = start
        throw error("Unterminated string starting at")
    }

    mutating func literal(_ word: StaticString, _ value: JSONValue) throws(JSONParseError) -> JSONValue {
        let n = word.utf8CodeUnitCount
        guard index + n <= bytes.count else { throw error("Expecting value") }
        let w = word.utf8Start
        for k in 0..<n where bytes[index + k] != w[k] { throw error("Expecting value") }
        index += n
        return value
    }

    mutating func parseObject(depth: Int) throws(JSONParseError) -> JSONValue {
        var pairs: [(String, JSONValue)] = []
        /// Key positions, once the object is large enough that a linear search for duplicates would cost.
        var positions: [String: Int]?
        if try enter(UInt8(ascii: "{"), UInt8(ascii: "}")) { return .object(pairs) }
        while true {
            let key = try memberKey()
            skipWhitespace()
            let value = try parseValue(depth: depth + 1)
            // A repeated key keeps its first place and takes the last value, as a Python dict does.
            if positions == nil, pairs.count >= 16 {
                positions = Dictionary(pairs.enumerated().map { ($0.element.0, $0.offset) }) { first, _ in first }
            }
            if let existing = positions != nil ? positions?[key] : pairs.firstIndex(where: { $0.0 == key }) {
                pairs[existing].1 = value
            } else {
                positions?[key] = pairs.count
                pairs.append((key, value))
            }
            if try afterMember(closing: UInt8(ascii: "}")) { return .object(pairs) }
        }
    }

    mutating func parseArray(depth: Int) throws(JSONParseError) -> JSONValue {
        var items: [JSONValue] = []
        if try enter(UInt8(ascii: "["), UInt8(ascii: "]")) { return .array(items) }
        while true {
            skipWhitespace()
            items.append(try parseValue(depth: depth + 1))
            if try afterMember(closing: UInt8(ascii: "]")) { return .array(items) }
        }
    }

    mutating func parseHex4() throws(JSONParseError) -> UInt32 {
        guard index + 4 <= bytes.count else { throw error("Invalid \\uXXXX escape") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let c = bytes[index]
            let digit: UInt32
            switch c {
            case 0x30...0x39: digit = UInt32(c - 0x30)
            case 0x41...0x46: digit = UInt32(c - 0x41 + 10)
            case 0x61...0x66: digit = UInt32(c - 0x61 + 10)
            default: throw error("Invalid \\uXXXX escape")
            }
            value = value << 4 | digit
            index += 1
        }
        return value
    }

    mutating func parseString() throws(JSONParseError) -> String {
        index += 1
        // Most strings have no escapes: find the closing quote and take the bytes as they are.
        let start = index
        while index < bytes.count {
            let c = bytes[index]
            if c == UInt8(ascii: "\"") {
                let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
                index += 1
                return text
            }
            if c == UInt8(ascii: "\\") { break }
            if c < 0x20 { throw error("Invalid control character at") }
            index += 1
        }
        var out = Array(bytes[start..<index])
        while index < bytes.count {
            let c = bytes[index]
            if c == UInt8(ascii: "\"") {
                index += 1
                return String(decoding: out, as: UTF8.self)
            }
            if c == UInt8(ascii: "\\") {
                index += 1
                guard index < bytes.count else { break }
                let e = bytes[index]
                index += 1
                switch e {
                case UInt8(ascii: "\""): out.append(0x22)
                case UInt8(ascii: "\\"): out.append(0x5C)
                case UInt8(ascii: "/"): out.append(0x2F)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "u"):
                    var scalar = try parseHex4()
                    if (0xD800..<0xDC00).contains(scalar), index + 1 < bytes.count, bytes[index] == 0x5C,
                        bytes[index + 1] == UInt8(ascii: "u")
                    {
                        let save = index
                        index += 2
                        let low = try parseHex4()
                        if (0xDC00..<0xE000).contains(low) {
                            scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                        } else {
                            index = save
                        }
                    }
                    let u = Unicode.Scalar(scalar) ?? "\u{FFFD}"
                    out.append(contentsOf: Array(String(Character(u)).utf8))
                default: throw error("Invalid \\escape")
                }
                continue
            }
            if c < 0x20 { throw error("Invalid control character at") }
            out.append(c)
            index += 1
        }
        throw error("Unterminated string starting at")
    }

    static let powersOfTen: [Double] = (0...15).map { pow(10, Double($0)) }

    mutating func parseNumber() throws(JSONParseError) -> JSONValue {
        let start = index
        var isFloat = false
        var negative = false
        if index < bytes.count, bytes[index] == UInt8(ascii: "-") {
            negative = true
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "I") {
                _ = try literal("Infinity", .null)
                return .double(-.infinity)
            }
        }
        let digitsStart = index
        var mantissa = 0
        while index < bytes.count, bytes[index] >= 0x30, bytes[index] <= 0x39 {
            mantissa = mantissa &* 10 &+ Int(bytes[index] - 0x30)
            index += 1
        }
        let intDigits = index - digitsStart
        guard intDigits > 0 else {
            index = start
            throw error("Expecting value")
        }
        var fracDigits = 0
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            isFloat = true
            index += 1
            let fracStart = index
            while index < bytes.count, bytes[index] >= 0x30, bytes[index] <= 0x39 {
                mantissa = mantissa &* 10 &+ Int(bytes[index] - 0x30)
                index += 1
            }
            fracDigits = index - fracStart
            guard fracDigits > 0 else { throw error("Expecting value") }
        }
        var hasExponent = false
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            isFloat = true
            hasExponent = true
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") {
                index += 1
            }
            while index < bytes.count, bytes[index] >= 0x30, bytes[index] <= 0x39 { index += 1 }
        }
        // Up to 15 digits the value is exact in a Double and one division by an exact power of ten rounds
        // correctly: the same result as Double(String), without the string.
        if !hasExponent, intDigits + fracDigits <= 15 {
            if !isFloat { return .int(negative ? -mantissa : mantissa) }
            let value = Double(mantissa) / Self.powersOfTen[fracDigits]
            return .double(negative ? -value : value)
        }
        let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
        if !isFloat, let i = Int(text) { return .int(i) }
        guard let d = Double(text) else { throw error("Expecting value") }
        return .double(d)
    }
}

extension JSONCursor {
    /// Where the cursor is, in bytes from the start.
    public var position: Int { offset }

    /// Bytes of the document (shared with it, not copied).
    public func bytes(_ range: Range<Int>) -> ArraySlice<UInt8> { storage[range] }
}

/// A JSON value kept as its bytes until someone asks for it: the graphs and browser workflows that make up most
/// of a `/history` body, which a list of runs never looks at.
public struct LazyJSON: Sendable, Equatable {
    enum Storage: Sendable {
        case value(JSONValue)
        case raw(ArraySlice<UInt8>)
    }

    var storage: Storage

    public init(_ value: JSONValue) { storage = .value(value) }

    /// Bytes from `JSONCursor.skip`: their shape is checked, their contents are read on first use.
    public init(raw: ArraySlice<UInt8>) { storage = .raw(raw) }

    /// The value (parsed now if it was kept raw; null if its text turns out not to parse).
    public var value: JSONValue {
        switch storage {
        case .value(let value): return value
        case .raw(let bytes): return (try? JSONValue.parse(bytes)) ?? .null
        }
    }

    public static func == (a: LazyJSON, b: LazyJSON) -> Bool {
        if case .raw(let x) = a.storage, case .raw(let y) = b.storage, x.elementsEqual(y) { return true }
        return a.value == b.value
    }
}
