import Foundation

/// A colour in a theme file.
public enum ThemeColor: Sendable, Equatable {
    /// The terminal's own colour.
    case terminalDefault
    case rgb(UInt8, UInt8, UInt8)
    /// An xterm palette index, 0–255.
    case index(Int)

    static let names: [String: Int] = [
        "black": 0, "red": 1, "green": 2, "yellow": 3, "blue": 4, "magenta": 5, "cyan": 6, "white": 7,
        "bright_black": 8, "gray": 8, "grey": 8, "bright_red": 9, "bright_green": 10, "bright_yellow": 11,
        "bright_blue": 12, "bright_magenta": 13, "bright_cyan": 14, "bright_white": 15,
    ]

    /// Parses `"#RRGGBB"`, `"#RGB"`, `"0"`–`"255"`, an ANSI name, or `""`/`"default"`.
    public init?(parsing raw: String) {
        let s = raw.trimmingCharacters(in: .whitespaces).lowercased()
        if s.isEmpty || s == "default" {
            self = .terminalDefault
        } else if s.hasPrefix("#") {
            var hex = String(s.dropFirst())
            if hex.count == 3 { hex = hex.map { "\($0)\($0)" }.joined() }
            guard hex.count == 6, let v = UInt32(hex, radix: 16) else { return nil }
            self = .rgb(UInt8(v >> 16 & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF))
        } else if let n = Int(s), (0...255).contains(n) {
            self = .index(n)
        } else if let n = Self.names[s] {
            self = .index(n)
        } else {
            return nil
        }
    }
}

/// Emphasis a theme can ask for.
public struct Attributes: OptionSet, Sendable, Hashable {
    public let rawValue: Int
    public init(rawValue: Int) { self.rawValue = rawValue }
    public static let bold = Attributes(rawValue: 1)
    public static let dim = Attributes(rawValue: 2)
    public static let reverse = Attributes(rawValue: 4)
    public static let underline = Attributes(rawValue: 8)

    init?(parsing raw: String) {
        var out: Attributes = []
        for word in raw.lowercased().split(whereSeparator: { $0 == "," || $0 == " " }) {
            switch word {
            case "bold": out.insert(.bold)
            case "dim": out.insert(.dim)
            case "reverse": out.insert(.reverse)
            case "underline": out.insert(.underline)
            case "none", "normal": break
            default: return nil
            }
        }
        self = out
    }
}

/// How one role looks in a theme.
public struct RoleLook: Sendable, Equatable {
    public var fg: ThemeColor = .terminalDefault
    public var bg: ThemeColor = .terminalDefault
    public var attributes: Attributes = []
    /// What the role becomes without colour (state must stay visible by emphasis and glyphs).
    public var mono: Attributes = []
}

/// A colour theme in btop's grammar: `theme[role]="value"`, `theme[role_bg]`, `theme[role_attr]`, `theme[role_mono]`.
public struct Theme: Sendable, Equatable {
    public var name: String
    public var looks: [Role: RoleLook]

    public func look(_ role: Role) -> RoleLook { looks[role] ?? RoleLook() }

    public struct ParseError: Error, Equatable, CustomStringConvertible {
        public var line: Int
        public var message: String
        public var description: String { "line \(line): \(message)" }
    }

    /// Parses a theme file on top of `base` (so a file may set only a few roles).
    public static func parse(_ text: String, name: String, base: Theme? = nil) throws(ParseError) -> Theme {
        var theme = base ?? Theme(name: name, looks: [:])
        theme.name = name
        for (number, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { continue }
            guard line.hasPrefix("theme["), let close = line.firstIndex(of: "]"),
                let eq = line[close...].firstIndex(of: "=")
            else {
                throw ParseError(line: number + 1, message: "expected theme[role]=\"value\"")
            }
            let key = String(line[line.index(line.startIndex, offsetBy: 6)..<close])
            let rest = line[line.index(after: eq)...].trimmingCharacters(in: .whitespaces)
            let value: String
            if rest.hasPrefix("\"") {
                guard let endQuote = rest.dropFirst().firstIndex(of: "\"") else {
                    throw ParseError(line: number + 1, message: "missing closing quote")
                }
                value = String(rest[rest.index(after: rest.startIndex)..<endQuote])
            } else {
                value = String(rest.split(separator: " ").first ?? "")
            }
            try theme.set(key, value, line: number + 1)
        }
        return theme
    }

    mutating func set(_ key: String, _ value: String, line: Int) throws(ParseError) {
        for (suffix, kind) in [("_attr", 1), ("_mono", 2), ("_bg", 3), ("", 0)] {
            guard key.hasSuffix(suffix), let role = Role(rawValue: String(key.dropLast(suffix.count))) else { continue }
            var look = looks[role] ?? RoleLook()
            switch kind {
            case 1, 2:
                guard let attrs = Attributes(parsing: value) else {
                    throw ParseError(line: line, message: "\(key): \"\(value)\" is not bold, dim, reverse or underline")
                }
                if kind == 1 { look.attributes = attrs } else { look.mono = attrs }
            default:
                guard let color = ThemeColor(parsing: value) else {
                    throw ParseError(
                        line: line, message: "\(key): \"\(value)\" is not a colour (#RRGGBB, 0-255, a name, or \"\")")
                }
                if kind == 3 { look.bg = color } else { look.fg = color }
            }
            looks[role] = look
            return
        }
        // Unknown keys are ignored (btop's own keys, newer roles), as btop does.
    }
}
