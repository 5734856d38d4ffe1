import Foundation

/// One challenge of a `WWW-Authenticate` header (RFC 9110 §11.6.1): `Basic realm="lab"`, `Bearer error="…"`.
public struct AuthChallenge: Sendable, Equatable {
    /// The scheme, lowercased: "basic", "bearer", "digest", "negotiate"…
    public var scheme: String
    /// The parameters, names lowercased, values unquoted.
    public var parameters: [String: String]

    public init(scheme: String, parameters: [String: String] = [:]) {
        self.scheme = scheme
        self.parameters = parameters
    }

    public var realm: String? { parameters["realm"] }

    /// Every challenge in the values of one or more `WWW-Authenticate` headers. A header may hold several
    /// challenges separated by commas, which also separate a challenge's parameters: an item that starts with a
    /// bare word (no `=` before the first space) begins a new challenge.
    public static func parse(_ headers: [String]) -> [AuthChallenge] {
        var out: [AuthChallenge] = []
        for header in headers {
            for item in splitItems(header) {
                let text = item.trimmingCharacters(in: .whitespaces)
                if text.isEmpty { continue }
                let space = text.firstIndex(of: " ")
                let equals = text.firstIndex(of: "=")
                let startsChallenge: Bool
                switch (space, equals) {
                case (nil, nil): startsChallenge = true
                case (.some(let s), .some(let e)): startsChallenge = s < e
                case (.some, nil): startsChallenge = true
                case (nil, .some): startsChallenge = false
                }
                if startsChallenge {
                    let scheme = String(text[..<(space ?? text.endIndex)]).lowercased()
                    var challenge = AuthChallenge(scheme: scheme)
                    if let space {
                        let rest = text[text.index(after: space)...].trimmingCharacters(in: .whitespaces)
                        if let (name, value) = parameter(rest) { challenge.parameters[name] = value }
                    }
                    out.append(challenge)
                } else if let (name, value) = parameter(text), !out.isEmpty {
                    out[out.count - 1].parameters[name] = value
                }
            }
        }
        return out
    }

    /// `name=value` or `name="quoted \" value"`; nil for a token68 without `=` parameters.
    static func parameter(_ text: String) -> (String, String)? {
        guard let eq = text.firstIndex(of: "=") else { return nil }
        let name = text[..<eq].trimmingCharacters(in: .whitespaces).lowercased()
        var value = text[text.index(after: eq)...].trimmingCharacters(in: .whitespaces)
        guard !name.isEmpty else { return nil }
        if value.hasPrefix("\"") {
            var unquoted = ""
            var escaped = false
            for ch in value.dropFirst() {
                if escaped {
                    unquoted.append(ch)
                    escaped = false
                } else if ch == "\\" {
                    escaped = true
                } else if ch == "\"" {
                    break
                } else {
                    unquoted.append(ch)
                }
            }
            value = unquoted
        }
        return (name, value)
    }

    /// The header split at commas outside quoted strings.
    static func splitItems(_ header: String) -> [String] {
        var items: [String] = []
        var current = ""
        var quoted = false
        var escaped = false
        for ch in header {
            if escaped {
                escaped = false
            } else if ch == "\\" && quoted {
                escaped = true
            } else if ch == "\"" {
                quoted.toggle()
            } else if ch == "," && !quoted {
                items.append(current)
                current = ""
                continue
            }
            current.append(ch)
        }
        items.append(current)
        return items
    }
}
