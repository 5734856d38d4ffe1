import ArgumentParser
import ComfyClient
import ComfyJSON
import Foundation

struct WatchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "watch",
        abstract: "Stream lifecycle events of every job on the server, until Ctrl-C.",
        discussion: """
            Events: running, queued, started, progress, finished, failed, interrupted, removed. Each says its \
            source (own, foreign, anonymous) and how it was seen (live, polled, log). With --json, one JSON \
            object a line.
            """)

    @OptionGroup var server: ServerFlags
    @Flag(help: "One JSON object a line.") var json = false

    func run() async throws {
        if try await FleetCalls.command(server, json: json, { try await FleetWatch.run($0, json: json) }) { return }
        try await withAPI(server, json: json) { api in
            _ = try await api.queueRemaining()  // fail fast, with a clear message, when the server is not there
            let signal = InterruptSignal { Foundation.exit(Exit.interrupted) }
            defer { signal.cancel() }
            // The monitor's own session and model, without a store; events are the changes between its states.
            let session = MonitorSession(api: api, learnsFromHistory: false)
            let printer = EventPrinter(json: json, initial: await session.state)
            await session.run { printer.next($0) }
            return 0
        }
    }
}

/// Projects each new state of the session to events and prints them. States arrive one at a time from the
/// session's actor; the lock only keeps the compiler's promise.
final class EventPrinter: @unchecked Sendable {
    private let lock = NSLock()
    private let json: Bool
    private var previous: MonitorState
    private var projector = JobEventProjector()

    init(json: Bool, initial: MonitorState) {
        self.json = json
        previous = initial
    }

    func next(_ state: MonitorState) {
        let events = lock.withLock {
            let events = projector.events(from: previous, to: state, now: Date())
            previous = state
            return events
        }
        for event in events { printLine(json ? event.json.pythonJSON : Self.line(event)) }
    }

    static func line(_ event: JobEvent) -> String {
        let clock = String(JobEvent.stampForHumans(event.time))
        var text =
            "\(clock)  \(Format.pad(event.event, 11)) \(event.promptID)  \(event.source.rawValue)/\(event.via.rawValue)"
        let details = Dictionary(event.details, uniquingKeysWith: { a, _ in a })
        if let v = details["value"]?.doubleValue, let m = details["max"]?.doubleValue {
            text +=
                "  \(Format.count(v))/\(Format.count(m))" + (details["node"]?.stringValue.map { " node \($0)" } ?? "")
        }
        if let s = details["seconds"]?.doubleValue { text += "  in \(Format.duration(s))" }
        if let e = details["error"]?.stringValue { text += "  \(e)" }
        return TerminalText.sanitize(text)
    }
}
