import ArgumentParser
import ComfyClient
import ComfyJSON
import Foundation

/// `submit` with several jobs: several workflows, `--count`, `--sweep`.
extension SubmitCommand {
    func submitBatch(_ api: ComfyAPI, _ graphs: [(path: String, prompt: JSONValue)], sweeps: [Sweep])
        async throws -> Int32
    {
        var rng = SystemRandomNumberGenerator()
        let jobs = try BatchPlan.expand(workflows: graphs, sweeps: sweeps, count: count, using: &rng)
        // ComfyUI ignores inputs a node does not declare, so a misspelt sweep would run the same job N times.
        for sweep in sweeps {
            for graph in graphs where graph.prompt[sweep.node]?["inputs"]?[sweep.input] == nil {
                let cls = graph.prompt[sweep.node]?["class_type"]?.stringValue ?? "?"
                Output.error(
                    "comfytop: warning: --sweep \(sweep.node).\(sweep.input): node \(sweep.node) (\(cls)) of "
                        + "\(graph.path) has no input \(sweep.input) yet; the server ignores inputs a node does not take\n"
                )
            }
        }
        let history = wait ? try store.openForRecording() : nil
        let view = BatchProgressView()
        if wait, !json || isatty(STDERR_FILENO) == 1 {
            view.note("queueing \(jobs.count) jobs…")
        }
        var follower = JobFollower(api: api, timeout: timeout)
        follower.socketWait = 5
        let labels = jobs.map(\.label)
        let queued = LockedValue<[String]>([])
        let cancel = cancelOnExit
        let signal = InterruptSignal {
            let ids = queued.value
            if cancel, !ids.isEmpty {
                view.note("comfytop: removing the batch's \(ids.count) jobs from the server's queue…")
                let done = DispatchSemaphore(value: 0)
                Task {
                    try? await api.deleteFromQueue(ids)
                    if let running = try? await api.queue().running.first?.promptID, ids.contains(running) {
                        try? await api.interrupt(promptID: running)
                    }
                    done.signal()
                }
                _ = done.wait(timeout: .now() + 5)
            } else if !ids.isEmpty {
                view.note("comfytop: stopped; the \(ids.count) queued jobs keep running on the server")
            }
            Foundation.exit(Exit.interrupted)
        }
        defer { signal.cancel() }
        let outcomes: [JobFollower.Outcome]
        do {
            outcomes = try await follower.submit(jobs.map(\.prompt), front: front, wait: wait) { update in
                switch update {
                case .accepted(let index, let accepted):
                    for warning in accepted.warnings {
                        view.note("comfytop: warning: \(labels[index]): output dropped: \(warning.rendered)")
                    }
                    view.add(accepted.promptID, label: labels[index])
                    queued.set(queued.value + [accepted.promptID])
                case .rejected(let index, let error):
                    view.reject()
                    view.note("comfytop: \(labels[index]) was refused: \(error.description)")
                case .progress(let state): view.update(state)
                case .finished(let outcome): view.finished(outcome)
                case .polling(let reason): view.note(reason)
                case .connection(.reconnecting(_, let delay, let reason)):
                    view.note("connection lost (\(reason)); retrying in \(String(format: "%.1f", delay)) s")
                case .connection: break
                }
            }
        } catch {
            // The ids queued before the failure are the user's to follow or cancel: never lose them.
            let ids = queued.value
            if !ids.isEmpty {
                view.note("comfytop: \(ids.count) of \(jobs.count) jobs were queued: \(ids.joined(separator: " "))")
            }
            throw error
        }
        if wait { view.finish() }
        var saved: [Int: [Downloader.Saved]] = [:]
        var refusedFiles = false
        if wait {
            let downloader = Downloader(
                api: api, directory: URL(fileURLWithPath: (outputDir as NSString).expandingTildeInPath),
                sidecars: sidecar)
            for (index, outcome) in outcomes.enumerated() {
                guard let item = outcome.item else { continue }
                if let job = outcome.job { record(item, job, into: history, server: api.endpoint.displayURL) }
                guard !noDownload, item.outcome == .success else { continue }
                let (files, refused) = try await downloader.download(item)
                saved[index] = files
                for problem in refused {
                    refusedFiles = true
                    Output.error("comfytop: \(TerminalText.sanitize(problem.description))\n")
                }
            }
        }
        let labelled = Dictionary(uniqueKeysWithValues: labels.enumerated().map { ($0.offset, $0.element) })
        if wait || json {
            BatchReport.print(outcomes, labels: labelled, saved: wait && !noDownload ? saved : [:], json: json)
        } else {
            for (index, outcome) in outcomes.enumerated() {
                if let id = outcome.promptID { printLine(id) } else { Output.error("refused: \(labels[index])\n") }
            }
        }
        let ok = outcomes.allSatisfy { $0.status == .success || $0.status == .queued }
        return ok && !refusedFiles ? 0 : Exit.failed
    }
}
