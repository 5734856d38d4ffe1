import ComfyJSON
import ComfyMock

/// Small prompt graphs for tests, in ComfyUI's API format.
public enum Workflows {
    public static func slow(
        steps: Int = 3, delayMS: Int = 50, seed: Int = 1, prefix: String = "test/run", text: Bool = false
    ) -> JSONValue {
        MockEngine.demoSlow(
            steps: steps, delayMS: delayMS, seed: seed, prefix: prefix, text: text, size: (32, 16), color: 0xFF0000)
    }

    /// EmptyImage → FailAfter → SaveImage: fails in node 2 after `failAt` steps.
    public static func failing(failAt: Int = 1, steps: Int = 3, delayMS: Int = 20, color: Int = 0xAA0000) -> JSONValue {
        .obj(
            (
                "1",
                .obj(
                    ("class_type", "EmptyImage"),
                    ("inputs", .obj(("width", 32), ("height", 16), ("batch_size", 1), ("color", .int(color)))))
            ),
            (
                "2",
                .obj(
                    ("class_type", "FailAfter"),
                    (
                        "inputs",
                        .obj(
                            ("image", ["1", 0]), ("steps", .int(steps)), ("fail_at", .int(failAt)),
                            ("delay_ms", .int(delayMS)))
                    ))
            ),
            (
                "3",
                .obj(
                    ("class_type", "SaveImage"),
                    ("inputs", .obj(("images", ["2", 0]), ("filename_prefix", "test/fail"))))
            )
        )
    }

    public static func txt2img(steps: Int = 4, seed: Int = 42) -> JSONValue {
        MockEngine.demoTextToImage("a lighthouse at dusk", seed: seed, steps: steps)
    }

    public static func body(_ prompt: JSONValue, clientID: String? = nil, extra: [(String, JSONValue)] = [])
        -> JSONValue
    {
        var pairs: [(String, JSONValue)] = [("prompt", prompt)]
        if let clientID { pairs.append(("client_id", .string(clientID))) }
        return .object(pairs + extra)
    }
}

extension MockHarness {
    /// Posts a prompt and returns its id.
    public func submit(_ prompt: JSONValue, clientID: String? = nil, extra: [(String, JSONValue)] = []) async throws
        -> String
    {
        let result = try await post("/prompt", json: Workflows.body(prompt, clientID: clientID, extra: extra))
        guard result.status == 200, let id = result.json?["prompt_id"]?.stringValue else {
            throw HarnessError("POST /prompt answered \(result.status): \(result.text)")
        }
        return id
    }

    /// Waits until `/history/{id}` holds the entry, and returns it.
    public func waitForHistory(_ id: String, seconds: Double = 20) async throws -> JSONValue {
        try await waitUntil("history entry \(id)", seconds: seconds) {
            try await self.get("/history/\(id)").json?[id] != nil
        }
        guard let entry = try await get("/history/\(id)").json?[id] else { throw HarnessError("entry vanished") }
        return entry
    }
}
