import ArgumentParser
import ComfyClient
import ComfyJSON
import Foundation

struct SubmitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "submit",
        abstract: "Queue an API-format workflow, optionally wait for it and download its outputs.",
        discussion: """
            Without --wait, prints the prompt_id and exits. With --wait, shows live per-node progress on stderr \
            and, at the end, the files it downloaded (into --output-dir, default the current folder).
            Examples:
              comfytop submit workflow_api.json --set 6.text="a cat in a hat" --set 3.seed=random --wait
              comfytop submit wf.json --wait --json > result.json
            """)

    @OptionGroup var server: ServerFlags
    @OptionGroup var store: StoreFlags

    @Argument(help: "The workflow, in ComfyUI's API format (Workflow → Export (API)).")
    var workflow: String

    @Option(name: .customLong("set"), help: "Set an input: NODE.INPUT=VALUE (JSON or text; seed=random). Repeatable.")
    var assignments: [String] = []

    @Flag(help: "Queue at the front.")
    var front = false

    @Flag(help: "Wait for the job, show progress and download its outputs.")
    var wait = false

    @Option(help: "With --wait: give up after this many seconds (the job keeps running on the server).")
    var timeout: Double?

    @Option(name: .customLong("output-dir"), help: "Where --wait saves the outputs (default: the current folder).")
    var outputDir: String = "."

    @Flag(name: .customLong("no-download"), help: "With --wait: do not download the outputs.")
    var noDownload = false

    @Flag(help: "Write NAME.json (prompt, timing, source) and NAME.txt (prompt text) beside each file.")
    var sidecar = false

    @Flag(name: .customLong("random-seed"), help: "Give every seed input a new random value first.")
    var randomSeed = false

    @Flag(name: .customLong("cancel-on-exit"), help: "On Ctrl-C, interrupt the job on the server too.")
    var cancelOnExit = false

    @Flag(help: "Print one JSON object on stdout instead of text.")
    var json = false

    func validate() throws {
        if let timeout, timeout <= 0 { throw ValidationError("--timeout must be a positive number of seconds.") }
    }

    func run() async throws {
        try await withAPI(server, json: json) { api in
            var prompt = try Workflow.load(path: workflow)
            if randomSeed { prompt = Workflow.randomizeSeeds(prompt) }
            for assignment in assignments { prompt = try Workflow.set(assignment, in: prompt) }
            guard wait else {
                let accepted = try await api.submit(prompt: prompt, clientID: nil, front: front)
                printWarnings(accepted)
                if json {
                    printJSON(
                        .obj(
                            ("prompt_id", .string(accepted.promptID)), ("number", .double(accepted.number)),
                            ("warnings", .array(accepted.warnings.map { .string($0.rendered) }))))
                } else {
                    printLine(accepted.promptID)
                }
                return 0
            }
            return try await submitAndWait(api, prompt)
        }
    }

    /// Keeps the run in the local history store (`--data-dir`, or the default), with the node timings seen live.
    /// A store that cannot be opened or written is reported, and the job's result stands.
    private func record(_ item: HistoryItem, _ job: MonitorJob, into store: LocalHistory?, server: String) {
        guard let store, let record = RunRecord(server: server, job: job, item: item) else { return }
        do {
            try store.upsert([record])
        } catch {
            Output.error("comfytop: warning: the run was not recorded in the local history store: \(error)\n")
        }
    }

    private func printWarnings(_ accepted: PromptAccepted) {
        for warning in accepted.warnings {
            Output.error("comfytop: warning: output dropped: \(warning.rendered)\n")
        }
    }

    private func submitAndWait(_ api: ComfyAPI, _ prompt: JSONValue) async throws -> Int32 {
        // Before the job is queued: a --data-dir that cannot be used is an error now, not after the run.
        let history = try store.openForRecording()
        let view = ProgressView(quiet: false)
        var runner = JobRunner(api: api, timeout: timeout)
        runner.socketWait = 5
        let submitted = LockedValue<String?>(nil)
        let cancel = cancelOnExit
        let signal = InterruptSignal {
            let id = submitted.value
            if cancel, let id {
                view.note("comfytop: interrupting \(id) on the server…")
                let done = DispatchSemaphore(value: 0)
                Task {
                    try? await api.interrupt(promptID: id)
                    try? await api.deleteFromQueue([id])
                    done.signal()
                }
                _ = done.wait(timeout: .now() + 5)
            } else if let id {
                view.note(
                    "comfytop: stopped waiting; \(id) keeps running on the server (comfytop interrupt \(id) stops it)")
            }
            Foundation.exit(Exit.interrupted)
        }
        defer { signal.cancel() }
        let (job, item) = try await runner.run(prompt: prompt, front: front) { update in
            switch update {
            case .accepted(let accepted):
                submitted.set(accepted.promptID)
                printWarnings(accepted)
                view.note("queued \(accepted.promptID) (#\(Int(accepted.number)))")
            case .progress(let job): view.update(job)
            case .connection(.reconnecting(_, let delay, let reason)):
                view.note("connection lost (\(reason)); retrying in \(String(format: "%.1f", delay)) s")
            case .polling(let reason): view.note(reason)
            case .connection: break
            }
        }
        view.finish(job)
        record(item, job, into: history, server: api.endpoint.displayURL)
        var saved: [Downloader.Saved] = []
        var refused: [ComfyError] = []
        if !noDownload, item.outcome == .success {
            let downloader = Downloader(
                api: api, directory: URL(fileURLWithPath: (outputDir as NSString).expandingTildeInPath),
                sidecars: sidecar)
            (saved, refused) = try await downloader.download(item)
            for problem in refused { Output.error("comfytop: \(TerminalText.sanitize(problem.description))\n") }
        }
        let seconds = item.durationSeconds
        if json {
            var summary = item.summaryJSON
            summary = summary.setting(
                "saved", .array(saved.map { .obj(("path", .string($0.path)), ("bytes", .int($0.bytes))) }))
            printJSON(summary)
        } else {
            switch item.outcome {
            case .success:
                printLine("done in \(seconds.map(Format.duration) ?? "?"): \(item.promptID)")
                for file in saved { printLine("  \(TerminalText.sanitize(file.path))  (\(Format.bytes(file.bytes)))") }
                if saved.isEmpty, !noDownload { printLine("  (no output files)") }
            case .failed:
                printLine("failed: \(item.promptID)")
                if let e = item.error ?? job.error {
                    printLine("  " + TerminalText.sanitize("\(e.summary) (\(e.exceptionType))"))
                }
            case .interrupted:
                printLine("interrupted: \(item.promptID)")
            }
        }
        return item.outcome == .success && refused.isEmpty ? 0 : Exit.failed
    }
}

/// A lock-protected value shared with a signal handler.
final class LockedValue<Value: Sendable>: @unchecked Sendable {
    private var stored: Value
    private let lock = NSLock()
    init(_ value: Value) { stored = value }
    var value: Value { lock.withLock { stored } }
    func set(_ value: Value) { lock.withLock { stored = value } }
}
