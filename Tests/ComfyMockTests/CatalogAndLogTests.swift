import ComfyJSON
import ComfyTestSupport
import Foundation
import Testing

@testable import ComfyMock

@Suite("Node catalogue and log lines")
struct CatalogAndLogTests {
    @Test(
        "/object_info of the fixture nodes is exactly what the real server answered",
        arguments: [
            "EmptyImage", "ImageInvert", "ImageScale", "SaveImage", "PreviewImage", "SlowSteps", "FailAfter",
            "KSampler",
        ])
    func objectInfoMatchesRecording(node: String) async throws {
        let snapshots = try Transcript.load("http_snapshots")
        let recorded = snapshots.events.first { $0["path"]?.stringValue == "/object_info/\(node)" }?["response_json"]
        let mock = try await MockHarness.start()
        defer { Task { await mock.stop() } }
        let answer = try await mock.get("/object_info/\(node)")
        #expect(answer.contentType == "application/json; charset=utf-8")
        #expect(answer.json == recorded)
        #expect(answer.text == recorded?.pythonJSON)
    }

    @Test("an unknown class answers {}; /object_info lists every node with its inputs")
    func objectInfoAll() async throws {
        let mock = try await MockHarness.start()
        defer { Task { await mock.stop() } }
        #expect(try await mock.get("/object_info/NoSuchNodeType").json == .object([]))
        let all = try await mock.get("/api/object_info").json?.objectValue?.map(\.0) ?? []
        #expect(all.count == 14)
        let ckpts = try await mock.get("/models/checkpoints").json?.arrayValue ?? []
        #expect(ckpts.contains("sd_xl_base_1.0.safetensors"))
        #expect(try await mock.get("/models/nonsense").status == 404)
    }

    @Test(
        "tqdm bars are printed as a real sampler prints them",
        arguments: [
            (0, "\r  0%|          | 0/12 [00:00<?, ?it/s]"),
            (1, "\r  8%|▊         | 1/12 [00:00<00:02,  3.98it/s]"),
            (5, "\r 42%|████▏     | 5/12 [00:01<00:01,  3.98it/s]"),
            (12, "\r100%|██████████| 12/12 [00:03<00:00,  3.98it/s]"),
        ])
    func tqdm(step: Int, expected: String) {
        #expect(Tqdm.bar(n: step, total: 12, elapsed: Double(step) / 3.98) == expected)
    }
}
