import ArgumentParser
import ComfyClient
import ComfyJSON
import Foundation

struct WaitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "wait",
        abstract: "Wait until every listed job has ended (queued, running or already done); exit 1 if any failed.",
        discussion: """
            Prints one line per job as it ends (stdout), with the batch's progress on stderr. Jobs queued by any \
            client can be waited for. Exit codes: 0 every job succeeded; 1 one failed, was interrupted, is unknown \
            to the server or was still running at --timeout; 3 the server cannot be reached.
            An id of - reads more ids from standard input (whitespace between them).
            Examples:
              ids=$(comfytop submit wf.json --count 4) && comfytop wait $ids && echo all done
              comfytop submit wf.json --sweep 3.cfg=5,7,9 | comfytop wait - --json
            """)

    @OptionGroup var server: ServerFlags
    @Argument(help: ArgumentHelp("Prompt ids.", valueName: "prompt-id")) var promptIDs: [String] = []
    @Option(help: "Give up after this many seconds (the jobs keep running on the server).") var timeout: Double?
    @Flag(help: "Print a JSON array at the end, one object per job, in the order given.") var json = false

    func validate() throws {
        if promptIDs.isEmpty { throw ValidationError("give at least one PROMPT_ID (see comfytop queue).") }
        if let timeout, !(timeout > 0) { throw ValidationError("--timeout must be a positive number of seconds.") }
    }

    func run() async throws {
        var given = promptIDs.filter { $0 != "-" }
        if promptIDs.contains("-") {
            let text = String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self)
            given += text.split(whereSeparator: { $0.isWhitespace }).map(String.init)
        }
        guard !given.isEmpty else {
            Output.error("comfytop: wait -: no prompt ids on standard input\n")
            throw ExitCode(Exit.usage)
        }
        var unique: [String] = []
        for id in given where !unique.contains(id) { unique.append(id) }
        let ids = unique
        try await withAPI(server, json: json) { api in
            let view = BatchProgressView()
            for id in ids { view.add(id, label: "") }
            var follower = JobFollower(api: api, timeout: timeout)
            follower.socketWait = 5
            let outcomes = try await follower.follow(ids) { update in
                switch update {
                case .progress(let state): view.update(state)
                case .finished(let outcome): view.finished(outcome)
                case .polling(let reason): view.note(reason)
                case .connection(.reconnecting(_, _, let reason)): view.note("connection lost (\(reason)); retrying")
                case .connection, .accepted, .rejected: break
                }
            }
            view.finish()
            BatchReport.print(outcomes, labels: [:], saved: [:], json: json)
            return outcomes.allSatisfy { $0.status.succeeded } ? 0 : Exit.failed
        }
    }
}

/// The end of a batch or a wait: one line (or JSON object) per job, then the counts.
enum BatchReport {
    static func json(_ outcome: JobFollower.Outcome, label: String?, saved: [Downloader.Saved]?) -> JSONValue {
        var value: JSONValue =
            outcome.item?.summaryJSON
            ?? .obj(("prompt_id", .optional(outcome.promptID)), ("status", .string(outcome.status.rawValue)))
        value = value.setting("status", .string(outcome.status.rawValue))
        if let label { value = value.setting("label", .string(label)) }
        if let problem = outcome.problem { value = value.setting("error", .string(problem)) }
        if let saved {
            value = value.setting(
                "saved", .array(saved.map { .obj(("path", .string($0.path)), ("bytes", .int($0.bytes))) }))
        }
        return value
    }

    static func print(
        _ outcomes: [JobFollower.Outcome], labels: [Int: String], saved: [Int: [Downloader.Saved]], json: Bool
    ) {
        if json {
            printJSON(
                .array(
                    outcomes.enumerated().map {
                        Self.json($0.element, label: labels[$0.offset], saved: saved[$0.offset])
                    }))
            return
        }
        var files = 0
        for (index, outcome) in outcomes.enumerated() {
            let label = labels[index].map { "  \($0)" } ?? ""
            let took = outcome.item?.durationSeconds.map { "  \(Format.duration($0))" } ?? ""
            printLine("\(Format.pad(outcome.status.rawValue, 11)) \(outcome.promptID ?? "-")\(label)\(took)")
            if let error = outcome.item?.error ?? outcome.job?.error, outcome.status == .failed {
                printLine("  " + "\(error.summary) (\(error.exceptionType))")
            } else if let problem = outcome.problem {
                printLine("  " + problem)
            }
            for file in saved[index] ?? [] {
                printLine("  \(file.path)  (\(Format.bytes(file.bytes)))")
                files += 1
            }
        }
        let done = outcomes.filter { $0.status.succeeded }.count
        let queued = outcomes.filter { $0.status == .queued }.count
        let timedOut = outcomes.filter { $0.status == .timedOut }.count
        let failed = outcomes.count - done - queued - timedOut
        var summary = "\(done) done, \(failed) failed"
        if timedOut > 0 { summary += ", \(timedOut) still running at --timeout" }
        if queued > 0 { summary = "\(queued) queued, \(failed) rejected" }
        if !saved.isEmpty { summary += ", \(files) file\(files == 1 ? "" : "s")" }
        printLine("\(outcomes.count) job\(outcomes.count == 1 ? "" : "s"): \(summary)")
    }
}
