import ComfyJSON
import Dispatch
import Foundation

/// Test hook: fills history with `count` finished runs at once (realistic text-to-image graphs, a few failures),
/// so paging and the local store can be tested at the real server's 10,000-entry scale without running them.
extension MockEngine {
    static let seedSubjects = [
        "a lighthouse at dusk", "a red fox in snow", "an old tram in Lisbon", "koi pond, top view", "a paper boat",
        "misty pine forest", "a cat astronaut", "neon alley in the rain", "a bowl of ramen", "desert dunes at noon",
    ]

    func seedHistory(_ count: Int) {
        let end = Self.nowMillis()
        for i in 0..<max(0, count) {
            let subject = Self.seedSubjects[i % Self.seedSubjects.count]
            let prompt = Self.demoTextToImage("\(subject), variation \(i)", seed: 100_000 + i, steps: 20 + i % 10)
            let id = UUID().uuidString.lowercased()
            let started = end - (count - i) * 9000
            let finished = started + 4000 + (i % 7) * 500
            let item = QueueItem(
                number: .int(self.number), promptID: id, prompt: prompt,
                extraData: i % 3 == 0
                    ? .object([])
                    : .obj(
                        ("extra_pnginfo", .obj(("workflow", Self.uiWorkflow(prompt)))), ("client_id", "seed-browser")),
                outputs: ["9"],
                queuedAt: .now, createTime: started)
            self.number += 1
            let failed = i % 17 == 5
            var messages: [JSONValue] = [
                ["execution_start", .obj(("prompt_id", .string(id)), ("timestamp", .int(started)))],
                ["execution_cached", .obj(("nodes", []), ("prompt_id", .string(id)), ("timestamp", .int(started)))],
            ]
            if failed {
                messages.append(
                    [
                        "execution_error",
                        .obj(
                            ("prompt_id", .string(id)), ("node_id", "3"), ("node_type", "KSampler"),
                            ("executed", ["4", "5"]),
                            ("exception_message", "CUDA out of memory\n"), ("exception_type", "torch.OutOfMemoryError"),
                            ("traceback", []), ("current_inputs", .object([])), ("current_outputs", []),
                            ("timestamp", .int(finished))),
                    ])
            } else {
                messages.append(["execution_success", .obj(("prompt_id", .string(id)), ("timestamp", .int(finished)))])
            }
            let image: JSONValue = .obj(
                ("filename", .string(String(format: "txt2img_%05d_.png", i + 1))), ("subfolder", "seed"),
                ("type", "output"))
            history.insert(
                HistoryEntry(
                    item: item, outputs: failed ? [] : [("9", .obj(("images", [image])))],
                    statusString: failed ? "error" : "success", completed: !failed, messages: messages,
                    meta: failed
                        ? []
                        : [
                            (
                                "9",
                                .obj(
                                    ("node_id", "9"), ("display_node", "9"), ("parent_node", .null),
                                    ("real_node_id", "9"))
                            )
                        ],
                    startedAt: started, endedAt: finished))
        }
    }
}

extension MockEngine {
    /// The browser's copy of a graph, as its frontend puts it in `extra_data.extra_pnginfo.workflow` (litegraph:
    /// nodes with positions, sizes, slots and widget values, and the links between them). Runs queued from the
    /// browser carry it, which is why real `/history` bodies are large.
    static func uiWorkflow(_ prompt: JSONValue) -> JSONValue {
        let nodes = prompt.objectValue ?? []
        var links: [JSONValue] = []
        var uiNodes: [JSONValue] = []
        var outputs: [String: [(slot: Int, link: Int)]] = [:]
        for (order, (id, node)) in nodes.enumerated() {
            let classType = node["class_type"]?.stringValue ?? "?"
            var inputs: [JSONValue] = []
            var widgets: [JSONValue] = []
            for (name, value) in node["inputs"]?.objectValue ?? [] {
                if let source = value.arrayValue, source.count == 2, let from = source[0].stringValue,
                    let slot = source[1].intValue
                {
                    let link = links.count + 1
                    links.append([
                        .int(link), .int(Int(from) ?? 0), .int(slot), .int(Int(id) ?? 0), .int(inputs.count),
                        .string(name.uppercased()),
                    ])
                    outputs[from, default: []].append((slot, link))
                    inputs.append(
                        .obj(("name", .string(name)), ("type", .string(name.uppercased())), ("link", .int(link))))
                } else {
                    widgets.append(value)
                    if name == "seed" || name == "noise_seed" { widgets.append("randomize") }
                }
            }
            uiNodes.append(
                .obj(
                    ("id", .int(Int(id) ?? 0)), ("type", .string(classType)),
                    ("pos", [.int(100 + order * 350), .int(130 + (order % 3) * 220)]), ("size", [315, 262]),
                    ("flags", .object([])), ("order", .int(order)), ("mode", 0), ("inputs", .array(inputs)),
                    ("properties", .obj(("Node name for S&R", .string(classType)))),
                    ("widgets_values", .array(widgets))))
        }
        // Each node's output slots, with the links that leave them.
        uiNodes = uiNodes.map { node in
            let id = String(node["id"]?.intValue ?? 0)
            let slots = Dictionary(grouping: outputs[id] ?? [], by: \.slot).sorted { $0.key < $1.key }
            let list: [JSONValue] = slots.map { slot, uses in
                .obj(
                    ("name", .string("OUT\(slot)")), ("type", .string("OUT\(slot)")),
                    ("links", .array(uses.map { .int($0.link) })), ("slot_index", .int(slot)))
            }
            guard case .object(var pairs) = node else { return node }
            pairs.insert(("outputs", .array(list)), at: 8)
            return .object(pairs)
        }
        return .obj(
            ("last_node_id", .int(nodes.compactMap { Int($0.0) }.max() ?? 0)), ("last_link_id", .int(links.count)),
            ("nodes", .array(uiNodes)), ("links", .array(links)), ("groups", []), ("config", .object([])),
            ("extra", .obj(("ds", .obj(("scale", 1.0), ("offset", [0.0, 0.0]))), ("frontendVersion", "1.28.6"))),
            ("version", 0.4))
    }

    /// The `/history` body of `count` seeded runs (for benchmarks).
    public func seededHistoryBody(_ count: Int) -> [UInt8] {
        seedHistory(count)
        return JSONValue.object(history.page(maxItems: nil, offset: -1).map { ($0.item.promptID, $0.json) })
            .pythonJSONBytes
    }
}

extension MockEngine {
    /// `POST /mock/burst` (benchmark hook): broadcasts `frames` `progress` messages of a made-up anonymous prompt at
    /// `rate` per second, and answers with when each was handed to the sockets (CLOCK_MONOTONIC nanoseconds, the
    /// clock Python's `time.monotonic` reads), so a harness can time them to the screen.
    func progressBurst(body: [UInt8]) async -> MockResponse {
        let json = (try? JSONValue.parse(body)) ?? .object([])
        let frames = min(max(1, json["frames"]?.intValue ?? 1000), 100_000)
        let rate = max(1, json["rate"]?.doubleValue ?? 1000)
        let total = json["max"]?.intValue ?? frames
        // "steps": true sends each step as a real sampler step is sent: `progress_state` then `progress`.
        let steps = json["steps"]?.boolValue ?? false
        let id = UUID().uuidString.lowercased()
        var sent: [JSONValue] = []
        sent.reserveCapacity(frames)
        // The prompt is listed as running meanwhile (when nothing else is), as a real one would be.
        let listed = running == nil
        if listed {
            running = QueueItem(
                number: .int(number), promptID: id,
                prompt: .obj(("1", .obj(("class_type", "SlowSteps"), ("inputs", .object([]))))),
                extraData: .object([]), outputs: ["1"], queuedAt: .now, createTime: Self.nowMillis())
        }
        defer { if listed, running?.promptID == id { running = nil } }
        let start = Self.monotonicNanos()
        for k in 1...frames {
            let due = start + UInt64(Double(k - 1) / rate * 1e9)
            let now = Self.monotonicNanos()
            if due > now { try? await Task.sleep(nanoseconds: due - now) }
            if steps {
                let node: JSONValue = .obj(
                    ("value", .int(k)), ("max", .int(total)), ("state", "running"), ("node_id", "1"),
                    ("prompt_id", .string(id)), ("display_node_id", "1"), ("parent_node_id", .null),
                    ("real_node_id", "1"))
                send("progress_state", .obj(("prompt_id", .string(id)), ("nodes", .obj(("1", node)))), to: nil)
            }
            send(
                "progress", .obj(("value", .int(k)), ("max", .int(total)), ("prompt_id", .string(id)), ("node", "1")),
                to: nil)
            sent.append(.int(Int(Self.monotonicNanos())))
        }
        return .json(.obj(("prompt_id", .string(id)), ("sent_ns", .array(sent))))
    }

    static func monotonicNanos() -> UInt64 {
        // CLOCK_MONOTONIC, as Python's time.monotonic (B5 compares them); `timespec` does not compile in release
        // under MemberImportVisibility ("missing import of defining module 'CDispatch'").
        DispatchTime.now().uptimeNanoseconds
    }
}
