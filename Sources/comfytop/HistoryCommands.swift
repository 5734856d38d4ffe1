import ArgumentParser
import ComfyClient
import ComfyJSON
import Foundation

struct HistoryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "history",
        abstract: "Finished jobs, from the server and the local store (which keeps them across restarts).",
        subcommands: [HistoryListCommand.self, HistoryImportCommand.self],
        defaultSubcommand: HistoryListCommand.self)
}

struct HistoryListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List finished jobs, newest first; search and filter them.",
        discussion: """
            Reads the server's recent history into the local store, then answers from the store, so runs the server \
            forgot (restarts, its 10,000 cap) are still found. --local reads only the store (works offline).
            Dates: 2026-11-20, 2026-11-20T14:00, today, yesterday, 3h, 2d, 1w (ago).
            Examples: comfytop history --search "red fox" --status failed --since yesterday
            """)

    @OptionGroup var server: ServerFlags
    @OptionGroup var store: StoreFlags
    @Option(help: "How many (default 20).") var limit = 20
    @Option(help: "Skip this many of the newest.") var offset = 0
    @Option(help: "Words to find in prompts, node classes, checkpoint, LoRA names, seeds or the id.") var search:
        String?
    @Option(help: "Only these outcomes: success, failed, interrupted, removed (comma-separated).") var status: String?
    @Option(help: "Finished at or after this time.") var since: String?
    @Option(help: "Finished before this time.") var until: String?
    @Option(help: "Order: newest, oldest, longest, shortest.") var sort = "newest"
    @Flag(help: "Only the local store; do not contact the server.") var local = false
    @Flag(help: "Print JSON.") var json = false

    func validate() throws {
        if limit < 1 { throw ValidationError("--limit must be at least 1.") }
        if offset < 0 { throw ValidationError("--offset must not be negative.") }
        if HistoryQuery.Sort(rawValue: sort) == nil {
            throw ValidationError("--sort must be newest, oldest, longest or shortest.")
        }
        for s in (status ?? "").split(separator: ",")
        where !["success", "failed", "interrupted", "removed"].contains(String(s)) {
            throw ValidationError("--status takes success, failed, interrupted, removed; not \(s).")
        }
        for value in [since, until].compactMap({ $0 }) where DateArgument.parse(value) == nil {
            throw ValidationError(
                "cannot read the date \"\(value)\": use 2026-11-20, 2026-11-20T14:00, today, yesterday, 3h, 2d or 1w.")
        }
    }

    /// Reads the server's recent history into the store; when the server is away, says so (the store answers).
    private func refresh(_ storeHandle: LocalHistory, _ endpoint: Endpoint) async throws -> String? {
        let api = try ComfyAPI(endpoint: endpoint, requestTimeout: 15)
        let outcome: Result<[HistoryItem], ComfyError>
        do {
            outcome = .success(try await api.history(maxItems: max(limit + offset, 100)))
        } catch {
            outcome = .failure(error)
        }
        await api.shutdown()
        switch outcome {
        case .success(let items):
            try HistoryImporter(api: api, store: storeHandle).record(items)
            return nil
        case .failure(let error):
            guard error.isUnreachable else { throw error }
            let (count, newest) = try storeHandle.summary(server: endpoint.displayURL)
            return "\(error.description)\nshowing the local store: \(count) runs, newest \(Format.time(newest))"
        }
    }

    func run() async throws {
        try await mapErrors(json: json) { try await list() }
    }

    func list() async throws -> Int32 {
        let storeHandle = try store.open()
        if server.selection.isFleet { return try await listFleet(storeHandle) }
        let endpoint = try server.endpoint()
        let note = local ? nil : try await refresh(storeHandle, endpoint)
        var query = HistoryQuery(server: endpoint.displayURL, text: search ?? "")
        query.limit = limit
        query.offset = offset
        query.sort = HistoryQuery.Sort(rawValue: sort) ?? .newest
        query.statuses = Set((status ?? "").split(separator: ",").map(String.init))
        query.since = since.flatMap { DateArgument.parse($0) }
        query.until = until.flatMap { DateArgument.parse($0) }
        let (rows, total) = try storeHandle.search(query)
        if let note { Output.error("comfytop: \(note)\n") }
        if json {
            printJSON(
                .obj(
                    ("total", .int(total)), ("source", .string(note == nil && !local ? "server+store" : "store")),
                    ("runs", .array(rows.map(\.json)))))
            return 0
        }
        if rows.isEmpty {
            printLine(search == nil ? "no history" : "no runs match")
            return 0
        }
        printLine(
            "\(Format.pad("STATUS", 12)) \(Format.pad("FINISHED", 19)) \(Format.pad("WAIT", 7)) \(Format.pad("TIME", 7)) \(Format.pad("PROMPT_ID", 36)) PROMPT"
        )
        for row in rows {
            printLine(
                "\(Format.pad(row.status, 12)) \(Format.pad(Format.time(row.endedAt), 19)) "
                    + "\(Format.pad(row.queueSeconds.map(Format.duration) ?? "-", 7)) "
                    + "\(Format.pad(row.duration.map(Format.duration) ?? "-", 7)) \(Format.pad(row.promptID, 36)) \(row.positive.prefix(60))"
            )
        }
        if total > rows.count + offset { printLine("(\(total) in all; --offset \(offset + rows.count) for more)") }
        return 0
    }
}

struct HistoryImportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import", abstract: "Pull the server's whole history into the local store.")

    @OptionGroup var server: ServerFlags
    @OptionGroup var store: StoreFlags
    @Option(name: .customLong("page-size"), help: "Entries per request.") var pageSize = 500
    @Flag(help: "Print JSON.") var json = false

    func run() async throws {
        try await withAPI(server, json: json) { api in
            let storeHandle = try store.open()
            var importer = HistoryImporter(api: api, store: storeHandle)
            importer.pageSize = max(1, pageSize)
            let tty = isatty(STDERR_FILENO) == 1
            let started = Date()
            let count = try await importer.importAll { done, total in
                guard tty else { return }
                var line = "\rimporting \(done)"
                if let total, total > 0 {
                    let f = min(1, Double(done) / Double(total))
                    let filled = Int(f * 30)
                    line +=
                        "/\(total) [" + String(repeating: "#", count: filled)
                        + String(repeating: "-", count: 30 - filled) + "]"
                }
                Output.control(line)  // numbers only: no text from outside
            }
            if tty { Output.control("\n") }
            let seconds = Date().timeIntervalSince(started)
            if json {
                printJSON(
                    .obj(("imported", .int(count)), ("store", .string(storeHandle.path)), ("seconds", .double(seconds)))
                )
            } else {
                printLine(
                    "imported \(count) runs from \(api.endpoint.displayURL) into \(storeHandle.path) in \(Format.duration(seconds))"
                )
            }
            return 0
        }
    }
}

/// Dates on the command line.
enum DateArgument {
    static func parse(_ text: String, now: Date = Date()) -> Date? {
        let t = text.trimmingCharacters(in: .whitespaces).lowercased()
        let calendar = Calendar.current
        if t == "today" { return calendar.startOfDay(for: now) }
        if t == "yesterday" { return calendar.date(byAdding: .day, value: -1, to: calendar.startOfDay(for: now)) }
        if let unit = t.last, let n = Double(t.dropLast()), "hdwm".contains(unit) {
            let seconds: Double = ["h": 3600, "d": 86_400, "w": 604_800, "m": 60][unit] ?? 0
            return now.addingTimeInterval(-n * seconds)
        }
        for format in ["yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd'T'HH:mm", "yyyy-MM-dd HH:mm", "yyyy-MM-dd"] {
            let f = DateFormatter()
            f.locale = Locale(identifier: "en_US_POSIX")
            f.dateFormat = format
            if let d = f.date(from: text) { return d }
        }
        return ISO8601DateFormatter().date(from: text)
    }
}

extension HistoryRow {
    var json: JSONValue {
        .obj(
            ("prompt_id", .string(promptID)), ("status", .string(status)), ("source", .string(source)),
            ("started_ms", started(startedAt)), ("ended_ms", started(endedAt)),
            ("seconds", duration.map { .double($0) } ?? .null),
            ("queue_seconds", queueSeconds.map { .double($0) } ?? .null), ("positive", .string(positive)),
            ("checkpoint", .string(checkpoint)), ("width", width.map { .int($0) } ?? .null),
            ("height", height.map { .int($0) } ?? .null), ("outputs", .int(outputCount)),
            ("error", .optional(errorMessage)))
    }

    private func started(_ v: Int?) -> JSONValue { v.map { .int($0) } ?? .null }
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
                if let line = ShowTimes.line(queue: item.queueSeconds, run: item.durationSeconds) { printLine(line) }
                if let e = item.error {
                    printLine(
                        "  error    node \(e.nodeID ?? "?") \(e.nodeType ?? "?"): \(e.exceptionType): \(e.exceptionMessage.trimmingCharacters(in: .whitespacesAndNewlines))"
                    )
                    for entry in e.traceback {
                        for line in entry.split(whereSeparator: \.isNewline) {
                            printLine("    " + line)
                        }
                    }
                }
                for text in PromptText.extract(item.queue?.prompt ?? .null) {
                    // A multi-line prompt keeps its lines, indented under the first (each one sanitised).
                    let lines = text.text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline)
                    printLine("  \(text.role): \(lines.first ?? "")")
                    for line in lines.dropFirst() { printLine("    " + line) }
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
                let times = ShowTimes.queued(queue.pending[index], running: false)
                if json {
                    printJSON(
                        .obj(("prompt_id", .string(promptID)), ("status", "pending"), ("position", .int(index + 1)))
                            .appendingPairs(of: times.json))
                } else {
                    printLine("\(promptID)  pending (position \(index + 1))\(times.words)")
                }
                return 0
            }
            if let item = queue.running.first(where: { $0.promptID == promptID }) {
                let times = ShowTimes.queued(item, running: true)
                if json {
                    printJSON(
                        .obj(("prompt_id", .string(promptID)), ("status", "running")).appendingPairs(of: times.json))
                } else {
                    printLine("\(promptID)  running\(times.words)")
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
    @OptionGroup var store: StoreFlags
    @Argument(help: "The prompt id.") var promptID: String
    @Option(name: .customLong("output-dir"), help: "Where to save (default: the current folder).") var outputDir = "."
    @Flag(help: "Write NAME.json and NAME.txt sidecars.") var sidecar = false
    @Flag(help: "Also fetch temp files (PreviewImage).") var temp = false
    @Flag(help: "Print JSON.") var json = false

    func run() async throws {
        try await withAPI(server, json: json) { api in
            let downloader = Downloader(
                api: api, directory: URL(fileURLWithPath: (outputDir as NSString).expandingTildeInPath),
                sidecars: sidecar,
                includeTemp: temp)
            // The server's history first; a run it forgot (restart, cap) from the files the local store remembers.
            guard let (saved, refused) = try await downloader.download(run: promptID, store: try? store.open()) else {
                report(
                    "no finished job \(promptID) in the server's history or the local store (still queued, or unknown)",
                    json: json)
                return Exit.failed
            }
            for problem in refused { Output.error("comfytop: \(TerminalText.sanitize(problem.description))\n") }
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
