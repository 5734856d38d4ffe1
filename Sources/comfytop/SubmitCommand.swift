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
            Several workflows, --count and --sweep queue a batch: every workflow × --count copies (each with new \
            seeds) × every combination of the sweeps' values. Without --wait it prints one prompt_id per line; with \
            --wait one progress block for the batch and a summary (done, failed, files). With --json a single job \
            prints one object and a batch prints one array with an object per job, in queue order.
            --set NODE.INPUT=@FILE uploads FILE to the server's input folder and sets the input to the name it \
            got (@@ starts a value with a literal @). --prompt and --negative set the text that reaches the \
            sampler's positive and negative inputs, found by following the graph.
            Exit codes: 0 every job succeeded (or was queued); 1 one failed or was refused; 2 usage; 3 no server.
            Examples:
              comfytop submit workflow_api.json --prompt "a cat in a hat" --set 3.seed=random --wait
              comfytop submit img2img.json --set 10.image=@photo.png --wait
              comfytop submit wf.json --count 4 --sweep 3.cfg=5,7,9 --wait      (12 jobs)
              comfytop submit wf.json --wait --json > result.json
            """)

    @OptionGroup var server: ServerFlags
    @OptionGroup var store: StoreFlags

    @Argument(help: "The workflow(s), in ComfyUI's API format (Workflow → Export (API)).")
    var workflows: [String] = []

    @Option(name: .customLong("set"), help: "Set an input: NODE.INPUT=VALUE (JSON or text; seed=random). Repeatable.")
    var assignments: [String] = []

    @Option(help: "Set the positive prompt's text (the text input that feeds the sampler's positive input).")
    var prompt: String?

    @Option(help: "Set the negative prompt's text.")
    var negative: String?

    @Option(help: "Queue each workflow N times, with new seeds each time.")
    var count: Int = 1

    @Option(help: "NODE.INPUT=v1,v2,v3: one job per value; several sweeps make a grid. Repeatable.")
    var sweep: [String] = []

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

    @Flag(help: "With --wait: draw the job's live preview above the progress (on a terminal; asks the server for it).")
    var preview = false

    func validate() throws {
        if let timeout, timeout <= 0 { throw ValidationError("--timeout must be a positive number of seconds.") }
        if workflows.isEmpty { throw ValidationError("give a WORKFLOW file (API format).") }
        if count < 1 { throw ValidationError("--count must be 1 or more.") }
    }

    func run() async throws {
        try await withAPI(server, json: json) { api in
            let sweeps = try sweep.map { text throws(Workflow.Problem) in try Sweep.parse(text) }
            let graphs = try await prepare(api, sweeps: sweeps)
            if graphs.count > 1 || count > 1 || !sweeps.isEmpty {
                return try await submitBatch(api, graphs, sweeps: sweeps)
            }
            let prompt = graphs[0].prompt
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
    func record(_ item: HistoryItem, _ job: MonitorJob, into store: LocalHistory?, server: String) {
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
        if preview, let inline = view.enablePreview() { runner.onPreview = { inline.put($0) } }
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
        let extra: JSONValue? = preview ? .obj(("preview_method", "auto")) : nil
        let (job, item) = try await runner.run(prompt: prompt, front: front, extraData: extra) { update in
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
