import ComfyJSON
import Foundation
import GRDB

/// A search of the local store.
public struct HistoryQuery: Sendable, Equatable {
    public enum Sort: String, Sendable, CaseIterable { case newest, oldest, longest, shortest }

    public var server: String?
    /// Only runs of these servers (empty: no such filter); `server` narrows further.
    public var servers: [String] = []
    /// Words to find (prefix match) in prompt texts, node classes, checkpoint, LoRA names, seeds and the id.
    public var text: String = ""
    /// success, failed, interrupted.
    public var statuses: Set<String> = []
    public var since: Date?
    public var until: Date?
    public var minSeconds: Double?
    public var maxSeconds: Double?
    public var sort: Sort = .newest
    public var limit = 50
    public var offset = 0
    /// Count matches of a word search only up to this many (nil: count them all). A word in a quarter of a year's
    /// million runs costs tens of milliseconds to count exactly; the screen says "10,000+" instead.
    public var countLimit: Int?

    public init(server: String? = nil, text: String = "") {
        self.server = server
        self.text = text
    }
}

/// One row of a search: what the list shows (the graph is loaded on demand).
public struct HistoryRow: Sendable, Equatable {
    public var server: String
    public var promptID: String
    public var source: String
    public var status: String
    public var startedAt: Int?
    public var endedAt: Int?
    public var duration: Double?
    public var positive: String
    public var checkpoint: String
    public var width: Int?
    public var height: Int?
    public var outputCount: Int
    public var errorMessage: String?
    /// When the server accepted the prompt (ms), where it said (LocalHistory+CreatedAt).
    public var createdAt: Int? = nil

    /// Seconds the run waited in the queue.
    public var queueSeconds: Double? { JobInfo.seconds(from: createdAt, to: startedAt) }
}

extension LocalHistory {
    /// Runs matching `query`, and how many match in all.
    public func search(_ query: HistoryQuery) throws(ComfyError) -> (rows: [HistoryRow], total: Int) {
        var clauses: [String] = []
        var arguments: [any DatabaseValueConvertible] = []
        if let server = query.server {
            clauses.append("runs.server = ?")
            arguments.append(server)
        }
        if !query.servers.isEmpty {
            clauses.append("runs.server IN (\(query.servers.map { _ in "?" }.joined(separator: ", ")))")
            arguments.append(contentsOf: query.servers as [any DatabaseValueConvertible])
        }
        let words = query.text.split(whereSeparator: { $0.isWhitespace }).map(String.init)
        // Each word as a quoted prefix term: punctuation in prompts cannot break the FTS syntax.
        let pattern = words.map { "\"" + $0.replacingOccurrences(of: "\"", with: "\"\"") + "\"*" }.joined(
            separator: " ")
        // Newest or oldest first, a search is read in the full-text index's own order (its rowids are the runs'
        // time keys): it stops after a page however many runs match. Other orders look every match up.
        let byTime = query.sort == .newest || query.sort == .oldest
        let searchJoin = !words.isEmpty && byTime
        if !words.isEmpty && !byTime {
            clauses.append("runs.id IN (SELECT rowid FROM runs_fts WHERE runs_fts MATCH ?)")
            arguments.append(pattern)
        } else if searchJoin {
            clauses.insert("runs_fts MATCH ?", at: 0)
            arguments.insert(pattern, at: 0)
        }
        if !query.statuses.isEmpty {
            clauses.append("runs.status IN (\(query.statuses.map { _ in "?" }.joined(separator: ", ")))")
            arguments.append(contentsOf: query.statuses.sorted() as [any DatabaseValueConvertible])
        }
        if let since = query.since {
            clauses.append("runs.ended_at >= ?")
            arguments.append(WireNumber.int(since.timeIntervalSince1970 * 1000) ?? 0)
        }
        if let until = query.until {
            clauses.append("runs.ended_at < ?")
            arguments.append(WireNumber.int(until.timeIntervalSince1970 * 1000) ?? Int(WireNumber.maxMagnitude))
        }
        if let min = query.minSeconds {
            clauses.append("runs.duration >= ?")
            arguments.append(min)
        }
        if let max = query.maxSeconds {
            clauses.append("runs.duration <= ?")
            arguments.append(max)
        }
        let whereSQL = clauses.isEmpty ? "" : "WHERE " + clauses.joined(separator: " AND ")
        let order: String
        let key = searchJoin ? "runs_fts.rowid" : "runs.id"
        switch query.sort {
        case .newest: order = "\(key) DESC"
        case .oldest: order = "\(key) ASC"
        case .longest: order = "runs.duration DESC, runs.id DESC"
        case .shortest: order = "runs.duration ASC, runs.id DESC"
        }
        // CROSS JOIN keeps the full-text index the outer loop (SQLite never reorders it): with a server or status
        // filter beside the words, the planner otherwise walked that filter's index and ran the MATCH once a row
        // (0.6 s for a word over 10,000 runs of one server, B7), instead of reading matches newest first and
        // stopping after a page.
        let from = searchJoin ? "runs_fts CROSS JOIN runs ON runs.id = runs_fts.rowid" : "runs"
        // A search with no other filter is counted in the full-text index alone (no row of `runs` is read).
        let countFrom = !words.isEmpty && clauses.count == 1 ? "runs_fts WHERE runs_fts MATCH ?" : "\(from) \(whereSQL)"
        let countSQL =
            if let cap = query.countLimit, !words.isEmpty {
                "SELECT COUNT(*) FROM (SELECT 1 FROM \(countFrom) LIMIT \(max(0, cap) + 1))"
            } else {
                "SELECT COUNT(*) FROM \(countFrom)"
            }
        do {
            return try db.read { db in
                let total = try Int.fetchOne(db, sql: countSQL, arguments: StatementArguments(arguments)) ?? 0
                let rows = try Row.fetchAll(
                    db,
                    sql: """
                        SELECT runs.server, runs.prompt_id, source, status, started_at, ended_at, duration,
                          runs.positive, runs.checkpoint, width, height, output_count, error_message, created_at
                        FROM \(from) \(whereSQL) ORDER BY \(order) LIMIT ? OFFSET ?
                        """,
                    arguments: StatementArguments(arguments + [query.limit, query.offset]))
                return (
                    rows.map { r in
                        HistoryRow(
                            server: r["server"], promptID: r["prompt_id"], source: r["source"], status: r["status"],
                            startedAt: r["started_at"], endedAt: r["ended_at"], duration: r["duration"],
                            positive: r["positive"], checkpoint: r["checkpoint"], width: r["width"],
                            height: r["height"],
                            outputCount: r["output_count"], errorMessage: r["error_message"],
                            createdAt: r["created_at"])
                    }, total
                )
            }
        } catch {
            throw ComfyError.io(path: path, detail: "cannot search the history store: \(error)")
        }
    }

    /// The whole record of one run (graph, outputs, timings, error).
    public func record(server: String, promptID: String) throws(ComfyError) -> RunRecord? {
        do {
            return try db.read { db -> RunRecord? in
                guard
                    let r = try Row.fetchOne(
                        db, sql: "SELECT * FROM runs WHERE server = ? AND prompt_id = ?", arguments: [server, promptID])
                else {
                    return nil
                }
                return Self.record(from: r)
            }
        } catch {
            throw ComfyError.io(path: path, detail: "cannot read the history store: \(error)")
        }
    }

    static func record(from r: Row) -> RunRecord {
        let prompt = (try? JSONValue.parse(r["prompt_json"] as String)) ?? .object([])
        let outputs = ((try? JSONValue.parse(r["outputs_json"] as String))?.arrayValue ?? []).compactMap {
            o -> OutputFile? in
            guard let name = o["filename"]?.stringValue else { return nil }
            return OutputFile(
                filename: name, subfolder: o["subfolder"]?.stringValue ?? "", type: o["type"]?.stringValue ?? "output",
                nodeID: o["node"]?.stringValue ?? "", kind: o["kind"]?.stringValue ?? "images")
        }
        let timings = ((try? JSONValue.parse(r["node_seconds_json"] as String))?.objectValue ?? []).reduce(
            into: [String: Double]()
        ) {
            $0[$1.0] = $1.1.doubleValue
        }
        return RunRecord(
            server: r["server"], promptID: r["prompt_id"], number: r["number"] ?? 0, clientID: r["client_id"],
            source: JobSource(rawValue: r["source"] ?? "") ?? .anonymous,
            status: JobState(rawValue: r["status"] ?? "") ?? .failed,
            errorNode: r["error_node"], errorType: r["error_type"], errorMessage: r["error_message"],
            traceback: r["traceback"], startedAt: r["started_at"], endedAt: r["ended_at"], prompt: prompt,
            outputs: outputs, nodeSeconds: timings,
            cachedNodes: (r["cached_nodes"] as String).split(separator: " ").map(String.init))
    }

    /// How many runs the store holds for a server (or all), and the newest end time.
    public func summary(server: String?) throws(ComfyError) -> (count: Int, newest: Int?) {
        do {
            return try db.read { db in
                // Two statements: together SQLite reads every row for both; apart, the count reads the smallest
                // index and the newest end is the last row of the time-ordered table (or of the server's index).
                let filter = server == nil ? "" : " WHERE server = ?"
                let arguments: StatementArguments = server.map { [$0] } ?? []
                let count = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM runs" + filter, arguments: arguments)
                let newest = try Int.fetchOne(
                    db, sql: "SELECT ended_at FROM runs\(filter) ORDER BY id DESC LIMIT 1", arguments: arguments)
                return (count ?? 0, newest)
            }
        } catch {
            throw ComfyError.io(path: path, detail: "cannot read the history store: \(error)")
        }
    }
}
