import ComfyJSON
import Foundation

/// Simulated clients that keep a demo server busy: a browser-like client queueing text-to-image jobs,
/// anonymous scripts, a failure, an interrupt and a cached re-run, round after round.
extension MockEngine {
    static let browserClientID = "demo-browser-" + String(hexID().prefix(8))

    /// Starts the simulated clients. `ownClientID` is the monitor's own id: some jobs are submitted as its own,
    /// so that the screen shows all three sources.
    public func startDemoWorkload(ownClientID: String? = nil) {
        demoTask?.cancel()
        demoTask = Task { [weak self] in
            var round = 0
            while !Task.isCancelled {
                guard let self else { return }
                await self.demoRound(round, own: ownClientID)
                round += 1
                try? await Task.sleep(for: .seconds(4))
            }
        }
    }

    private func submit(_ prompt: JSONValue, clientID: String?, extra: [(String, JSONValue)] = []) -> String? {
        var pairs: [(String, JSONValue)] = [("prompt", prompt)]
        if let clientID { pairs.append(("client_id", .string(clientID))) }
        let response = postPrompt(body: JSONValue.object(pairs + extra).pythonJSONBytes)
        return (try? JSONValue.parse(response.body))?["prompt_id"]?.stringValue
    }

    private func demoRound(_ round: Int, own: String?) async {
        let subjects = ["a lighthouse at dusk", "a red fox in snow", "an old tram in Lisbon", "koi pond, top view"]
        let subject = subjects[round % subjects.count]
        // Wait for the queue to drain a little so the demo never piles up.
        while queueRemaining > 3 {
            try? await Task.sleep(for: .seconds(1))
            if Task.isCancelled { return }
        }
        _ = submit(Self.demoTextToImage(subject, seed: round * 7 + 1, steps: 20), clientID: Self.browserClientID)
        _ = submit(Self.demoSlow(steps: 12, delayMS: 250, seed: round), clientID: nil)
        if let own, round % 2 == 0 {
            _ = submit(Self.demoTextToImage("a paper boat on a pond", seed: 5000 + round, steps: 12), clientID: own)
        }
        if round % 3 == 1 { _ = submit(Self.demoFailing(), clientID: Self.browserClientID) }
        if round % 3 == 2 {
            // The same prompt again: every node is cached and the run finishes at once.
            _ = submit(
                Self.demoTextToImage(subjects[(round - 1) % subjects.count], seed: (round - 1) * 7 + 1, steps: 20),
                clientID: Self.browserClientID)
            if let id = submit(Self.demoSlow(steps: 40, delayMS: 250, seed: 1000 + round), clientID: "demo-script") {
                interruptWhenRunning(id, after: .seconds(3))
            }
        }
    }

    private func interruptWhenRunning(_ id: String, after delay: Duration) {
        Task { [weak self] in
            while let self, await self.running?.promptID != id {
                try? await Task.sleep(for: .milliseconds(250))
                if Task.isCancelled { return }
                if await self.history.entries[id] != nil { return }
            }
            try? await Task.sleep(for: delay)
            _ = await self?.postInterrupt(body: JSONValue.obj(("prompt_id", .string(id))).pythonJSONBytes)
        }
    }

    /// A text-to-image graph of the everyday nodes (checkpoint, prompts, sampler, decode, save).
    public static func demoTextToImage(_ text: String, seed: Int, steps: Int) -> JSONValue {
        .obj(
            (
                "4",
                .obj(
                    ("class_type", "CheckpointLoaderSimple"),
                    ("inputs", .obj(("ckpt_name", "sd_xl_base_1.0.safetensors"))),
                    ("_meta", .obj(("title", "Load Checkpoint"))))
            ),
            (
                "5",
                .obj(
                    ("class_type", "EmptyLatentImage"),
                    ("inputs", .obj(("width", 1024), ("height", 1024), ("batch_size", 1))))
            ),
            (
                "6",
                .obj(
                    ("class_type", "CLIPTextEncode"), ("inputs", .obj(("text", .string(text)), ("clip", ["4", 1]))),
                    ("_meta", .obj(("title", "Positive"))))
            ),
            (
                "7",
                .obj(
                    ("class_type", "CLIPTextEncode"),
                    ("inputs", .obj(("text", "blurry, low quality"), ("clip", ["4", 1]))),
                    ("_meta", .obj(("title", "Negative"))))
            ),
            (
                "3",
                .obj(
                    ("class_type", "KSampler"),
                    (
                        "inputs",
                        .obj(
                            ("seed", .int(seed)), ("steps", .int(steps)), ("cfg", 7.0), ("sampler_name", "euler"),
                            ("scheduler", "normal"), ("denoise", 1.0), ("model", ["4", 0]), ("positive", ["6", 0]),
                            ("negative", ["7", 0]), ("latent_image", ["5", 0]))
                    )
                )
            ),
            ("8", .obj(("class_type", "VAEDecode"), ("inputs", .obj(("samples", ["3", 0]), ("vae", ["4", 2]))))),
            (
                "9",
                .obj(
                    ("class_type", "SaveImage"),
                    ("inputs", .obj(("images", ["8", 0]), ("filename_prefix", "demo/txt2img"))))
            ))
    }

    /// EmptyImage → SlowSteps → SaveImage, the graph of the recorded transcripts.
    public static func demoSlow(
        steps: Int, delayMS: Int, seed: Int, prefix: String = "demo/script", text: Bool = false,
        size: (width: Int, height: Int) = (256, 256), color: Int = 0x3366CC
    ) -> JSONValue {
        .obj(
            (
                "1",
                .obj(
                    ("class_type", "EmptyImage"),
                    (
                        "inputs",
                        .obj(
                            ("width", .int(size.width)), ("height", .int(size.height)), ("batch_size", 1),
                            ("color", .int(color)))
                    ))
            ),
            (
                "2",
                .obj(
                    ("class_type", "SlowSteps"),
                    (
                        "inputs",
                        .obj(
                            ("image", ["1", 0]), ("steps", .int(steps)), ("delay_ms", .int(delayMS)),
                            ("send_preview", true), ("send_text", .bool(text)), ("seed", .int(seed)))
                    ))
            ),
            (
                "3",
                .obj(
                    ("class_type", "SaveImage"),
                    ("inputs", .obj(("images", ["2", 0]), ("filename_prefix", .string(prefix)))))
            ))
    }

    static func demoFailing() -> JSONValue {
        .obj(
            (
                "1",
                .obj(
                    ("class_type", "EmptyImage"),
                    ("inputs", .obj(("width", 128), ("height", 128), ("batch_size", 1), ("color", 0xAA0000))))
            ),
            (
                "2",
                .obj(
                    ("class_type", "FailAfter"),
                    ("inputs", .obj(("image", ["1", 0]), ("steps", 10), ("fail_at", 4), ("delay_ms", 250))))
            ),
            (
                "3",
                .obj(
                    ("class_type", "SaveImage"),
                    ("inputs", .obj(("images", ["2", 0]), ("filename_prefix", "demo/fail"))))
            ))
    }
}
