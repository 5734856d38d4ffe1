import Foundation

/// How to authenticate to a ComfyUI behind a proxy or gateway. Secrets never appear in descriptions.
public struct Auth: Sendable, Equatable {
    public var bearerToken: String?
    public var basicUser: String?
    public var basicPassword: String?
    /// Extra headers, e.g. `X-API-Key`. Their values are treated as secrets.
    public var headers: [String: String]
    /// A query parameter carrying a token (`?token=…`), for gateways that want it in the URL.
    public var tokenQuery: (name: String, value: String)?

    public init(
        bearerToken: String? = nil, basicUser: String? = nil, basicPassword: String? = nil,
        headers: [String: String] = [:], tokenQuery: (name: String, value: String)? = nil
    ) {
        self.bearerToken = bearerToken
        self.basicUser = basicUser
        self.basicPassword = basicPassword
        self.headers = headers
        self.tokenQuery = tokenQuery
    }

    public static func == (a: Auth, b: Auth) -> Bool {
        a.bearerToken == b.bearerToken && a.basicUser == b.basicUser && a.basicPassword == b.basicPassword
            && a.headers == b.headers && a.tokenQuery?.name == b.tokenQuery?.name
            && a.tokenQuery?.value == b.tokenQuery?.value
    }

    /// The HTTP headers to send on every request and on the WebSocket upgrade.
    public var httpHeaders: [(String, String)] {
        var out: [(String, String)] = []
        if let bearerToken {
            out.append(("Authorization", "Bearer \(bearerToken)"))
        } else if let basicUser {
            let pair = Data("\(basicUser):\(basicPassword ?? "")".utf8).base64EncodedString()
            out.append(("Authorization", "Basic \(pair)"))
        }
        for (name, value) in headers.sorted(by: { $0.key < $1.key }) { out.append((name, value)) }
        return out
    }

    /// What kind of auth is configured, without secrets: "bearer token", "basic (user alice)", …
    public var summary: String {
        var parts: [String] = []
        if bearerToken != nil { parts.append("bearer token") }
        if let basicUser { parts.append("basic (user \(basicUser))") }
        if !headers.isEmpty { parts.append("headers \(headers.keys.sorted().joined(separator: ", "))") }
        if let tokenQuery { parts.append("query parameter \(tokenQuery.name)") }
        return parts.isEmpty ? "none" : parts.joined(separator: ", ")
    }

    /// Every secret value, so that messages can be scrubbed of them.
    public var secrets: [String] {
        var s: [String] = []
        if let bearerToken { s.append(bearerToken) }
        if let basicPassword, !basicPassword.isEmpty { s.append(basicPassword) }
        s.append(contentsOf: headers.values)
        if let tokenQuery { s.append(tokenQuery.value) }
        return s.filter { $0.count >= 3 }
    }

    /// Every secret in every form a server or a library may echo it: raw, percent-encoded (upper and lower
    /// case hex, `+` for spaces), JSON-escaped, base64, and the base64 `user:password` of basic auth. Longest
    /// first, so a form is masked before a secret it contains.
    public var secretForms: [String] {
        var forms: Set<String> = []
        var values = secrets
        if let basicUser, let basicPassword, !basicPassword.isEmpty { values.append("\(basicUser):\(basicPassword)") }
        for secret in values {
            forms.insert(secret)
            let encoded = Endpoint.encode(secret)
            forms.insert(encoded)
            forms.insert(Self.lowercaseHex(encoded))
            forms.insert(encoded.replacingOccurrences(of: "%20", with: "+"))
            if let query = secret.addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed) { forms.insert(query) }
            let json = JSONText.escape(secret)
            forms.insert(json)
            forms.insert(json.replacingOccurrences(of: "/", with: "\\/"))
            let base64 = Data(secret.utf8).base64EncodedString()
            forms.insert(base64)
            // Without its padding too (as an echo cut short shows it).
            let trimmed = String(base64.prefix { $0 != "=" })
            if trimmed.count >= 4 { forms.insert(trimmed) }
        }
        return forms.filter { $0.count >= 3 }.sorted { $0.count > $1.count }
    }

    static func lowercaseHex(_ text: String) -> String {
        var out = ""
        var rest = Substring(text)
        while let percent = rest.firstIndex(of: "%") {
            out += rest[..<percent]
            let hex = rest[percent...].prefix(3)
            out += hex.lowercased()
            rest = rest[hex.endIndex...]
        }
        return out + rest
    }
}

/// JSON string escaping as Python writes it, without the quotes (to find a secret a server echoed in JSON).
enum JSONText {
    static func escape(_ s: String) -> String {
        var out = ""
        for unit in s.unicodeScalars {
            switch unit {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            case " "..."~": out.unicodeScalars.append(unit)
            default:
                for u in String(unit).utf16 { out += String(format: "\\u%04x", u) }
            }
        }
        return out
    }
}

/// TLS settings: verified against the system roots by default.
public struct TLSOptions: Sendable, Equatable {
    /// A PEM file of extra trusted certificates (a self-signed server's, a private CA's).
    public var caFile: String?
    /// Accept any certificate. Only for testing; says so loudly.
    public var insecure: Bool

    public init(caFile: String? = nil, insecure: Bool = false) {
        self.caFile = caFile
        self.insecure = insecure
    }
}

/// Where a ComfyUI server is: `http(s)://host[:port][/sub/path]`, with auth and TLS settings.
public struct Endpoint: Sendable, Equatable {
    public let scheme: String
    public let host: String
    public let port: Int
    /// The reverse-proxy sub-path, without a trailing slash ("" at the root).
    public let basePath: String
    public var auth: Auth
    public var tls: TLSOptions

    public var isTLS: Bool { scheme == "https" }

    /// Parses a URL such as `127.0.0.1:8188`, `http://gpu-box:8188`, `https://example.com/comfy/`.
    public init(url text: String, auth: Auth = Auth(), tls: TLSOptions = TLSOptions()) throws(ComfyError) {
        var s = text.trimmingCharacters(in: .whitespaces)
        if !s.contains("://") { s = "http://" + s }
        guard let components = URLComponents(string: s), let scheme = components.scheme?.lowercased(),
            let host = components.host, !host.isEmpty
        else {
            throw ComfyError.invalidURL(Self.stripURLSecrets(text), reason: "expected http://host[:port][/path]")
        }
        let normalizedScheme: String
        switch scheme {
        case "http", "ws": normalizedScheme = "http"
        case "https", "wss": normalizedScheme = "https"
        default:
            throw ComfyError.invalidURL(
                Self.stripURLSecrets(text), reason: "the scheme must be http or https, not \(scheme)")
        }
        if components.query != nil || components.fragment != nil {
            throw ComfyError.invalidURL(
                Self.stripURLSecrets(text), reason: "leave out ?query and #fragment; use --token-query for a token")
        }
        self.scheme = normalizedScheme
        // URLComponents keeps the brackets of an IPv6 literal on some platforms.
        self.host = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        self.port = components.port ?? (normalizedScheme == "https" ? 443 : 80)
        var path = components.percentEncodedPath
        while path.hasSuffix("/") { path.removeLast() }
        self.basePath = path
        self.auth = auth
        self.tls = tls
    }

    private var authority: String {
        let defaultPort = isTLS ? 443 : 80
        let h = host.contains(":") ? "[\(host)]" : host
        return port == defaultPort ? h : "\(h):\(port)"
    }

    /// The URL as a person would type it, with no secrets.
    public var displayURL: String { "\(scheme)://\(authority)\(basePath)" }

    /// The full URL of an API path with a query (values are percent-encoded here).
    public func url(_ path: String, query: [(String, String)] = []) -> String {
        var items = query
        if let token = auth.tokenQuery { items.append((token.name, token.value)) }
        var out = "\(scheme)://\(authority)\(basePath)\(path)"
        if !items.isEmpty {
            out += "?" + items.map { "\(Self.encode($0.0))=\(Self.encode($0.1))" }.joined(separator: "&")
        }
        return out
    }

    /// The WebSocket URL for a clientId (`ws[s]://…/ws?clientId=`).
    public func webSocketURL(clientID: String) -> String {
        url("/ws", query: [("clientId", clientID)]).replacingOccurrences(of: "http", with: "ws", options: .anchored)
    }

    static func encode(_ s: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return s.addingPercentEncoding(withAllowedCharacters: allowed) ?? s
    }

    /// Removes every secret of this endpoint from `text`, in every encoding (see `Auth.secretForms`), and the query
    /// and userinfo of every URL in it (for logs, errors and JSON output). The one scrubber of error texts.
    public func scrub(_ text: String) -> String {
        let masked = auth.secretForms.reduce(text) { $0.replacingOccurrences(of: $1, with: "***") }
        return Self.stripURLSecrets(masked)
    }

    /// `text` with every `scheme://user:pass@host/path?query#fragment` reduced to `scheme://host/path`.
    public static func stripURLSecrets(_ text: String) -> String {
        guard text.contains("://") else { return text }
        let scalars = Array(text.unicodeScalars)
        var out = String.UnicodeScalarView()
        var i = 0
        func isSchemeChar(_ c: Unicode.Scalar) -> Bool {
            c.properties.isASCIIHexDigit || ("a"..."z").contains(c) || ("A"..."Z").contains(c) || c == "+" || c == "-"
                || c == "."
        }
        func ends(_ c: Unicode.Scalar) -> Bool {
            c.properties.isWhitespace || c == "\"" || c == "'" || c == "<" || c == ">" || c == "`" || c == ")"
                || c.value < 0x20
        }
        while i < scalars.count {
            guard i + 2 < scalars.count, scalars[i] == ":", scalars[i + 1] == "/", scalars[i + 2] == "/",
                i > 0, isSchemeChar(scalars[i - 1])
            else {
                out.append(scalars[i])
                i += 1
                continue
            }
            out.append(contentsOf: "://".unicodeScalars)
            i += 3
            var end = i
            while end < scalars.count, !ends(scalars[end]) { end += 1 }
            let url = scalars[i..<end]
            // Authority: up to the first / ? #; userinfo is what comes before its last @.
            let authorityEnd = url.firstIndex { $0 == "/" || $0 == "?" || $0 == "#" } ?? end
            let hostStart = (scalars[i..<authorityEnd].lastIndex(of: "@")).map { $0 + 1 } ?? i
            let pathEnd = url.firstIndex { $0 == "?" || $0 == "#" } ?? end
            out.append(contentsOf: scalars[hostStart..<max(hostStart, pathEnd)])
            i = end
        }
        return String(out)
    }
}
