import ComfyJSON
import Foundation

/// What the cache keeps of a node that ran: what it hands downstream and its UI output.
struct CachedNode: Sendable {
    var source: ImageSource?
    var ui: JSONValue?
}

/// Why a node stopped: ComfyUI's exception, or an interrupt.
enum NodeFailure: Error {
    case interrupted
    case exception(type: String, message: String, traceback: [String])
    /// The server restarted under the running prompt: end silently.
    case abandoned
}

/// The state of one prompt run, as `PromptExecutor` keeps it.
struct RunState {
    let item: QueueItem
    let clientID: String?
    let graph: [(String, JSONValue)]
    var messages: [JSONValue] = []
    var progress: [(String, JSONValue)] = []
    var executed: [String] = []
    var outputs: [(String, JSONValue)] = []
    var sources: [String: ImageSource] = [:]
    var startMillis = 0
    var endMillis = 0

    func node(_ id: String) -> JSONValue? { graph.first(where: { $0.0 == id })?.1 }
    func classType(_ id: String) -> String { node(id)?["class_type"]?.stringValue ?? "" }
    func input(_ id: String, _ name: String) -> JSONValue? { node(id)?["inputs"]?[name] }
}

/// The worker: `PromptExecutor.execute_async` and the tail of `main.py: prompt_worker`.
extension MockEngine {
    func execute(_ item: QueueItem) async {
        let gen = generation
        let started = ContinuousClock.now
        var run = RunState(item: item, clientID: item.clientID, graph: item.prompt.objectValue ?? [])
        currentClientID = run.clientID
        interruptFlag = false
        addMessage(&run, "execution_start", .obj(("prompt_id", .string(item.promptID))))
        run.startMillis = Self.nowMillis()

        let keys = cacheKeys(run.graph)
        let live = Set(keys.values)
        cache = cache.filter { live.contains($0.key) }
        let cached = run.graph.map(\.0).filter { keys[$0].flatMap { cache[$0] } != nil }
        addMessage(
            &run, "execution_cached",
            .obj(("nodes", .array(cached.map { .string($0) })), ("prompt_id", .string(item.promptID))))
        for id in cached { run.sources[id] = keys[id].flatMap { cache[$0]?.source } }

        var failure: (String, NodeFailure)?
        for id in executionOrder(run, outputs: item.outputs, cached: Set(cached)) {
            guard let key = keys[id] else { continue }
            if let hit = cache[key] {
                replayCached(&run, id: id, hit: hit)
                continue
            }
            do {
                try await runNode(&run, id: id, gen: gen)
                cache[key] = CachedNode(source: run.sources[id], ui: run.outputs.first(where: { $0.0 == id })?.1)
            } catch {
                failure = (id, error)
                break
            }
        }
        if case .abandoned = failure?.1 { return }
        if generation != gen { return }

        // Never complete sooner than 0.5 s after queueing (so `/history/{id}` is `{}` before that).
        let minimumEnd = item.queuedAt.advanced(by: .milliseconds(500))
        if ContinuousClock.now < minimumEnd { try? await Task.sleep(until: minimumEnd, clock: .continuous) }
        if generation != gen { return }

        var success = false
        switch failure {
        case nil:
            success = true
            addMessage(&run, "execution_success", .obj(("prompt_id", .string(item.promptID))))
        case let (id, .exception(type, message, traceback))?:
            log("!!! Exception during processing !!! \(message)\n")
            log("Traceback (most recent call last):\n" + traceback.joined())
            let inputs = (run.node(id)?["inputs"]?.objectValue ?? []).map { name, value -> (String, JSONValue) in
                if case .array(let link) = value, link.count == 2 {
                    return (name, .array([.string("tensor(<IMAGE from node \(link[0].pythonStr)>)")]))
                }
                return (name, .array([value]))
            }
            addMessage(
                &run, "execution_error",
                .obj(
                    ("prompt_id", .string(item.promptID)), ("node_id", .string(id)),
                    ("node_type", .string(run.classType(id))), ("executed", .array(run.executed.map { .string($0) })),
                    ("exception_message", .string(message + "\n")), ("exception_type", .string(type)),
                    ("traceback", .array(traceback.map { .string($0) })), ("current_inputs", .object(inputs)),
                    ("current_outputs", .array(run.graph.map { .string($0.0) }))))
        case let (id, _)?:
            log("Processing interrupted\n")
            addMessage(
                &run, "execution_interrupted",
                .obj(
                    ("prompt_id", .string(item.promptID)), ("node_id", .string(id)),
                    ("node_type", .string(run.classType(id))), ("executed", .array(run.executed.map { .string($0) }))),
                broadcast: true)
        }
        run.endMillis = Self.nowMillis()
        lastNodeID = nil

        // task_done: history first, then the status broadcast, then `executing {node: null}`.
        let meta = run.outputs.map { id, _ -> (String, JSONValue) in
            (
                id,
                .obj(
                    ("node_id", .string(id)), ("display_node", .string(id)), ("parent_node", .null),
                    ("real_node_id", .string(id)))
            )
        }
        history.insert(
            HistoryEntry(
                item: item, outputs: run.outputs, statusString: success ? "success" : "error", completed: success,
                messages: run.messages, meta: meta, startedAt: run.startMillis, endedAt: run.endMillis))
        running = nil
        broadcastStatus()
        if let clientID = run.clientID {
            send("executing", .obj(("node", .null), ("prompt_id", .string(item.promptID))), to: clientID)
        }
        let seconds =
            Double((ContinuousClock.now - started).components.attoseconds) / 1e18
            + Double((ContinuousClock.now - started).components.seconds)
        log(String(format: "Prompt executed in %.2f seconds\n", seconds))
    }

    /// `PromptExecutor.add_message`: recorded for history; sent to the client, or broadcast only when asked.
    func addMessage(_ run: inout RunState, _ event: String, _ data: JSONValue, broadcast: Bool = false) {
        let stamped = data.setting("timestamp", .int(Self.nowMillis()))
        run.messages.append(.array([.string(event), stamped]))
        if run.clientID != nil || broadcast { send(event, stamped, to: run.clientID) }
    }

    /// A cached output node is replayed: `executed` with its UI, then `progress_state` finished.
    func replayCached(_ run: inout RunState, id: String, hit: CachedNode) {
        if let ui = hit.ui {
            run.outputs.append((id, ui))
            if run.clientID != nil { sendExecuted(run, id: id, ui: ui) }
        }
        setProgress(&run, id, value: .double(1), max: .double(1), state: "finished")
    }

    func sendExecuted(_ run: RunState, id: String, ui: JSONValue) {
        send(
            "executed",
            .obj(
                ("node", .string(id)), ("display_node", .string(id)), ("output", ui),
                ("prompt_id", .string(run.item.promptID))),
            to: run.clientID)
    }

    /// Updates one node in `progress_state` and sends the whole (cumulative) map: client, or broadcast if none.
    /// `activity` (newer servers, `NodeProgressState.activity`): what a running node spends its time on.
    func setProgress(
        _ run: inout RunState, _ id: String, value: JSONValue, max: JSONValue, state: String, activity: String? = nil
    ) {
        let pid = JSONValue.string(run.item.promptID)
        var entry: JSONValue = .obj(
            ("value", value), ("max", max), ("state", .string(state)), ("node_id", .string(id)), ("prompt_id", pid),
            ("display_node_id", .string(id)), ("parent_node_id", .null), ("real_node_id", .string(id)))
        if let activity { entry = entry.setting("activity", .string(activity)) }
        if let index = run.progress.firstIndex(where: { $0.0 == id }) {
            run.progress[index].1 = entry
        } else {
            run.progress.append((id, entry))
        }
        send("progress_state", .obj(("prompt_id", pid), ("nodes", .object(run.progress))), to: run.clientID)
    }

    /// The cache signature of every node: class and inputs, with links replaced by the upstream signature.
    func cacheKeys(_ graph: [(String, JSONValue)]) -> [String: String] {
        var keys: [String: String] = [:]
        var visiting: Set<String> = []
        func key(_ id: String) -> String {
            if let k = keys[id] { return k }
            guard let node = graph.first(where: { $0.0 == id })?.1, !visiting.contains(id) else {
                return "missing:\(id)"
            }
            visiting.insert(id)
            let inputs = (node["inputs"]?.objectValue ?? []).sorted { $0.0 < $1.0 }.map {
                name, value -> (String, JSONValue) in
                if case .array(let link) = value, link.count == 2 {
                    return (name, .array([.string(key(link[0].pythonStr)), link[1]]))
                }
                return (name, value)
            }
            visiting.remove(id)
            let k = JSONValue.obj(("class", node["class_type"] ?? .null), ("inputs", .object(inputs))).pythonJSON
            keys[id] = k
            return k
        }
        for (id, _) in graph { _ = key(id) }
        return keys
    }

    /// The nodes the outputs need, in an order ComfyUI's `ux_friendly_pick_node` would plausibly take:
    /// ready output nodes first, then nodes that feed an output, then the lowest id.
    func executionOrder(_ run: RunState, outputs: [String], cached: Set<String>) -> [String] {
        func upstream(_ id: String) -> [String] {
            (run.node(id)?["inputs"]?.objectValue ?? []).compactMap { _, value in
                if case .array(let link) = value, link.count == 2 { return link[0].pythonStr }
                return nil
            }
        }
        var needed: Set<String> = []
        var stack = outputs
        while let id = stack.popLast() {
            guard needed.insert(id).inserted else { continue }
            stack.append(contentsOf: upstream(id))
        }
        let outputSet = Set(outputs)
        var done = cached.subtracting(outputSet)
        var remaining = needed.subtracting(done)
        var order: [String] = []
        func numericOrder(_ a: String, _ b: String) -> Bool {
            if let x = Int(a), let y = Int(b) { return x < y }
            return a < b
        }
        while !remaining.isEmpty {
            let ready = remaining.filter { id in upstream(id).allSatisfy { done.contains($0) || !needed.contains($0) } }
                .sorted(by: numericOrder)
            guard !ready.isEmpty else { break }
            let feedsOutput = { (id: String) in
                remaining.contains { outputSet.contains($0) && upstream($0).contains(id) }
            }
            let readyOutput = outputs.first { ready.contains($0) }
            let pick = readyOutput ?? ready.first(where: feedsOutput) ?? ready[0]
            order.append(pick)
            done.insert(pick)
            remaining.remove(pick)
        }
        return order
    }
}
