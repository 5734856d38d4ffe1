import ComfyJSON
import ComfyMock
import Foundation
import GRDB
import Testing

@testable import ComfyClient

/// The store as a fleet uses it: many servers, runs recorded out of time order, searches read newest first.
@Suite("History store across servers")
struct HistoryFleetStoreTests {
    static func run(_ server: String, _ id: String, _ text: String, end: Int) -> RunRecord {
        RunRecord.stored(
            server: server, item: LocalHistoryTests.item(id, text: text, start: end - 4000, seconds: 4),
            source: .foreign)
    }

    @Test("newest first is by end time, also for runs recorded late (an import of old runs) and for searches")
    func timeOrder() throws {
        let store = try LocalHistory(path: ":memory:")
        try store.upsert([Self.run("http://a:8188", "new", "red fox", end: 3_000_000)])
        // Recorded later, ended earlier; and two runs that ended in the same millisecond.
        try store.upsert([
            Self.run("http://b:8188", "old", "red fox", end: 1_000_000),
            Self.run("http://b:8188", "same1", "grey fox", end: 2_000_000),
            Self.run("http://a:8188", "same2", "blue fox", end: 2_000_000),
        ])
        let all = try store.search(HistoryQuery()).rows.map(\.promptID)
        #expect(all == ["new", "same2", "same1", "old"] || all == ["new", "same1", "same2", "old"])
        let fox = try store.search(HistoryQuery(text: "fox")).rows.map(\.promptID)
        #expect(fox == all)
        var oldest = HistoryQuery(text: "fox")
        oldest.sort = .oldest
        #expect(try store.search(oldest).rows.map(\.promptID) == all.reversed())
        // One server, every server; the server column's data.
        let b = try store.search(HistoryQuery(server: "http://b:8188", text: "fox"))
        #expect(b.rows.map(\.promptID) == ["same1", "old"] && b.total == 2)
        #expect(Set(try store.search(HistoryQuery()).rows.map(\.server)) == ["http://a:8188", "http://b:8188"])
        // A run seen again keeps its place.
        try store.upsert([Self.run("http://b:8188", "old", "red fox", end: 1_000_000)])
        #expect(try store.search(HistoryQuery()).rows.map(\.promptID) == all)
        #expect(try store.summary(server: nil).count == 4)
        // A run found by its id alone (a row of another server in the list of every server's runs).
        #expect(try store.record(promptID: "same1")?.server == "http://b:8188")
        #expect(try store.record(promptID: "same") == nil)
        #expect(try store.summary(server: "http://b:8188").newest == 2_000_000)
    }

    @Test("a search counts up to its limit; other orders and filters still apply")
    func countLimit() throws {
        let store = try LocalHistory(path: ":memory:")
        try store.upsert(
            (0..<30).map { Self.run("http://s\($0 % 3):8188", "r\($0)", "koi pond \($0)", end: 1_000_000 + $0 * 1000) })
        var query = HistoryQuery(text: "koi")
        query.countLimit = 10
        query.limit = 5
        let page = try store.search(query)
        #expect(page.total == 11 && page.rows.map(\.promptID) == ["r29", "r28", "r27", "r26", "r25"])
        query.countLimit = nil
        #expect(try store.search(query).total == 30)
        query.sort = .longest
        #expect(try store.search(query).rows.count == 5)
        query.sort = .newest
        query.server = "http://s1:8188"
        query.offset = 2
        #expect(try store.search(query).rows.map(\.promptID) == ["r22", "r19", "r16", "r13", "r10"])
    }

    @Test("a store of the first schema is migrated: its runs kept, in time order, searchable")
    func migratesV1() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("comfytop-v1-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("history.sqlite").path
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        // The first schema, as `v1` made it, with runs written newest first.
        do {
            let queue = try DatabaseQueue(path: path)
            var v1 = DatabaseMigrator()
            v1.registerMigration("v1", migrate: LocalHistory.createV1)
            try v1.migrate(queue)
            try queue.write { db in
                for (id, end) in [("c", 3_000_000), ("a", 1_000_000), ("b", 2_000_000)] {
                    try db.execute(
                        sql: """
                            INSERT INTO runs (server, prompt_id, source, status, ended_at, prompt_json, outputs_json,
                              node_seconds_json, cached_nodes, positive, negative, checkpoint, loras, seeds, classes,
                              output_count, recorded_at)
                            VALUES ('http://a:8188', ?, 'own', 'success', ?, '{}', '[]', '{}', '', ?, '', '', '', '',
                              '', 0, 0)
                            """, arguments: [id, end, "koi pond \(id)"])
                }
            }
        }
        let store = try LocalHistory(path: path)
        #expect(try store.search(HistoryQuery()).rows.map(\.promptID) == ["c", "b", "a"])
        #expect(try store.search(HistoryQuery(text: "koi")).rows.map(\.promptID) == ["c", "b", "a"])
        #expect(try store.search(HistoryQuery(text: "b")).rows.map(\.promptID) == ["b"])
        try store.upsert([Self.run("http://a:8188", "d", "koi pond d", end: 2_500_000)])
        #expect(try store.search(HistoryQuery(text: "koi")).rows.map(\.promptID) == ["c", "d", "b", "a"])
    }
}
