import ComfyJSON
import Foundation

/// What an action from the screen came to. A value, not prose: the screen words it and picks its level.
public enum ActionResult: Sendable, Equatable {
    /// The action a failure belongs to.
    public enum Kind: String, Sendable, Equatable { case interrupt, cancel, requeue, delete, download }

    case interruptSent(id: String)
    case removedFromQueue(id: String)
    /// Queued again as `new` from the stored run `from`.
    case requeued(new: String, from: String, newSeed: Bool)
    case deletedFromHistory(id: String)
    /// Files written (paths), names refused as unsafe (never written), and the folder asked for.
    case downloaded(id: String, saved: [String], refused: [String], directory: String)
    /// The run finished without output files.
    case noOutputs(id: String)
    /// The run is not in the local store (requeue needs its graph).
    case notInStore(id: String)
    /// Neither the server's history nor the local store knows the run.
    case notInHistory(id: String)
    case failed(Kind, id: String, ComfyError)

    /// The prompt the result is about.
    public var promptID: String {
        switch self {
        case .interruptSent(let id), .removedFromQueue(let id), .deletedFromHistory(let id), .noOutputs(let id),
            .notInStore(let id), .notInHistory(let id), .failed(_, let id, _):
            return id
        case .requeued(let new, _, _): return new
        case .downloaded(let id, _, _, _): return id
        }
    }
}

extension MonitorSession {
    // MARK: Actions from the screen

    public func interrupt(_ id: String) async -> ActionResult {
        do {
            try await api.interrupt(promptID: id)
            return .interruptSent(id: id)
        } catch {
            return .failed(.interrupt, id: id, error)
        }
    }

    public func cancel(_ id: String) async -> ActionResult {
        do {
            try await api.deleteFromQueue([id])
            await refreshQueue()
            return .removedFromQueue(id: id)
        } catch {
            return .failed(.cancel, id: id, error)
        }
    }

    /// Queues a run from the store again (with new seeds: ComfyUI would serve an identical prompt from its cache).
    public func requeue(_ id: String, newSeed: Bool) async -> ActionResult {
        guard let found = try? store?.record(server: api.endpoint.displayURL, promptID: id) else {
            return .notInStore(id: id)
        }
        let prompt = newSeed ? Workflow.randomizeSeeds(found.prompt) : found.prompt
        do {
            let accepted = try await api.submit(prompt: prompt, clientID: stream.clientID)
            await refreshQueue()
            return .requeued(new: accepted.promptID, from: id, newSeed: newSeed)
        } catch {
            return .failed(.requeue, id: id, error)
        }
    }

    /// Deletes a run from the server's history (the local store keeps it).
    public func deleteFromHistory(_ id: String) async -> ActionResult {
        do {
            try await api.deleteHistory([id])
            return .deletedFromHistory(id: id)
        } catch {
            return .failed(.delete, id: id, error)
        }
    }

    /// Saves a run's outputs: from the server's history, or from the files the local store remembers when the
    /// server forgot the run. An unsafe name is refused and listed; the other files are still saved.
    public func download(_ id: String, to directory: URL) async -> ActionResult {
        let downloader = Downloader(api: api, directory: directory)
        do {
            guard let (saved, refused) = try await downloader.download(run: id, store: store) else {
                return .notInHistory(id: id)
            }
            if saved.isEmpty, refused.isEmpty { return .noOutputs(id: id) }
            let names = refused.map { error -> String in
                if case .unsafeFilename(let name, _) = error { return name }
                return error.description
            }
            return .downloaded(id: id, saved: saved.map(\.path), refused: names, directory: directory.path)
        } catch {
            return .failed(.download, id: id, error)
        }
    }
}
