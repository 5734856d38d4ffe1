import Foundation

/// Everything that can go wrong talking to ComfyUI, each with a message that says what to do.
public enum ComfyError: Error, Sendable, Equatable, CustomStringConvertible {
    case invalidURL(String, reason: String)
    /// Nothing answered at the address.
    case connectionRefused(url: String)
    case hostNotFound(url: String)
    case timeout(url: String, seconds: Double)
    case tls(url: String, detail: String)
    /// 401 or 403: the server (or a proxy in front) wants credentials, or others.
    case unauthorized(url: String, status: Int, authSummary: String)
    /// 400 from `POST /prompt`: the workflow did not validate.
    case validation(type: String, message: String, details: String, nodes: [NodeValidationError])
    case http(url: String, status: Int, body: String)
    case notFound(url: String)
    /// The server answered something that is not the ComfyUI API.
    case protocolViolation(url: String, detail: String)
    case io(path: String, detail: String)
    case unsafeFilename(String, reason: String)
    case transport(url: String, detail: String)

    public var description: String {
        switch self {
        case .invalidURL(let url, let reason): return "invalid server URL \"\(url)\": \(reason)"
        case .connectionRefused(let url):
            return "cannot connect to \(url): connection refused. Is ComfyUI running at \(url)? "
                + "Start it, or point comfytop elsewhere with --url or COMFYUI_URL."
        case .hostNotFound(let url):
            return "cannot resolve the host of \(url). Check the name in --url, or use an IP address."
        case .timeout(let url, let seconds):
            return "\(url) did not answer within \(Self.format(seconds)) s. The server may be overloaded, or the "
                + "network (or a proxy in front) down; try again."
        case .tls(let url, let detail):
            return "TLS handshake with \(url) failed: \(detail). For a self-signed certificate pass --ca-file "
                + "CERT.pem (or, only for testing, --insecure)."
        case .unauthorized(let url, let status, let summary):
            let hint =
                summary == "none"
                ? "The server or a proxy in front of it wants credentials: pass --token, --user/--password or --header."
                : "The credentials sent (\(summary)) were refused; check them."
            return "\(url) answered \(status) \(status == 401 ? "Unauthorized" : "Forbidden"). \(hint)"
        case .validation(let type, let message, let details, let nodes):
            var lines = ["the workflow was rejected (\(type)): \(message)"]
            if nodes.isEmpty, !details.isEmpty { lines.append("  \(details)") }
            lines += nodes.map { "  \($0.rendered)" }
            return lines.joined(separator: "\n")
        case .http(let url, let status, let body):
            let snippet = body.trimmingCharacters(in: .whitespacesAndNewlines).prefix(200)
            return "\(url) answered HTTP \(status)\(snippet.isEmpty ? "" : ": \(snippet)")"
        case .notFound(let url):
            return "\(url) answered 404 Not Found. Is this a ComfyUI server, and is the sub-path in --url right?"
        case .protocolViolation(let url, let detail):
            return "\(url) did not answer as ComfyUI does (\(detail)). Is --url pointing at ComfyUI?"
        case .io(let path, let detail): return "\(path): \(detail)"
        case .unsafeFilename(let name, let reason):
            return "refused to save \"\(name)\": \(reason)"
        case .transport(let url, let detail): return "connection to \(url) failed: \(detail)"
        }
    }

    static func format(_ seconds: Double) -> String {
        guard let whole = WireNumber.int(seconds), Double(whole) == seconds else {
            return String(format: "%.1f", seconds)
        }
        return String(whole)
    }

    /// True for the errors that mean "the server could not be reached at all" (exit code 3).
    public var isUnreachable: Bool {
        switch self {
        case .connectionRefused, .hostNotFound, .timeout, .tls, .transport: return true
        default: return false
        }
    }
}

extension ComfyError {
    /// The same error with every text passed through `scrub` (an endpoint's secret scrubber): every error that
    /// leaves the HTTP or WebSocket client goes through this, so no message carries a token, a password or a URL
    /// query.
    public func scrubbed(_ scrub: (String) -> String) -> ComfyError {
        switch self {
        case .invalidURL(let url, let reason): return .invalidURL(scrub(url), reason: scrub(reason))
        case .connectionRefused(let url): return .connectionRefused(url: scrub(url))
        case .hostNotFound(let url): return .hostNotFound(url: scrub(url))
        case .timeout(let url, let seconds): return .timeout(url: scrub(url), seconds: seconds)
        case .tls(let url, let detail): return .tls(url: scrub(url), detail: scrub(detail))
        case .unauthorized(let url, let status, let summary):
            return .unauthorized(url: scrub(url), status: status, authSummary: summary)
        case .validation(let type, let message, let details, let nodes):
            return .validation(
                type: scrub(type), message: scrub(message), details: scrub(details),
                nodes: nodes.map {
                    var node = $0
                    node.message = scrub(node.message)
                    node.details = scrub(node.details)
                    return node
                })
        case .http(let url, let status, let body): return .http(url: scrub(url), status: status, body: scrub(body))
        case .notFound(let url): return .notFound(url: scrub(url))
        case .protocolViolation(let url, let detail): return .protocolViolation(url: scrub(url), detail: scrub(detail))
        case .io(let path, let detail): return .io(path: path, detail: scrub(detail))
        case .unsafeFilename: return self
        case .transport(let url, let detail): return .transport(url: scrub(url), detail: scrub(detail))
        }
    }
}
