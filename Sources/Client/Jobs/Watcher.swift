import ComfyJSON
import Foundation

/// A normalized lifecycle event of any job on the server, own or not.
public struct JobEvent: Sendable, Equatable {
    public enum Source: String, Sendable {
        /// Submitted by this client: full live events.
        case own
        /// Submitted by another client (e.g. the browser): seen by polling and the server log.
        case foreign
        /// Submitted without a client_id: broadcast progress, completion from history.
        case anonymous
    }

    public enum Via: String, Sendable {
        case live, polled, log
    }

    public var event: String
    public var promptID: String
    public var source: Source
    public var via: Via
    public var time: Date
    public var details: [(String, JSONValue)]

    public static func == (a: JobEvent, b: JobEvent) -> Bool {
        a.event == b.event && a.promptID == b.promptID && a.source == b.source && a.via == b.via
    }

    public var json: JSONValue {
        let stamp = ISO8601DateFormatter().string(from: time)
        return .object(
            [
                ("event", .string(event)), ("prompt_id", .string(promptID)), ("source", .string(source.rawValue)),
                ("via", .string(via.rawValue)), ("time", .string(stamp)),
            ] + details)
    }
}

/// Follows every job on the server without borrowing anyone's clientId: the queue is re-read on each `status`
/// broadcast (and every few seconds), jobs that leave it are looked up in history, anonymous prompts'
/// broadcast progress is used live, and foreign jobs' steps come from tqdm bars in the server log.
public actor Watcher {
    let api: ComfyAPI
    let stream: EventStream
    var known: [String: (source: JobEvent.Source, state: String)] = [:]
    var running: String?
    var lastProgress: [String: Date] = [:]
    var lastStep: [String: String] = [:]
    var emit: @Sendable (JobEvent) -> Void = { _ in }
    var refreshPending = false

    public init(api: ComfyAPI) {
        self.api = api
        var stream = EventStream(endpoint: api.endpoint)
        stream.previewMetadata = false
        self.stream = stream
    }

    /// Runs until cancelled.
    public func run(emit: @escaping @Sendable (JobEvent) -> Void) async {
        self.emit = emit
        await refresh(initial: true)
        let ticker = Task { [weak self] in
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(3))
                await self?.refresh(initial: false)
            }
        }
        defer { ticker.cancel() }
        for await event in stream.events() {
            if Task.isCancelled { break }
            await handle(event)
        }
    }

    func source(_ clientID: String?) -> JobEvent.Source {
        guard let clientID else { return .anonymous }
        return clientID == stream.clientID ? .own : .foreign
    }

    func handle(_ event: ClientEvent) async {
        switch event {
        case .connection(.connected):
            try? await api.subscribeLogs(clientID: stream.clientID, enabled: true)
            await refresh(initial: false)
        case .server(.status):
            await refresh(initial: false)
        case .server(.progress(let id, let node, let value, let max)):
            guard let id else { return }
            progress(id, node: node, value: value, max: max, via: .live)
        case .server(.logs(let entries)):
            guard let id = running, known[id]?.source == .foreign else { return }
            for entry in entries {
                if let step = TqdmParser.parse(entry.message) {
                    progress(id, node: nil, value: Double(step.value), max: Double(step.total), via: .log)
                }
            }
        default:
            break
        }
    }

    func progress(_ id: String, node: String?, value: Double, max: Double, via: JobEvent.Via) {
        let now = Date()
        let key = "\(node ?? "")|\(value)|\(max)"
        if lastStep[id] == key { return }
        if value < max, let last = lastProgress[id], now.timeIntervalSince(last) < 1 { return }
        lastProgress[id] = now
        lastStep[id] = key
        var details: [(String, JSONValue)] = [("value", .double(value)), ("max", .double(max))]
        if let node { details.append(("node", .string(node))) }
        emit(
            JobEvent(
                event: "progress", promptID: id, source: known[id]?.source ?? .anonymous, via: via, time: now,
                details: details))
    }

    func refresh(initial: Bool) async {
        guard !refreshPending else { return }
        refreshPending = true
        defer { refreshPending = false }
        guard let queue = try? await api.queue() else { return }
        var present: Set<String> = []
        for item in queue.running {
            present.insert(item.promptID)
            let src = source(item.clientID)
            if known[item.promptID]?.state != "running" {
                known[item.promptID] = (src, "running")
                emit(
                    JobEvent(
                        event: initial ? "running" : "started", promptID: item.promptID, source: src, via: .polled,
                        time: Date(), details: []))
            }
        }
        running = queue.running.first?.promptID
        for (position, item) in queue.pending.enumerated() {
            present.insert(item.promptID)
            if known[item.promptID] == nil {
                let src = source(item.clientID)
                known[item.promptID] = (src, "pending")
                emit(
                    JobEvent(
                        event: "queued", promptID: item.promptID, source: src, via: .polled, time: Date(),
                        details: [("position", .int(position + 1))]))
            }
        }
        for (id, info) in known where !present.contains(id) {
            known[id] = nil
            lastProgress[id] = nil
            lastStep[id] = nil
            if let item = try? await api.history(promptID: id) {
                var details: [(String, JSONValue)] = [("outputs", .array(item.outputs.map(\.json)))]
                if let s = item.startedAt, let e = item.endedAt {
                    details.append(("seconds", .double(Double(e - s) / 1000)))
                }
                if let error = item.error {
                    details.append(
                        (
                            "error",
                            .string(
                                "node \(error.nodeID ?? "?") \(error.nodeType ?? "?"): \(error.exceptionMessage.trimmingCharacters(in: .whitespacesAndNewlines))"
                            )
                        ))
                }
                let name = item.outcome == .success ? "finished" : item.outcome == .failed ? "failed" : "interrupted"
                emit(
                    JobEvent(
                        event: name, promptID: id, source: info.source, via: .polled, time: Date(), details: details))
            } else {
                emit(
                    JobEvent(
                        event: "removed", promptID: id, source: info.source, via: .polled, time: Date(), details: []))
            }
        }
    }
}
