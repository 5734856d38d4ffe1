import ArgumentParser
import ComfyClient
import ComfyJSON
import Foundation

struct HistoryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "history", abstract: "List finished jobs, newest first.")

    @OptionGroup var server: ServerFlags
    @Option(help: "How many (default 20).") var limit = 20
    @Option(help: "Skip this many of the newest.") var offset = 0
    @Flag(help: "Print JSON.") var json = false

    func validate() throws {
        if limit < 1 { throw ValidationError("--limit must be at least 1.") }
        if offset < 0 { throw ValidationError("--offset must not be negative.") }
    }

    func run() async throws {
        try await withAPI(server, json: json) { api in
            // The server pages from the oldest; ask for the newest limit+offset and drop the newest offset.
            let items = Array(
                try await api.history(maxItems: limit + offset).reversed().dropFirst(offset).prefix(limit))
            if json {
                printJSON(.array(items.map(\.summaryJSON)))
                return 0
            }
            if items.isEmpty {
                printLine("no history")
                return 0
            }
            printLine(
                "\(Format.pad("STATUS", 12)) \(Format.pad("FINISHED", 19)) \(Format.pad("TIME", 7)) \(Format.pad("PROMPT_ID", 36)) OUTPUTS"
            )
            for item in items {
                let seconds = item.startedAt.flatMap { s in item.endedAt.map { Double($0 - s) / 1000 } }
                printLine(
                    "\(Format.pad(item.outcome.rawValue, 12)) \(Format.pad(Format.time(item.endedAt), 19)) "
                        + "\(Format.pad(seconds.map(Format.duration) ?? "-", 7)) \(Format.pad(item.promptID, 36)) \(item.outputs.count)"
                )
            }
            return 0
        }
    }
}

struct ShowCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show", abstract: "Show one job: state, timing, error and outputs.")

    @OptionGroup var server: ServerFlags
    @Argument(help: "The prompt id.") var promptID: String
    @Flag(help: "Print JSON.") var json = false

    func run() async throws {
        try await withAPI(server, json: json) { api in
            if let item = try await api.history(promptID: promptID) {
                if json {
                    printJSON(item.summaryJSON.setting("prompt", item.queue?.prompt ?? .null))
                    return 0
                }
                printLine("\(item.promptID)  \(item.outcome.rawValue)")
                printLine("  started  \(Format.time(item.startedAt))")
                printLine("  ended    \(Format.time(item.endedAt))")
                if let e = item.error {
                    printLine(
                        "  error    node \(e.nodeID ?? "?") \(e.nodeType ?? "?"): \(e.exceptionType): \(e.exceptionMessage.trimmingCharacters(in: .whitespacesAndNewlines))"
                    )
                    for line in e.traceback {
                        printLine(
                            "    "
                                + line.trimmingCharacters(in: .newlines).replacingOccurrences(of: "\n", with: "\n    "))
                    }
                }
                for text in PromptText.extract(item.queue?.prompt ?? .null) {
                    printLine("  \(text.role): \(text.text)")
                }
                for file in item.outputs {
                    printLine(
                        "  output   \(file.type)/\(file.subfolder.isEmpty ? "" : file.subfolder + "/")\(file.filename)  (node \(file.nodeID))"
                    )
                }
                return 0
            }
            let queue = try await api.queue()
            if let index = queue.pending.firstIndex(where: { $0.promptID == promptID }) {
                if json {
                    printJSON(
                        .obj(("prompt_id", .string(promptID)), ("status", "pending"), ("position", .int(index + 1))))
                } else {
                    printLine("\(promptID)  pending (position \(index + 1))")
                }
                return 0
            }
            if queue.running.contains(where: { $0.promptID == promptID }) {
                if json {
                    printJSON(.obj(("prompt_id", .string(promptID)), ("status", "running")))
                } else {
                    printLine("\(promptID)  running")
                }
                return 0
            }
            report("no job \(promptID) in the queue or the server's history", json: json)
            return Exit.failed
        }
    }
}

struct DownloadCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "download", abstract: "Download a finished job's output files through /view.")

    @OptionGroup var server: ServerFlags
    @Argument(help: "The prompt id.") var promptID: String
    @Option(name: .customLong("output-dir"), help: "Where to save (default: the current folder).") var outputDir = "."
    @Flag(help: "Write NAME.json and NAME.txt sidecars.") var sidecar = false
    @Flag(help: "Also fetch temp files (PreviewImage).") var temp = false
    @Flag(help: "Print JSON.") var json = false

    func run() async throws {
        try await withAPI(server, json: json) { api in
            guard let item = try await api.history(promptID: promptID) else {
                report("no finished job \(promptID) in the server's history (still queued, or unknown)", json: json)
                return Exit.failed
            }
            let downloader = Downloader(
                api: api, directory: URL(fileURLWithPath: (outputDir as NSString).expandingTildeInPath),
                sidecars: sidecar,
                includeTemp: temp)
            let (saved, refused) = try await downloader.download(item)
            for problem in refused { Output.error("comfytop: \(problem)\n") }
            if json {
                printJSON(
                    .obj(
                        ("prompt_id", .string(promptID)),
                        ("saved", .array(saved.map { .obj(("path", .string($0.path)), ("bytes", .int($0.bytes))) })),
                        ("refused", .array(refused.map { .string($0.description) }))))
            } else {
                for file in saved { printLine("\(file.path)  (\(Format.bytes(file.bytes)))") }
                if saved.isEmpty, refused.isEmpty { printLine("no output files") }
            }
            return refused.isEmpty ? 0 : Exit.failed
        }
    }
}
