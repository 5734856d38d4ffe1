import Foundation

/// Text from a server made safe to write into comfytop's TOML config: bare keys, basic strings and comments.
/// Whatever a server calls its machines, it can only become a key of `A-Z a-z 0-9 - _`, a string with every
/// quote, backslash and control escaped, or a one-line comment with its controls shown as visible escapes.
public enum TOMLText {
    /// The longest key made from a server's name.
    static let maxKeyLength = 40

    /// A bare key from any text: letters folded to ASCII and lowercased, every run of other characters one `-`,
    /// no `-` at either end, at most 40 characters. Empty when nothing usable is left (the caller picks a name).
    /// Keys stay usable on the command line too (`--server a,b` splits on commas).
    public static func bareKey(_ text: String) -> String {
        let folded = text.folding(options: [.diacriticInsensitive, .caseInsensitive, .widthInsensitive], locale: nil)
        var out = ""
        var pendingDash = false
        for scalar in folded.unicodeScalars {
            let allowed = scalar.isASCII && (CharacterSet.alphanumerics.contains(scalar) || scalar == "_")
            if allowed {
                if pendingDash && !out.isEmpty { out.append("-") }
                pendingDash = false
                out.unicodeScalars.append(scalar)
            } else {
                pendingDash = true
            }
            if out.count >= maxKeyLength { break }
        }
        return String(out.prefix(maxKeyLength).lowercased())
    }

    /// True for a key that can be written bare (`[servers.KEY]`).
    public static func isBareKey(_ key: String) -> Bool {
        !key.isEmpty
            && key.unicodeScalars.allSatisfy {
                $0.isASCII && (CharacterSet.alphanumerics.contains($0) || $0 == "_" || $0 == "-")
            }
    }

    /// A TOML basic string, quotes included: `"`, `\` and every control character escaped.
    public static func basicString(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            default:
                let v = scalar.value
                if v < 0x20 || v == 0x7F || (0x80...0x9F).contains(v) || TerminalText.isBidiControl(v)
                    || v == 0x2028 || v == 0x2029
                {
                    out += String(format: "\\u%04X", v)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }

    /// Text for a one-line comment: controls (newlines included) shown as visible escapes, at most `limit`
    /// characters (an ellipsis says it was cut).
    public static func comment(_ text: String, limit: Int = 80) -> String {
        var safe = TerminalText.sanitize(text)
        safe = String(
            safe.unicodeScalars.map { $0.value == 0x2028 || $0.value == 0x2029 ? " " : Character($0) })
        return safe.count > limit ? String(safe.prefix(limit - 1)) + "…" : safe
    }
}
