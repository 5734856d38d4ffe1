import ArgumentParser
import ComfyClient
import ComfyJSON
import Foundation

/// `comfytop doctor [URL]`: every step to a working ComfyUI, one line each, with the cause and the fix of what
/// fails.
struct DoctorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doctor",
        abstract: "Check the way to a ComfyUI server step by step and say what is wrong and how to fix it.",
        discussion: """
            Steps: config, name resolution, TCP connect, TLS, HTTP /system_stats, authentication, the WebSocket \
            upgrade, the server's version and capabilities, its log stream, previews, and clock skew. Each is ok, \
            warn, FAIL or skip; a failure says its cause and the fix.
            Exit codes: 0 nothing failed (warnings allowed), 1 the server answers but something on the way to \
            ComfyUI fails (HTTP status, authentication, WebSocket, not ComfyUI), 2 the URL or config cannot be \
            used, 3 the server cannot be reached (name, connection, TLS, no answer).
            """)

    @Argument(help: "The server's URL (the same as --url).") var target: String?
    @OptionGroup var server: ServerFlags
    @Flag(help: "Print the report as JSON.") var json = false
    @Option(help: "Seconds each step may take.") var timeout: Double = 10

    func run() async throws {
        var flags = server
        if let target {
            if let url = flags.url, url != target {
                throw ValidationError("give the URL once: as an argument or with --url, not both")
            }
            flags.url = target
        }
        let report: DoctorReport
        do {
            let endpoint = try flags.endpoint()
            if !json { Output.out("comfytop doctor: \(endpoint.displayURL)\(defaultNote(flags, endpoint))\n") }
            let doctor = Doctor(endpoint: endpoint, timeout: timeout)
            let width = DoctorText.width()
            var unreached: [DoctorCheck] = []
            report = await doctor.run { check in
                guard !json else { return }
                // The steps a failure left unreached go on one line at the end, not one line each.
                if check.status == .skipped && check.summary == DoctorCheck.notReached {
                    unreached.append(check)
                } else {
                    Output.out(DoctorText.lines(check, width: width))
                }
            }
            if !unreached.isEmpty {
                let names = unreached.map(\.title).joined(separator: ", ")
                Output.out(
                    DoctorText.wrap(
                        "  skip  "
                            + "not reached".padding(toLength: DoctorText.labelWidth, withPad: " ", startingAt: 0),
                        names, width: width))
            }
        } catch let error as ComfyError {
            let check = DoctorCheck(
                .config, .fail, "the server's address or config cannot be used", cause: error.description,
                fix: "fix --url, --server or the config file")
            report = DoctorReport(url: flags.url ?? "?", checks: [check])
            if !json { Output.out(DoctorText.lines(check, width: DoctorText.width())) }
        }
        if json {
            printJSON(report.json)
        } else {
            Output.out(DoctorText.verdict(report))
        }
        if report.exitCode != 0 { throw ExitCode(report.exitCode) }
    }
}

extension DoctorCommand {
    /// Says so when no address was given anywhere and comfytop falls back on its default.
    func defaultNote(_ flags: ServerFlags, _ endpoint: Endpoint) -> String {
        let env = ProcessInfo.processInfo.environment
        guard flags.url == nil, flags.server == nil, (env["COMFYUI_URL"] ?? "").isEmpty,
            endpoint.displayURL == "http://127.0.0.1:8188"
        else { return "" }
        return " (the default: no URL given, no --server, COMFYUI_URL or config default)"
    }
}

/// The doctor's plain-text report: one line a step, then `cause:` and `fix:` lines under a warning or a failure,
/// wrapped to the terminal. Text from the server inside is escaped by ``TerminalText``.
enum DoctorText {
    static let labelWidth = 20

    static func lines(_ check: DoctorCheck, width: Int) -> String {
        let status: String
        switch check.status {
        case .ok: status = "ok  "
        case .warn: status = "warn"
        case .fail: status = "FAIL"
        case .skipped: status = "skip"
        }
        let head = "  \(status)  " + check.title.padding(toLength: labelWidth, withPad: " ", startingAt: 0)
        var out = wrap(head, TerminalText.sanitize(check.summary), width: width)
        let indent = String(repeating: " ", count: 8)
        if check.status == .warn || check.status == .fail {
            if let cause = check.cause { out += wrap(indent + "cause: ", TerminalText.sanitize(cause), width: width) }
            if let fix = check.fix { out += wrap(indent + "fix:   ", TerminalText.sanitize(fix), width: width) }
        }
        return out
    }

    static func verdict(_ report: DoctorReport) -> String {
        let failed = report.checks.filter { $0.status == .fail }.count
        let warned = report.checks.filter { $0.status == .warn }.count
        if failed == 0 && warned == 0 { return "all good: comfytop can use \(report.url)\n" }
        var parts: [String] = []
        if failed > 0 { parts.append("\(failed) failed") }
        if warned > 0 { parts.append("\(warned) warning\(warned == 1 ? "" : "s")") }
        let code = report.exitCode
        return parts.joined(separator: ", ") + (code == 0 ? ": comfytop can use the server" : " (exit \(code))") + "\n"
    }

    /// `prefix` then `text`, broken at spaces so no line passes `width`, continuation lines indented under the text.
    static func wrap(_ prefix: String, _ text: String, width: Int) -> String {
        let indent = String(repeating: " ", count: prefix.count)
        let room = max(30, width - prefix.count)
        var lines: [String] = []
        var line = ""
        for word in text.split(separator: " ", omittingEmptySubsequences: false) {
            if !line.isEmpty && line.count + 1 + word.count > room {
                lines.append(line)
                line = String(word)
            } else {
                line += (line.isEmpty ? "" : " ") + word
            }
        }
        lines.append(line)
        return lines.enumerated().map { ($0.offset == 0 ? prefix : indent) + $0.element }.joined(separator: "\n")
            + "\n"
    }

    /// The terminal's width on a terminal, else 100.
    static func width() -> Int {
        var size = winsize()
        if isatty(1) == 1, ioctl(1, UInt(TIOCGWINSZ), &size) == 0, size.ws_col >= 40 { return Int(size.ws_col) }
        return 100
    }
}
