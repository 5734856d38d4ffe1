import ComfyMock
import ComfyTestSupport
import Foundation
import Testing

@testable import ComfyClient

@Suite("Downloads streamed to disk")
struct StreamingDownloadTests {
    @Test("/view is written chunk by chunk into the file, equal to the bytes the server has; a 404 leaves no file")
    func streamed() async throws {
        let mock = try await MockHarness.start()
        defer { Task { await mock.stop() } }
        let api = try ComfyAPI(endpoint: try Endpoint(url: mock.baseURL))
        defer { Task { await api.shutdown() } }
        let id = try await mock.submit(Workflows.slow(steps: 1, delayMS: 0, prefix: "big/pic"))
        _ = try await mock.waitForHistory(id)
        guard let item = try await api.history(promptID: id) else { throw HarnessError("no history") }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("comfytop-stream-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let target = dir.appendingPathComponent("out.png").path
        let written = try await api.view(item.outputs[0], streamingTo: target)
        let inMemory = try await api.view(item.outputs[0])
        #expect(written == inMemory.count)
        #expect(try Data(contentsOf: URL(fileURLWithPath: target)) == Data(inMemory))
        let missing = OutputFile(filename: "nope.png", subfolder: "", type: "output", nodeID: "9")
        let downloader = Downloader(api: api, directory: dir.appendingPathComponent("dl"))
        await #expect(throws: ComfyError.self) { _ = try await downloader.download(missing, run: nil) }
        let left = (try? FileManager.default.contentsOfDirectory(atPath: dir.appendingPathComponent("dl").path)) ?? []
        #expect(left.isEmpty)
    }
}
