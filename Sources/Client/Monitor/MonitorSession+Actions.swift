import ComfyJSON
import Foundation

extension MonitorSession {
    // MARK: Actions from the screen

    public func interrupt(_ id: String) async -> String {
        do {
            try await api.interrupt(promptID: id)
            return "interrupt sent for \(id.prefix(8))"
        } catch {
            return "interrupt failed: \(error.description)"
        }
    }

    public func cancel(_ id: String) async -> String {
        do {
            try await api.deleteFromQueue([id])
            await refreshQueue()
            return "removed \(id.prefix(8)) from the queue"
        } catch {
            return "cancel failed: \(error.description)"
        }
    }

    /// Queues a run from the store again (with new seeds: ComfyUI would serve an identical prompt from its cache).
    public func requeue(_ id: String, newSeed: Bool) async -> String {
        guard let found = try? store?.record(server: api.endpoint.displayURL, promptID: id) else {
            return "requeue failed: \(id.prefix(8)) is not in the local store"
        }
        let prompt = newSeed ? Workflow.randomizeSeeds(found.prompt) : found.prompt
        do {
            let accepted = try await api.submit(prompt: prompt, clientID: stream.clientID)
            await refreshQueue()
            return "queued \(accepted.promptID.prefix(8)) (again \(id.prefix(8))\(newSeed ? ", new seeds" : ""))"
        } catch {
            return "requeue failed: \(error.description)"
        }
    }

    /// Deletes a run from the server's history (the local store keeps it).
    public func deleteFromHistory(_ id: String) async -> String {
        do {
            try await api.deleteHistory([id])
            return "deleted \(id.prefix(8)) from the server's history (the local store keeps it)"
        } catch {
            return "delete failed: \(error.description)"
        }
    }

    public func download(_ id: String, to directory: URL) async -> String {
        do {
            guard let item = try await api.history(promptID: id) else {
                // The server may have forgotten the run: the local store still knows its files.
                if let found = try? store?.record(server: api.endpoint.displayURL, promptID: id) {
                    var saved = 0
                    for file in found.outputs where file.type != "temp" {
                        _ = try await Downloader(api: api, directory: directory).download(file, job: nil)
                        saved += 1
                    }
                    return saved == 0
                        ? "\(id.prefix(8)) has no output files" : "saved \(saved) file(s) to \(directory.path)"
                }
                return "no finished job \(id.prefix(8)) in history"
            }
            let (saved, refused) = try await Downloader(api: api, directory: directory).download(item)
            if saved.isEmpty, refused.isEmpty { return "\(id.prefix(8)) has no output files" }
            let where_ = saved.first.map { ($0.path as NSString).deletingLastPathComponent } ?? directory.path
            return "saved \(saved.count) file(s) to \(where_)"
                + (refused.isEmpty ? "" : "; refused \(refused.count) unsafe name(s)")
        } catch {
            return "download failed: \(error.description)"
        }
    }

    /// A message from an action, shown on the message line.
    public func note(_ text: String, level: MonitorState.Message.Level) {
        state.post(text, level, now: Date())
        onState(state)
    }
}
