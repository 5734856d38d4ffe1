import ComfyJSON
import Foundation

/// One line of `comfytop doctor`: a step, how it went, and, when it did not go well, why and what to do.
public struct DoctorCheck: Sendable, Equatable {
    /// The steps, in the order they run. A step that fails and blocks the ones after it makes them `skipped`.
    public enum Step: String, Sendable, CaseIterable {
        case config, resolve, connect, tls, http, auth, websocket, server, capabilities, logs, previews, clock
    }

    public enum Status: String, Sendable, Comparable {
        case ok, warn, fail, skipped

        var rank: Int {
            switch self {
            case .skipped: return 0
            case .ok: return 1
            case .warn: return 2
            case .fail: return 3
            }
        }

        public static func < (a: Status, b: Status) -> Bool { a.rank < b.rank }
    }

    /// The summary of a step left out because an earlier one failed.
    public static let notReached = "not reached"

    public var step: Step
    public var status: Status
    /// What was seen, in a few words ("127.0.0.1 (IPv4)", "HTTP 200 in 4 ms").
    public var summary: String
    /// Why it failed or warns, in plain words.
    public var cause: String?
    /// What to do about it.
    public var fix: String?
    /// Facts for `--json` (addresses, status codes, version…).
    public var facts: [(String, JSONValue)]

    public init(
        _ step: Step, _ status: Status, _ summary: String, cause: String? = nil, fix: String? = nil,
        facts: [(String, JSONValue)] = []
    ) {
        self.step = step
        self.status = status
        self.summary = summary
        self.cause = cause
        self.fix = fix
        self.facts = facts
    }

    public static func == (a: DoctorCheck, b: DoctorCheck) -> Bool {
        a.step == b.step && a.status == b.status && a.summary == b.summary && a.cause == b.cause && a.fix == b.fix
            && JSONValue.object(a.facts) == JSONValue.object(b.facts)
    }

    /// The step's name as the report shows it.
    public var title: String {
        switch step {
        case .config: return "config"
        case .resolve: return "name resolution"
        case .connect: return "TCP connect"
        case .tls: return "TLS"
        case .http: return "HTTP /system_stats"
        case .auth: return "authentication"
        case .websocket: return "WebSocket /ws"
        case .server: return "server"
        case .capabilities: return "capabilities"
        case .logs: return "log stream"
        case .previews: return "previews"
        case .clock: return "clock"
        }
    }

    public var json: JSONValue {
        var pairs: [(String, JSONValue)] = [
            ("step", .string(step.rawValue)), ("status", .string(status.rawValue)), ("summary", .string(summary)),
        ]
        if let cause { pairs.append(("cause", .string(cause))) }
        if let fix { pairs.append(("fix", .string(fix))) }
        if !facts.isEmpty { pairs.append(("facts", .object(facts))) }
        return .object(pairs)
    }
}

/// Everything `comfytop doctor` found, and the exit status it means.
public struct DoctorReport: Sendable, Equatable {
    public var url: String
    public var checks: [DoctorCheck]

    public init(url: String, checks: [DoctorCheck]) {
        self.url = url
        self.checks = checks
    }

    /// The worst status of any step.
    public var worst: DoctorCheck.Status { checks.map(\.status).max() ?? .ok }

    /// 0 when nothing failed (warnings allowed); 3 when the server could not be reached (name, TCP, TLS, no answer
    /// at all), as every comfytop command says "unreachable"; 2 for a configuration comfytop cannot use; 1 when the
    /// server was reached and something on the way to ComfyUI failed (HTTP status, auth, WebSocket, not ComfyUI).
    public var exitCode: Int32 {
        guard let first = checks.first(where: { $0.status == .fail }) else { return 0 }
        switch first.step {
        case .config: return 2
        case .resolve, .connect, .tls: return 3
        case .http where first.facts.contains { $0.0 == "unreachable" }: return 3
        default: return 1
        }
    }

    public var json: JSONValue {
        .obj(
            ("url", .string(url)), ("ok", .bool(exitCode == 0)), ("exit_code", .int(Int(exitCode))),
            ("worst", .string(worst.rawValue)), ("checks", .array(checks.map(\.json))))
    }
}
