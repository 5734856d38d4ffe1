import ComfyJSON
import ComfyMock
import ComfyTestSupport
import Testing

@Suite("Mock save names")
struct MockSaveNameTests {
    @Test(
        "SaveImage with a one-character prefix saves (Foundation's path splitting traps on it on Linux)",
        arguments: [("x", "", "x_00001_.png"), ("é", "", "é_00001_.png"), ("d/y", "d", "y_00001_.png")])
    func oneCharacterPrefix(prefix: String, subfolder: String, file: String) async throws {
        let mock = try await MockHarness.start()
        defer { Task { await mock.stop() } }
        let workflow = MockEngine.demoSlow(steps: 1, delayMS: 1, seed: 1, prefix: prefix, size: (16, 16))
        let entry = try await mock.waitForHistory(try await mock.submit(workflow))
        let image = entry["outputs"]?["3"]?["images"]?[0]
        #expect(image?["filename"]?.stringValue == file)
        #expect(image?["subfolder"]?.stringValue == subfolder)
    }
}
