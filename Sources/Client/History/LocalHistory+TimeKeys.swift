import Foundation
import GRDB

/// The store's rows are kept in time order: each run's `id` (the table's INTEGER PRIMARY KEY, so its rowid, and the
/// full-text table's rowid too) is its **time key**, `end_ms × 4096 + n`, where `end_ms` is when it ended (when it
/// was recorded if the server gave no end) and `n` tells apart runs that ended in the same millisecond.
///
/// Why: a year of history is a million runs, and the screen wants the newest 500 of a search at once. With ids in
/// time order the newest runs are the end of the table, and FTS5 returns matches in rowid order, so "the newest
/// runs that match" is read from the end of the full-text index and stops after a page, whatever the number of
/// matches. Before, every match was looked up and sorted (2 s for a word in a quarter of a million runs).
extension LocalHistory {
    /// The first time key of runs that ended at `endedAt` (ms since 1970), or were recorded at `recordedAt` (s).
    static func timeKeyBase(endedAt: Int?, recordedAt: Double) -> Int {
        // Timestamps are range-checked on the wire (1970…9999), so `× 4096` stays far below Int64's limit.
        let ms = endedAt ?? WireNumber.int(recordedAt * 1000) ?? 0
        return min(max(ms, 0), 1 << 50) * 4096
    }

    /// v2: `runs` rebuilt with time-key ids (rows copied in time order), indexes for the list's orders, and the
    /// full-text table rebuilt over the new rowids.
    static func migrateToTimeKeys(_ db: Database) throws {
        let columns = try db.columns(in: "runs").map(\.name)
        let list = columns.map { "\"\($0)\"" }.joined(separator: ", ")
        try db.execute(sql: "DROP TABLE runs_fts")
        for trigger in ["__runs_fts_ai", "__runs_fts_ad", "__runs_fts_au"] {
            try db.execute(sql: "DROP TRIGGER IF EXISTS \(trigger)")
        }
        try db.create(table: "runs_v2") { t in
            t.column("id", .integer).primaryKey()
            t.column("server", .text).notNull()
            t.column("prompt_id", .text).notNull()
            t.column("number", .double)
            t.column("client_id", .text)
            t.column("source", .text).notNull()
            t.column("status", .text).notNull()
            t.column("error_node", .text)
            t.column("error_type", .text)
            t.column("error_message", .text)
            t.column("traceback", .text)
            t.column("started_at", .integer)
            t.column("ended_at", .integer)
            t.column("duration", .double)
            t.column("prompt_json", .text).notNull()
            t.column("outputs_json", .text).notNull()
            t.column("node_seconds_json", .text).notNull()
            t.column("cached_nodes", .text).notNull()
            t.column("positive", .text).notNull()
            t.column("negative", .text).notNull()
            t.column("checkpoint", .text).notNull()
            t.column("loras", .text).notNull()
            t.column("seeds", .text).notNull()
            t.column("classes", .text).notNull()
            t.column("width", .integer)
            t.column("height", .integer)
            t.column("output_count", .integer).notNull()
            t.column("recorded_at", .double).notNull()
            t.uniqueKey(["server", "prompt_id"])
        }
        let end = "MIN(MAX(COALESCE(ended_at, CAST(recorded_at * 1000 AS INTEGER)), 0), \(1 << 50))"
        try db.execute(
            sql: """
                INSERT INTO runs_v2 (id, \(list))
                SELECT \(end) * 4096 + ROW_NUMBER() OVER (PARTITION BY \(end) ORDER BY number, prompt_id) - 1, \(list)
                FROM runs
                """)
        try db.execute(sql: "DROP TABLE runs")
        try db.execute(sql: "ALTER TABLE runs_v2 RENAME TO runs")
        // The list per server, newest first; the longest/shortest orders. (The newest of all is the table itself.)
        try db.create(index: "runs_by_server", on: "runs", columns: ["server", "id"])
        try db.create(index: "runs_by_duration", on: "runs", columns: ["duration"])
        try db.create(virtualTable: "runs_fts", using: FTS5()) { t in
            t.synchronize(withTable: "runs")
            t.tokenizer = .unicode61()
            for column in ["prompt_id", "positive", "negative", "checkpoint", "loras", "seeds", "classes"] {
                t.column(column)
            }
        }
    }
}

extension LocalHistory {
    /// The run with this prompt id on whichever server ran it (found through the full-text index, which holds the
    /// id: no index on the id alone is needed). Prompt ids are UUIDs, so one server's.
    public func record(promptID: String) throws(ComfyError) -> RunRecord? {
        let words = promptID.split(whereSeparator: { !$0.isLetter && !$0.isNumber }).map(String.init)
        guard !words.isEmpty else { return nil }
        let phrase = "prompt_id: \"" + words.joined(separator: " ") + "\""
        do {
            return try db.read { db -> RunRecord? in
                let rows = try Row.fetchAll(
                    db,
                    sql: """
                        SELECT * FROM runs WHERE id IN (SELECT rowid FROM runs_fts WHERE runs_fts MATCH ?)
                          AND prompt_id = ? ORDER BY id DESC LIMIT 1
                        """,
                    arguments: [phrase, promptID])
                return rows.first.map(Self.record(from:))
            }
        } catch {
            throw ComfyError.io(path: path, detail: "cannot read the history store: \(error)")
        }
    }
}

extension LocalHistory {
    /// ``summary(server:)``, counted again only after a write through this object: counting a million runs takes
    /// ~10 ms, and the history screen shows the store's size beside every search. (Runs other processes add are
    /// counted at this object's next write.)
    public func cachedSummary(server: String?) throws(ComfyError) -> (count: Int, newest: Int?) {
        let changes = changeCount
        if let hit = summaries.get(server: server, changes: changes) { return hit }
        let fresh = try summary(server: server)
        summaries.put(server: server, changes: changes, fresh)
        return fresh
    }
}

/// Store sizes by server, each with the write count it was taken at.
final class SummaryCache: @unchecked Sendable {
    private let lock = NSLock()
    private var entries: [String: (changes: Int, count: Int, newest: Int?)] = [:]

    func get(server: String?, changes: Int) -> (count: Int, newest: Int?)? {
        lock.withLock {
            guard let e = entries[server ?? ""], e.changes == changes else { return nil }
            return (e.count, e.newest)
        }
    }

    func put(server: String?, changes: Int, _ value: (count: Int, newest: Int?)) {
        lock.withLock { entries[server ?? ""] = (changes, value.count, value.newest) }
    }
}
