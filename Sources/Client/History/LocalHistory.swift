import ComfyJSON
import Foundation
import GRDB

/// The local history store: every run the monitor or the CLI sees, per server, in SQLite (through GRDB), with
/// full-text search (FTS5). It outlives the server's in-memory history, its 10,000 cap and its restarts.
public final class LocalHistory: Sendable {
    let db: DatabaseQueue
    public let path: String
    private let writes = WriteCounter()
    /// The store's size a server, as last counted (see `cachedSummary`).
    let summaries = SummaryCache()

    /// Bumped by every write through this object, so a reader (the history screen) reads again only after one.
    public var changeCount: Int { writes.value }

    /// `DATA_DIR/history.sqlite`, by default `$XDG_DATA_HOME/comfytop/history.sqlite` (see ``Paths``).
    public static func defaultPath(
        dataDir: String? = nil, environment: [String: String] = ProcessInfo.processInfo.environment
    ) -> String {
        Paths(environment: environment, dataDir: dataDir).historyStore
    }

    /// Opens (creating and migrating as needed). `path == ":memory:"` keeps it in memory (tests).
    public init(path: String) throws(ComfyError) {
        self.path = path
        do {
            if path == ":memory:" {
                db = try DatabaseQueue()
            } else {
                try FileManager.default.createDirectory(
                    atPath: PathParts(path).folder, withIntermediateDirectories: true)
                // Several comfytop processes share one store (a monitor, scripts running `submit --wait` side by
                // side): a writer waits for another's lock instead of failing with "database is locked".
                var configuration = Configuration()
                configuration.busyMode = .timeout(15)
                db = try DatabaseQueue(path: path, configuration: configuration)
            }
            // Two processes opening a new store at once both see it unmigrated; the one that loses a migration
            // finds the table or column made by the other: once that migration is committed, migrating again skips
            // it. A process can lose once per migration (three), so it tries once more than there are.
            var attempt = 0
            while true {
                do {
                    try Self.migrator.migrate(db)
                    break
                } catch {
                    attempt += 1
                    if attempt > 3 { throw error }
                }
            }
        } catch {
            throw ComfyError.io(path: path, detail: "cannot open the history store: \(error)")
        }
    }

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1", migrate: createV1)
        migrator.registerMigration("v2-time-keys", migrate: migrateToTimeKeys)
        migrator.registerMigration("v3-created-at", migrate: addCreatedAt)
        return migrator
    }

    /// The first schema (tests make stores of it to check the migration).
    static func createV1(_ db: Database) throws {
        try db.create(table: "runs") { t in
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
            t.primaryKey(["server", "prompt_id"])
        }
        try db.create(index: "runs_by_time", on: "runs", columns: ["server", "ended_at"])
        try db.create(virtualTable: "runs_fts", using: FTS5()) { t in
            t.synchronize(withTable: "runs")
            t.tokenizer = .unicode61()
            for column in ["prompt_id", "positive", "negative", "checkpoint", "loras", "seeds", "classes"] {
                t.column(column)
            }
        }
    }

    // MARK: Writing

    /// Inserts or updates (by server and prompt_id): a run seen twice is one row; live node timings are kept
    /// when a later import knows none.
    public func upsert(_ records: [RunRecord]) throws(ComfyError) {
        defer { writes.bump() }
        let now = Date().timeIntervalSince1970
        do {
            try db.write { db in
                for r in records {
                    let outputs = JSONValue.array(r.outputs.map(\.json)).pythonJSON
                    let timings = JSONValue.object(
                        r.nodeSeconds.sorted { $0.key < $1.key }.map { ($0.key, .double($0.value)) }
                    ).pythonJSON
                    // A new run's id is its time key (see `timeKeyBase`); a run seen again keeps its row and id.
                    let base = Self.timeKeyBase(endedAt: r.endedAt, recordedAt: now)
                    try db.cachedStatement(
                        sql: """
                            INSERT INTO runs (id, server, prompt_id, number, client_id, source, status, error_node, error_type,
                              error_message, traceback, started_at, ended_at, duration, prompt_json, outputs_json,
                              node_seconds_json, cached_nodes, positive, negative, checkpoint, loras, seeds, classes,
                              width, height, output_count, recorded_at)
                            VALUES ((SELECT COALESCE(MAX(id) + 1, ?1) FROM runs WHERE id BETWEEN ?1 AND ?1 + 4095),
                              ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                            ON CONFLICT(server, prompt_id) DO UPDATE SET
                              number = excluded.number, client_id = excluded.client_id,
                              source = CASE WHEN runs.source = 'own' THEN 'own' ELSE excluded.source END,
                              status = excluded.status, error_node = excluded.error_node, error_type = excluded.error_type,
                              error_message = excluded.error_message, traceback = excluded.traceback,
                              started_at = COALESCE(excluded.started_at, runs.started_at),
                              ended_at = COALESCE(excluded.ended_at, runs.ended_at),
                              duration = COALESCE(excluded.duration, runs.duration),
                              prompt_json = excluded.prompt_json, outputs_json = excluded.outputs_json,
                              node_seconds_json = CASE WHEN excluded.node_seconds_json = '{}' THEN runs.node_seconds_json
                                ELSE excluded.node_seconds_json END,
                              cached_nodes = excluded.cached_nodes, positive = excluded.positive,
                              negative = excluded.negative, checkpoint = excluded.checkpoint, loras = excluded.loras,
                              seeds = excluded.seeds, classes = excluded.classes, width = excluded.width,
                              height = excluded.height, output_count = excluded.output_count
                            """
                    ).execute(
                        arguments: [
                            base, r.server, r.promptID, r.number, r.clientID, r.source.rawValue, r.status.rawValue,
                            r.errorNode, r.errorType,
                            r.errorMessage, r.traceback, r.startedAt, r.endedAt, r.duration, r.prompt.pythonJSON,
                            outputs,
                            timings, r.cachedNodes.joined(separator: " "), r.positive, r.negative, r.checkpoint,
                            r.loras,
                            r.seeds, r.classes, r.width, r.height, r.outputs.count, now,
                        ])
                    try noteCreatedAt(r, in: db)
                }
            }
        } catch {
            throw ComfyError.io(path: path, detail: "cannot write the history store: \(error)")
        }
    }

    public func delete(server: String, promptID: String) throws(ComfyError) {
        defer { writes.bump() }
        do {
            try db.write {
                try $0.execute(
                    sql: "DELETE FROM runs WHERE server = ? AND prompt_id = ?", arguments: [server, promptID])
            }
        } catch {
            throw ComfyError.io(path: path, detail: "cannot delete from the history store: \(error)")
        }
    }
}

/// A count of writes, safe from any thread.
final class WriteCounter: @unchecked Sendable {
    private var count = 0
    private let lock = NSLock()
    var value: Int { lock.withLock { count } }
    func bump() { lock.withLock { count += 1 } }
}
