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
        try await withAPI(server, json: json) { api in
            _ = try await api.queueRemaining()  // fail fast, with a clear message, when the server is not there
            let signal = InterruptSignal { Foundation.exit(Exit.interrupted) }
            defer { signal.cancel() }
            let watcher = Watcher(api: api)
            let asJSON = json
            await watcher.run { event in
                if asJSON {
                    printJSON(event.json)
                } else {
                    let formatter = DateFormatter()
                    formatter.dateFormat = "HH:mm:ss"
                    var text =
                        "\(formatter.string(from: event.time))  \(Format.pad(event.event, 11)) \(event.promptID)  \(event.source.rawValue)/\(event.via.rawValue)"
                    let details = Dictionary(event.details, uniquingKeysWith: { a, _ in a })
                    if let v = details["value"]?.doubleValue, let m = details["max"]?.doubleValue {
                        text += "  \(Int(v))/\(Int(m))" + (details["node"]?.stringValue.map { " node \($0)" } ?? "")
                    }
                    if let s = details["seconds"]?.doubleValue { text += "  in \(Format.duration(s))" }
                    if let e = details["error"]?.stringValue { text += "  \(e)" }
                    printLine(text)
                }
            }
            return 0
        }
    }
}
