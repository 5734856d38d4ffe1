import Foundation

/// Why a server cannot be watched, in the few kinds a person acts on differently.
public enum FleetDownReason: Sendable, Equatable {
    /// Nothing listens at the address.
    case refused
    /// The host name does not resolve.
    case dns
    case tls(String)
    /// 401 or 403: credentials wanted, or refused.
    case unauthorized(status: Int)
    /// The host takes the connection (or not) and does not answer within the budget.
    case timeout(seconds: Double)
    /// Something answered, but not as ComfyUI does (a proxy's page, a 404, a 5xx).
    case notComfyUI(String)
    case other(String)

    /// A short phrase for a row ("refused", "no answer in 4 s", "401 unauthorized").
    public var words: String {
        switch self {
        case .refused: return "connection refused"
        case .dns: return "host not found (DNS)"
        case .tls(let detail): return "TLS failed: \(detail)"
        case .unauthorized(let status): return status == 401 ? "401 unauthorized" : "403 forbidden"
        case .timeout(let seconds): return "no answer in \(ComfyError.format(seconds)) s"
        case .notComfyUI(let detail): return "not ComfyUI: \(detail)"
        case .other(let detail): return detail
        }
    }

    /// The kind of a typed client error.
    public init(_ error: ComfyError) {
        switch error {
        case .connectionRefused: self = .refused
        case .hostNotFound: self = .dns
        case .timeout(_, let seconds): self = .timeout(seconds: seconds)
        case .tls(_, let detail): self = .tls(detail)
        case .unauthorized(_, let status, _): self = .unauthorized(status: status)
        case .http(_, let status, _): self = .notComfyUI("HTTP \(status)")
        case .notFound: self = .notComfyUI("404 Not Found")
        case .protocolViolation(_, let detail): self = .notComfyUI(detail)
        case .transport(_, let detail): self = Self(streamReason: detail)
        default: self = .other(error.description)
        }
    }

    /// The kind of a WebSocket failure, from the reason `EventStream` reports (a sentence, not a type).
    public init(streamReason reason: String) {
        let lower = reason.lowercased()
        // First: these sentences hold the URL, whose host or port could read as any of the words below.
        if lower.hasPrefix("no answer") {
            // The greeting deadline's and the ping's: "no answer from URL within 10 s".
            let seconds = lower.range(of: " within ", options: .backwards).flatMap {
                Double(lower[$0.upperBound...].prefix { $0 != " " })
            }
            self = .timeout(seconds: seconds ?? 0)
        } else if lower.contains("refused") && !lower.contains("upgrade") {
            self = .refused
        } else if lower.contains("resolve") || lower.contains("name or service") || lower.contains("nodename")
            || lower.contains("host not found") || lower.contains("no address")
        {
            self = .dns
        } else if lower.contains("tls") || lower.contains("ssl") || lower.contains("certificate")
            || lower.contains("handshake")
        {
            self = .tls(reason)
        } else if lower.contains("401") {
            self = .unauthorized(status: 401)
        } else if lower.contains("403") {
            self = .unauthorized(status: 403)
        } else if lower.contains("timed out") || lower.contains("timeout") {
            self = .timeout(seconds: 0)
        } else {
            self = .other(reason)
        }
    }
}

/// A server's lamp on the fleet screen.
public enum FleetLamp: Sendable, Equatable {
    /// Not yet reached (the first attempt is under way).
    case connecting
    /// The WebSocket is open and greeted.
    case live
    /// It was live in this session and the connection dropped; the next attempt is at `retryAt`.
    case reconnecting(retryAt: Date?, reason: FleetDownReason)
    /// Never reached in this session; tried again at `retryAt`.
    case down(reason: FleetDownReason, retryAt: Date?)

    /// The lamp of a server from what its monitor says of the connection, the last probe's verdict, and whether
    /// it was live before. A probe's typed error says more than the socket's sentence, so it wins; a host that
    /// keeps the socket opening forever (it accepts and never answers) is down as soon as the probe times out.
    public static func of(
        connection: ConnectionStatus, probeError: ComfyError?, wasLive: Bool, nextProbe: Date?
    ) -> FleetLamp {
        switch connection {
        case .connected:
            return .live
        case .connecting:
            guard let probeError else { return .connecting }
            let reason = FleetDownReason(probeError)
            return wasLive
                ? .reconnecting(retryAt: nextProbe, reason: reason) : .down(reason: reason, retryAt: nextProbe)
        case .reconnecting(_, let retryAt, let text):
            let reason = probeError.map(FleetDownReason.init) ?? FleetDownReason(streamReason: text)
            return wasLive ? .reconnecting(retryAt: retryAt, reason: reason) : .down(reason: reason, retryAt: retryAt)
        case .offline(let text):
            return .down(
                reason: probeError.map(FleetDownReason.init) ?? FleetDownReason(streamReason: text), retryAt: nil)
        }
    }

    public var isLive: Bool { self == .live }

    /// The reason, when the server is not live.
    public var reason: FleetDownReason? {
        switch self {
        case .connecting, .live: return nil
        case .reconnecting(_, let reason), .down(let reason, _): return reason
        }
    }

    /// When the next attempt is, when one is planned.
    public var retryAt: Date? {
        switch self {
        case .connecting, .live: return nil
        case .reconnecting(let at, _), .down(_, let at): return at
        }
    }
}
