import ComfyJSON
import ComfyMock
import ComfyTestSupport
import Foundation
import Testing

@testable import ComfyClient

@Suite("Downloading outputs safely")
struct DownloaderTests {
    func tempDir() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("comfytop-dl-\(UUID().uuidString)")
    }

    @Test("files come through /view, land in subfolders, never overwrite (name_v2), with sidecars")
    func download() async throws {
        let mock = try await MockHarness.start()
        defer { Task { await mock.stop() } }
        let api = try ComfyAPI(endpoint: try Endpoint(url: mock.baseURL))
        defer { Task { await api.shutdown() } }
        let id = try await mock.submit(Workflows.slow(steps: 1, delayMS: 0, prefix: "sub/pic"))
        _ = try await mock.waitForHistory(id)
        guard let item = try await api.history(promptID: id) else { throw HarnessError("no history") }
        let dir = tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let downloader = Downloader(api: api, directory: dir, sidecars: true)
        let first = try await downloader.download(item)
        let second = try await downloader.download(item)
        #expect(first.saved.map { ($0.path as NSString).lastPathComponent } == ["pic_00001_.png"])
        #expect(second.saved.map { ($0.path as NSString).lastPathComponent } == ["pic_00001__v2.png"])
        let onServer = try Data(contentsOf: mock.dataDir.appendingPathComponent("output/sub/pic_00001_.png"))
        #expect(try await api.fileSize(item.outputs[0]) == onServer.count)
        #expect(try Data(contentsOf: URL(fileURLWithPath: first.saved[0].path)) == onServer)
        let sidecar = try JSONValue.parse([UInt8](Data(contentsOf: dir.appendingPathComponent("sub/pic_00001_.json"))))
        #expect(sidecar["prompt_id"]?.stringValue == id)
        #expect(sidecar["source"]?["filename"] == "pic_00001_.png")
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: dir.appendingPathComponent("sub").path)
        #expect(!leftovers.contains { $0.hasSuffix(".part") })
    }

    @Test(
        "hostile names in history are refused and nothing is written outside the output folder",
        arguments: [("../../evil.png", ""), ("evil.png", "../../etc"), ("/etc/passwd", ""), ("ok.png", "/abs")])
    func hostile(name: String, subfolder: String) async throws {
        let mock = try await MockHarness.start()
        defer { Task { await mock.stop() } }
        let api = try ComfyAPI(endpoint: try Endpoint(url: mock.baseURL))
        defer { Task { await api.shutdown() } }
        _ = try await mock.post(
            "/mock/fault", json: .obj(("output_name", .string(name)), ("output_subfolder", .string(subfolder))))
        let id = try await mock.submit(Workflows.slow(steps: 1, delayMS: 0))
        _ = try await mock.waitForHistory(id)
        guard let item = try await api.history(promptID: id) else { throw HarnessError("no history") }
        let root = tempDir()
        let dir = root.appendingPathComponent("out")
        defer { try? FileManager.default.removeItem(at: root) }
        let result = try await Downloader(api: api, directory: dir).download(item)
        #expect(result.saved.isEmpty)
        #expect(result.refused.count == 1)
        let everything = FileManager.default.enumerator(atPath: root.path)?.allObjects as? [String] ?? []
        #expect(everything.allSatisfy { !$0.hasSuffix(".png") })
    }

    @Test("names with NUL or control characters, separators or dot-dot are refused before any I/O")
    func safeNames() {
        for name in ["a\u{0}b.png", "a\u{1B}b.png", "..", "", "a/b.png", "a\\b.png"] {
            #expect(throws: ComfyError.self) { try SafePath.checkFilename(name) }
        }
        for subfolder in ["../x", "a/../../b", "/abs", "C:\\x", "a/\u{0}"] {
            #expect(throws: ComfyError.self) { try SafePath.checkSubfolder(subfolder) }
        }
        #expect((try? SafePath.checkSubfolder("a/b")) == ["a", "b"])
    }

    @Test("writeNew versions names and leaves no temporary files")
    func versions() throws {
        let dir = tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let a = try Downloader.writeNew([1], folder: dir, name: "x.png")
        let b = try Downloader.writeNew([2], folder: dir, name: "x.png")
        let c = try Downloader.writeNew([3], folder: dir, name: "noext")
        let d = try Downloader.writeNew([4], folder: dir, name: "noext")
        #expect([a, b, c, d].map { ($0 as NSString).lastPathComponent } == ["x.png", "x_v2.png", "noext", "noext_v2"])
        #expect(try Data(contentsOf: URL(fileURLWithPath: a)) == Data([1]))
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).count == 4)
    }
}
