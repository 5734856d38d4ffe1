import ComfyJSON
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
                extraData: i % 3 == 0 ? .object([]) : .obj(("client_id", "seed-browser")), outputs: ["9"],
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
    /// The `/history` body of `count` seeded runs (for benchmarks).
    public func seededHistoryBody(_ count: Int) -> [UInt8] {
        seedHistory(count)
        return JSONValue.object(history.page(maxItems: nil, offset: -1).map { ($0.item.promptID, $0.json) })
            .pythonJSONBytes
    }
}
