import ArgumentParser
import ComfyClient
import ComfyJSON
import Foundation

/// Which server, and how to reach it. Shared by every client command.
struct ServerFlags: ParsableArguments {
    @Option(help: "ComfyUI URL, e.g. http://127.0.0.1:8188 or https://host/sub/path (env: COMFYUI_URL).")
    var url: String?

    @Option(
        help:
            "A server named in the config file ($XDG_CONFIG_HOME/comfytop/config.toml); a,b,c (names or URLs) for a fleet."
    )
    var server: String?

    @Flag(help: "Every server of the config file (its [servers.NAME] entries): a fleet.")
    var all = false

    @Option(help: "Bearer token for a proxy or gateway (env: COMFYUI_TOKEN).")
    var token: String?

    @Option(help: "User for HTTP basic auth.")
    var user: String?

    @Option(help: "Password for HTTP basic auth (env: COMFYUI_PASSWORD).")
    var password: String?

    @Option(name: .customLong("header"), help: "Extra header \"Name: value\" (repeatable).")
    var headers: [String] = []

    @Option(name: .customLong("token-query"), help: "Token as a query parameter, name=value.")
    var tokenQuery: String?

    @Option(name: .customLong("ca-file"), help: "PEM file of certificates to trust (a self-signed server's).")
    var caFile: String?

    @Flag(help: "Accept any TLS certificate. Only for testing.")
    var insecure = false

    @Option(help: "Config file to read instead of the default.")
    var config: String?

    /// The servers asked for (`--server a,b,c`, several `--url`s, `--all`); nil when there is only one.
    var selection: FleetSelection { FleetSelection(server: server, url: url, all: all) }

    /// The fleet's members when more than one server is asked for (nil: the single-server path).
    func fleet() throws -> [FleetMember]? {
        guard selection.isFleet else { return nil }
        let env = ProcessInfo.processInfo.environment
        let members = try selection.members(options: try options(env), config: try loadConfig(env), environment: env)
        if members.contains(where: { $0.endpoint.tls.insecure }) {
            Output.error("comfytop: warning: TLS certificates are not checked (--insecure) for some servers\n")
        }
        return members
    }

    private func loadConfig(_ env: [String: String]) throws -> ServerConfig {
        let path = config.map { ($0 as NSString).expandingTildeInPath } ?? Paths(environment: env).configFile
        return try ServerConfig.load(path: path)
    }

    func endpoint() throws -> Endpoint {
        let env = ProcessInfo.processInfo.environment
        if selection.isFleet {
            throw ValidationError("this command works on one server: --all and several servers are for the monitor")
        }
        let file = try loadConfig(env)
        var options = try options(env)
        options.url = url
        options.server = server
        let endpoint = try options.resolve(config: file, environment: env)
        if endpoint.tls.insecure {
            Output.error("comfytop: warning: TLS certificates are not checked (--insecure)\n")
        }
        return endpoint
    }

    /// The flags as `ServerOptions`, without the server's choice (`url`, `server`).
    private func options(_ env: [String: String]) throws -> ServerOptions {
        var options = ServerOptions()
        options.token = token
        options.user = user
        options.password = password ?? env["COMFYUI_PASSWORD"]
        options.headers = headers
        options.tokenQuery = tokenQuery
        options.caFile = caFile
        options.insecure = insecure
        return options
    }
}

/// Exit codes of comfytop (the README's table).
enum Exit {
    static let failed: Int32 = 1
    static let usage: Int32 = 2
    static let unreachable: Int32 = 3
    /// 128 + the signal's number, as shells report a process a signal ended.
    static let hangUp: Int32 = 129
    static let interrupted: Int32 = 130
    static let terminated: Int32 = 143
}

/// Runs a command body with an API client and turns errors into messages and exit codes.
func withAPI(
    _ flags: ServerFlags, json: Bool, timeout: Double = 30, _ body: (ComfyAPI) async throws -> Int32
) async throws {
    try await mapErrors(json: json) {
        let api = try ComfyAPI(endpoint: try flags.endpoint(), requestTimeout: timeout)
        do {
            let code = try await body(api)
            await api.shutdown()
            return code
        } catch {
            await api.shutdown()
            throw error
        }
    }
}

/// Turns errors into a message and comfytop's exit codes.
func mapErrors(json: Bool, _ body: () async throws -> Int32) async throws {
    let code: Int32
    do {
        code = try await body()
    } catch let error as ComfyError {
        report(error.description, json: json)
        code = error.isUnreachable ? Exit.unreachable : (isUsage(error) ? Exit.usage : Exit.failed)
    } catch let error as Workflow.Problem {
        report(error.description, json: json)
        code = Exit.usage
    } catch let error as JobRunner.Failure {
        report(error.description, json: json)
        if case .api(let inner) = error, inner.isUnreachable { code = Exit.unreachable } else { code = Exit.failed }
    }
    if code != 0 { throw ExitCode(code) }
}

private func isUsage(_ error: ComfyError) -> Bool {
    if case .invalidURL = error { return true }
    return false
}

/// Prints an error: a sentence on stderr, and with --json also `{"error": …}` on stdout.
func report(_ message: String, json: Bool) {
    Output.error("comfytop: \(message)\n")
    if json { printJSON(.obj(("error", .string(message)))) }
}

/// Prints a JSON value on a line of its own, as it is: the writer escapes every control and non-ASCII character
/// (`\u001b`, `\u202e`), so JSON output is plain ASCII that no terminal acts on.
func printJSON(_ value: JSONValue) { Output.json(value.pythonJSON + "\n") }

/// Prints one line of plain output on stdout. Text from outside in it cannot act on the terminal (see
/// ``Output``), and cannot start a line of its own either: a newline inside is shown as `^J`, so each record stays
/// one line for `grep` and friends.
func printLine(_ text: String) { Output.out(TerminalText.sanitize(text) + "\n") }

/// The one way comfytop writes to stdout and stderr.
///
/// Plain text (``out(_:)``, ``error(_:)``) passes through ``TerminalText/sanitize(_:keepNewlines:)`` here, the
/// choke point: prompt text, error messages, tracebacks, node titles, file names and server strings may hold
/// escape sequences (OSC 52 writes the clipboard, `ESC[2J` clears the screen, U+202E reverses text), and they are
/// shown as visible escapes instead. Newlines are kept (multi-line messages). Only JSON (``json(_:)``, already
/// escaped) and comfytop's own terminal control (``control(_:)``: a progress line's `\r` and colours) go out as
/// they are.
///
/// Writes use write(2): a closed pipe (`comfytop watch | head`) ends the program quietly instead of trapping as
/// FileHandle does.
enum Output {
    /// Plain text on stdout, sanitised (newlines kept).
    static func out(_ text: String) { write(1, TerminalText.sanitize(text, keepNewlines: true)) }
    /// Plain text on stderr, sanitised (newlines kept).
    static func error(_ text: String) { write(2, TerminalText.sanitize(text, keepNewlines: true)) }
    /// JSON text on stdout, as it is (the JSON writer escapes controls itself).
    static func json(_ text: String) { write(1, text) }
    /// comfytop's own terminal control on stderr, as it is. Anything from outside in it must be sanitised first.
    static func control(_ text: String) { write(2, text) }

    private static func write(_ fd: Int32, _ text: String) {
        var bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeMutableBytes { raw in
                Glibc.write(fd, raw.baseAddress.map { $0 + offset }, raw.count - offset)
            }
            if n < 0 {
                if errno == EINTR { continue }
                if errno == EPIPE { exit(0) }
                return
            }
            offset += n
        }
    }
}

/// Formatting helpers for human output.
enum Format {
    static func duration(_ seconds: Double) -> String {
        guard seconds.isFinite, seconds < 8_553_600 else { return seconds.isNaN ? "?" : ">99d" }
        if seconds < 60 { return String(format: "%.1fs", seconds) }
        let s = Int(seconds.rounded())
        if s < 3600 { return String(format: "%dm%02ds", s / 60, s % 60) }
        return String(format: "%dh%02dm", s / 3600, s / 60 % 60)
    }

    static func bytes(_ n: Int) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var value = Double(n)
        var unit = 0
        while value >= 1024, unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        return unit == 0 ? "\(n) B" : String(format: "%.1f %@", value, units[unit])
    }

    static func time(_ millis: Int?) -> String {
        guard let date = WireNumber.date(ms: millis) else { return "-" }
        let formatter = DateFormatter()
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ss"
        return formatter.string(from: date)
    }

    static func pad(_ s: String, _ width: Int) -> String {
        s.count >= width ? String(s.prefix(width)) : s + String(repeating: " ", count: width - s.count)
    }
}

extension HistoryItem {
    var summaryJSON: JSONValue {
        var pairs: [(String, JSONValue)] = [
            ("prompt_id", .string(promptID)), ("status", .string(outcome.rawValue)),
            ("outputs", .array(outputs.map(\.json))),
        ]
        if let start = startedAt { pairs.append(("started_ms", .int(start))) }
        if let end = endedAt { pairs.append(("ended_ms", .int(end))) }
        if let seconds = durationSeconds { pairs.append(("seconds", .double(seconds))) }
        if let wait = queueSeconds { pairs.append(("queue_seconds", .double(wait))) }
        if let number = queue?.number { pairs.append(("number", .double(number))) }
        if let client = queue?.clientID { pairs.append(("client_id", .string(client))) }
        if let error {
            pairs.append(
                (
                    "error",
                    .obj(
                        ("node_id", .optional(error.nodeID)), ("node_type", .optional(error.nodeType)),
                        ("exception_type", .string(error.exceptionType)),
                        ("exception_message", .string(error.exceptionMessage)))
                ))
        }
        return .object(pairs)
    }
}
