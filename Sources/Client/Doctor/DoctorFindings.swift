import Foundation

/// What each of `comfytop doctor`'s probes saw, as typed values: the probes (``DoctorProbes``) make them,
/// ``DoctorDiagnosis`` words them. Nothing here is text for a terminal yet.

/// getaddrinfo's answer for the server's host.
public enum ResolveOutcome: Sendable, Equatable {
    /// The numeric addresses, IPv4 first as getaddrinfo ordered them.
    case resolved([String])
    /// EAI_NONAME and friends: the name does not exist.
    case notFound(detail: String)
    /// EAI_AGAIN: no DNS server answered.
    case temporaryFailure(detail: String)
    case failed(detail: String)
    case timedOut(seconds: Double)
}

/// A TCP connection to one of the addresses.
public enum ConnectOutcome: Sendable, Equatable {
    case connected(address: String, milliseconds: Double)
    case refused(address: String)
    case timedOut(address: String, seconds: Double)
    /// EHOSTUNREACH / ENETUNREACH.
    case noRoute(address: String, detail: String)
    case failed(address: String, detail: String)
}

/// The TLS handshake, and when it failed, why (found by looking at the certificate the server sent).
public enum TLSOutcome: Sendable, Equatable {
    /// Verified against the system's roots (and `--ca-file`); the certificate's last day.
    case verified(expires: Date?)
    /// `--insecure`: accepted without a check. `problem` is what a check would have said, if anything.
    case unchecked(problem: String?)
    case expired(notAfter: Date)
    case notYetValid(notBefore: Date)
    /// The certificate does not name the host; these are the names it has.
    case nameMismatch(names: [String])
    /// The server's certificate signs itself.
    case selfSigned
    /// Signed by an authority this machine does not trust: a private CA, or a chain the server sends incomplete.
    case untrusted(chainLength: Int)
    /// The port answered the handshake with something that is not TLS (plain HTTP, most likely).
    case notTLS
    case timedOut(seconds: Double)
    case failed(detail: String)
}

/// One HTTP answer: status, headers (names lowercased), the first bytes of the body, and when it was asked and
/// answered (for the clock).
public struct HTTPAnswer: Sendable, Equatable {
    public var status: Int
    public var headers: [String: [String]]
    public var body: [UInt8]
    public var sent: Date
    public var received: Date

    public init(status: Int, headers: [String: [String]] = [:], body: [UInt8] = [], sent: Date, received: Date) {
        self.status = status
        self.headers = headers
        self.body = body
        self.sent = sent
        self.received = received
    }

    public func header(_ name: String) -> String? { headers[name.lowercased()]?.first }
    public func headerValues(_ name: String) -> [String] { headers[name.lowercased()] ?? [] }
    public var milliseconds: Double { received.timeIntervalSince(sent) * 1000 }
    public var isHTML: Bool {
        (header("content-type") ?? "").lowercased().contains("html")
            || String(decoding: body.prefix(256), as: UTF8.self).lowercased().contains("<html")
    }
}

public enum HTTPOutcome: Sendable, Equatable {
    case answered(HTTPAnswer)
    /// Connected, asked, and no answer came within the budget.
    case timedOut(seconds: Double)
    /// The connection closed, or what came back was not HTTP.
    case failed(detail: String)
}

/// The WebSocket upgrade of `/ws`, as comfytop's own client sends it.
public enum WebSocketOutcome: Sendable, Equatable {
    /// 101, and the type of the first message (ComfyUI greets with `status`), nil if none came in time.
    case upgraded(firstMessage: String?)
    /// Any other status.
    case refused(status: Int, challenges: [AuthChallenge], server: String?)
    /// The connection closed before an answer.
    case closed
    case timedOut(seconds: Double)
    case failed(detail: String)
}
