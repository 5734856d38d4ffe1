import ArgumentParser
import ComfyClient
import ComfyTUI
import Foundation

/// Options of the full-screen monitor (shared by `comfytop` and `comfytop demo`).
struct ScreenFlags: ParsableArguments {
    @Flag(name: .customLong("read-only"), help: "Disable every action that changes the server (interrupt, cancel).")
    var readOnly = false

    @Flag(name: .customLong("no-mouse"), help: "Do not capture the mouse (keeps the terminal's own selection).")
    var noMouse = false

    @Option(help: "Colour depth: truecolor, 256, 16, 8 or mono (default: what the terminal says; NO_COLOR → mono).")
    var color: String?

    @Option(help: "Theme name or .theme file (default, nord, gruvbox, paper, tty).")
    var theme = "default"

    @Option(name: .customLong("themes-dir"), help: "A folder of .theme files to look in first.")
    var themesDir: String?

    @Flag(help: "Bell and desktop notification (OSC 9/777, through SSH and tmux) when a job finishes or fails.")
    var notify = false

    @Flag(help: "ASCII glyphs only (default when the locale is not UTF-8).")
    var ascii = false

    @Option(name: .customLong("download-dir"), help: "Where the d key saves outputs (default: the current folder).")
    var downloadDir = "."

    @Option(help: "Append the message line's events (jobs done, failed, connection lost) to this file.")
    var log: String?

    @OptionGroup var pictures: ImageFlags

    func validate() throws {
        if let color, ColorDepth(rawValue: color) == nil {
            throw ValidationError("--color must be truecolor, 256, 16, 8 or mono, not \(color).")
        }
    }

    func options() throws -> MonitorOptions {
        var options = MonitorOptions(
            ascii: ascii || !MonitorOptions.localeIsUTF8(),
            downloadDirectory: URL(fileURLWithPath: (downloadDir as NSString).expandingTildeInPath))
        options.readOnly = readOnly
        options.mouse = !noMouse
        options.color = color
        options.notify = notify
        options.logFile = log.map { ($0 as NSString).expandingTildeInPath }
        options.pictures = pictures.picturesOn
        options.graphics = pictures.monitorGraphics()
        options.probeGraphics = options.graphics == nil && pictures.probesTerminal()
        do {
            options.theme = try Theme.load(
                theme, themesDir: themesDir, environment: ProcessInfo.processInfo.environment)
        } catch {
            throw CommandFailure("\(error) — try --theme default, or put NAME.theme in --themes-dir")
        }
        return options
    }

    /// Runs the monitor on a session until the user quits.
    func run(session: MonitorSession) async throws {
        guard isatty(STDOUT_FILENO) == 1, isatty(STDIN_FILENO) == 1 else {
            throw CommandFailure(
                "the monitor needs a terminal (stdin and stdout are not one). For scripts use: comfytop watch --json")
        }
        let initial = await session.state
        // 128 + the signal's number after SIGINT (or ^C), SIGTERM, SIGHUP or SIGQUIT, as shells expect.
        let status = await MonitorApp(session: session, options: try options(), initial: initial).run()
        if status != 0 { throw ExitCode(status) }
    }
}

extension MonitorCommand {
    /// The error `/prompt` (the queue length) answered with within `seconds`; nothing when it answered, or had not
    /// answered yet.
    static func preflight(_ api: ComfyAPI, seconds: Double) async throws(ComfyError) {
        enum Answer: Sendable {
            case answered
            case failed(ComfyError)
            case late
        }
        let answer = await withTaskGroup(of: Answer.self) { group in
            group.addTask {
                do throws(ComfyError) {
                    _ = try await api.queueRemaining()
                    return .answered
                } catch {
                    return .failed(error)
                }
            }
            group.addTask {
                try? await Task.sleep(for: .milliseconds(Int(seconds * 1000)))
                return .late
            }
            let first = await group.next() ?? .late
            group.cancelAll()
            return first
        }
        if case .failed(let error) = answer { throw error }
    }
}

struct MonitorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "monitor",
        abstract: "The full-screen monitor (the default command): every job on the server, live.",
        discussion: KeyMapHelp.text)

    @OptionGroup var server: ServerFlags
    @OptionGroup var screen: ScreenFlags
    @OptionGroup var store: StoreFlags

    func run() async throws {
        if server.selection.isFleet {
            return try await mapErrors(json: false) {
                try await runFleet(try server.fleet() ?? [])
                return 0
            }
        }
        try await withAPI(server, json: false) { api in
            // Say clearly, before taking the screen, when the server is not there (refused, unknown host, TLS, a
            // proxy's page). A server that is there but slow to answer is not kept waiting on a blank terminal: the
            // screen opens after 3 s and shows the connection as it goes (and q works).
            try await Self.preflight(api, seconds: 3)
            try await screen.run(session: MonitorSession(api: api, store: try? store.open()))
            return 0
        }
    }
}

/// The key table for `--help`.
enum KeyMapHelp {
    static var text: String {
        "Keys:\n"
            + KeyMap.bindings.map { b in
                let keys = b.keys.map(\.label).joined(separator: " ")
                return "  \(keys.padding(toLength: 12, withPad: " ", startingAt: 0)) \(b.help)"
            }.joined(separator: "\n")
    }
}
