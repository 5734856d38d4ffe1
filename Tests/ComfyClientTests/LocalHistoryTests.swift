import ComfyJSON
import ComfyMock
import ComfyTestSupport
import Foundation
import Testing

@testable import ComfyClient

@Suite("Local history store")
struct LocalHistoryTests {
    static func item(
        _ id: String, text: String, status: String = "success", start: Int, seconds: Int, client: String? = nil
    )
        -> HistoryItem
    {
        let prompt = MockEngine.demoTextToImage(text, seed: 42, steps: 20)
        let end = start + seconds * 1000
        let last: JSONValue =
            status == "success"
            ? ["execution_success", .obj(("prompt_id", .string(id)), ("timestamp", .int(end)))]
            : [
                "execution_error",
                .obj(
                    ("prompt_id", .string(id)), ("node_id", "3"), ("exception_message", "boom\n"),
                    ("exception_type", "RuntimeError"), ("timestamp", .int(end))),
            ]
        let outputs: JSONValue =
            status == "success"
            ? .obj(
                (
                    "9",
                    .obj(("images", [.obj(("filename", .string("\(id).png")), ("subfolder", ""), ("type", "output"))]))
                ))
            : .object([])
        let first: JSONValue = ["execution_start", .obj(("prompt_id", .string(id)), ("timestamp", .int(start)))]
        let statusJSON: JSONValue = .obj(
            ("status_str", .string(status == "success" ? "success" : "error")),
            ("completed", .bool(status == "success")),
            ("messages", [first, last]))
        let extra: JSONValue = client.map { .obj(("client_id", .string($0))) } ?? .object([])
        let json: JSONValue = .obj(
            ("prompt", .array([1, .string(id), prompt, extra, ["9"]])), ("outputs", outputs), ("status", statusJSON))
        return HistoryItem(promptID: id, json: json)
    }

    func store() throws -> LocalHistory { try LocalHistory(path: ":memory:") }

    @Test("a run seen twice is one row; live timings and the own source survive a later import")
    func idempotent() throws {
        let s = try store()
        let a = Self.item("a", text: "red fox", start: 1_000_000, seconds: 5)
        try s.upsert([RunRecord.stored(server: "srv", item: a, source: .own, nodeSeconds: ["3": 4.0])])
        try s.upsert([RunRecord.stored(server: "srv", item: a, source: .foreign)])
        try s.upsert([RunRecord.stored(server: "srv", item: a, source: .foreign)])
        #expect(try s.summary(server: "srv").count == 1)
        let record = try #require(try s.record(server: "srv", promptID: "a"))
        #expect(record.source == .own)
        #expect(record.nodeSeconds == ["3": 4.0])
        #expect(record.positive == "red fox" && record.negative == "blurry, low quality")
        #expect(record.checkpoint == "sd_xl_base_1.0.safetensors" && record.seeds == "42")
        #expect(record.width == 1024 && record.height == 1024)
        try s.upsert([RunRecord.stored(server: "other-server", item: a, source: .foreign)])
        #expect(try s.summary(server: nil).count == 2, "one namespace per server")
    }

    @Test("several processes open and write one store at once (scripts side by side): none is refused")
    func concurrentWriters() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent(
            "comfytop-store-\(UUID().uuidString)/h.sqlite"
        ).path
        defer { try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent) }
        let failures = try await withThrowingTaskGroup(of: String?.self) { group in
            for i in 0..<8 {
                group.addTask {
                    do {
                        // A store of its own per task, as a separate process has.
                        let item = Self.item("p\(i)", text: "run \(i)", start: 1_000_000, seconds: 1)
                        try LocalHistory(path: path).upsert([RunRecord.stored(server: "s", item: item, source: .own)])
                        return nil
                    } catch {
                        return "\(error)"
                    }
                }
            }
            var failures: [String] = []
            for try await failure in group { if let failure { failures.append(failure) } }
            return failures
        }
        #expect(failures.isEmpty)
        #expect(try LocalHistory(path: path).summary(server: "s").count == 8)
    }

    @Test("the schema migrates once; reopening a file keeps its runs")
    func migration() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent(
            "comfytop-store-\(UUID().uuidString)/h.sqlite"
        ).path
        defer { try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent) }
        try LocalHistory(path: path).upsert([
            RunRecord.stored(server: "s", item: Self.item("x", text: "t", start: 0, seconds: 1), source: .own)
        ])
        #expect(try LocalHistory(path: path).summary(server: "s").count == 1)
    }

    @Test("search: words of the prompt (prefix), checkpoint, seed, node class; filters and sorting")
    func search() throws {
        let s = try store()
        let base = 1_800_000_000_000
        try s.upsert([
            RunRecord.stored(
                server: "s", item: Self.item("p1", text: "a red fox in snow", start: base, seconds: 10), source: .own),
            RunRecord.stored(
                server: "s", item: Self.item("p2", text: "an old tram, Lisbon!", start: base + 60_000, seconds: 3),
                source: .foreign),
            RunRecord.stored(
                server: "s",
                item: Self.item("p3", text: "red tram", status: "failed", start: base + 120_000, seconds: 1),
                source: .foreign),
        ])
        func ids(_ configure: (inout HistoryQuery) -> Void) throws -> [String] {
            var q = HistoryQuery(server: "s")
            configure(&q)
            return try s.search(q).rows.map(\.promptID)
        }
        #expect(try ids { $0.text = "red" } == ["p3", "p1"])
        #expect(try ids { $0.text = "tra lisb" } == ["p2"])
        #expect(try ids { $0.text = "\"quoted\" (parens) AND" }.isEmpty, "punctuation cannot break the query")
        #expect(try ids { $0.text = "ksampler" }.count == 3)
        #expect(try ids { $0.text = "sd_xl" }.count == 3)
        #expect(try ids { $0.statuses = ["failed"] } == ["p3"])
        #expect(try ids { $0.since = Date(timeIntervalSince1970: Double(base + 30_000) / 1000) } == ["p3", "p2"])
        #expect(try ids { $0.until = Date(timeIntervalSince1970: Double(base + 30_000) / 1000) } == ["p1"])
        #expect(try ids { $0.minSeconds = 2 } == ["p2", "p1"])
        #expect(try ids { $0.sort = .longest } == ["p1", "p2", "p3"])
        #expect(try ids { $0.sort = .oldest } == ["p1", "p2", "p3"])
        #expect(try s.search(HistoryQuery(server: "s", text: "red")).total == 2)
    }

    @Test("import pages through a server holding 10,000 runs; the store survives the server's restart")
    func importAndRestart() async throws {
        let mock = try await MockHarness.start()
        defer { Task { await mock.stop() } }
        _ = try await mock.post("/mock/fault", json: .obj(("seed_history", 10_000)))
        let api = try ComfyAPI(endpoint: try Endpoint(url: mock.baseURL), requestTimeout: 60)
        defer { Task { await api.shutdown() } }
        let page = try await api.history(maxItems: 500, offset: 9_800)
        #expect(page.count == 200)
        let s = try store()
        var importer = HistoryImporter(api: api, store: s)
        importer.pageSize = 1000
        let pages = LockedCounter()
        let count = try await importer.importAll { _, _ in pages.increment() }
        #expect(count == 10_000)
        #expect(pages.value == 10)
        #expect(try s.summary(server: mock.baseURL).count == 10_000)
        try await importer.importAll()
        #expect(try s.summary(server: mock.baseURL).count == 10_000, "importing again adds nothing")
        _ = try await mock.post("/mock/fault", json: .obj(("restart", true)))
        #expect(try await api.history().isEmpty)
        var q = HistoryQuery(server: mock.baseURL, text: "lisbon")
        q.limit = 5
        let found = try s.search(q)
        #expect(found.total == 1_000 && found.rows.count == 5)
        #expect(
            try s.search(HistoryQuery(server: mock.baseURL, text: "variation 4321")).rows.contains {
                $0.positive.contains("variation 4321")
            })
        var failed = HistoryQuery(server: mock.baseURL)
        failed.statuses = ["failed"]
        #expect(try s.search(failed).total == (0..<10_000).filter { $0 % 17 == 5 }.count)
    }
}

final class LockedCounter: @unchecked Sendable {
    private var n = 0
    private let lock = NSLock()
    func increment() { lock.withLock { n += 1 } }
    var value: Int { lock.withLock { n } }
}

extension RunRecord {
    /// A record of a history entry with the source and node timings a test wants.
    static func stored(server: String, item: HistoryItem, source: JobSource, nodeSeconds: [String: Double] = [:])
        -> RunRecord
    {
        guard var record = RunRecord(server: server, item: item) else { fatalError("a finished entry") }
        record.source = source
        record.nodeSeconds = nodeSeconds
        return record
    }
}
