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
            throw ComfyError.invalidURL(text, reason: "expected http://host[:port][/path]")
        }
        let normalizedScheme: String
        switch scheme {
        case "http", "ws": normalizedScheme = "http"
        case "https", "wss": normalizedScheme = "https"
        default: throw ComfyError.invalidURL(text, reason: "the scheme must be http or https, not \(scheme)")
        }
        if components.query != nil || components.fragment != nil {
            throw ComfyError.invalidURL(text, reason: "leave out ?query and #fragment; use --token-query for a token")
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

    /// Removes every secret of this endpoint from `text` (for logs, errors and JSON output).
    public func scrub(_ text: String) -> String {
        auth.secrets.reduce(text) { $0.replacingOccurrences(of: $1, with: "***") }
    }
}
