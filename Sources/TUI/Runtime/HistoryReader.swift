import ComfyClient
import Foundation

/// What the screen reads from the local store. `LocalHistory` is the real one; tests count the reads.
public protocol HistoryReader: Sendable {
    /// Grows with every write, so the screen reads again only after one.
    var changeCount: Int { get }
    /// One page of the history list for a query (nil: the store could not answer).
    func readPage(_ query: HistoryQuery) -> HistoryPage?
    func readRecord(server: String, promptID: String) -> RunRecord?
}

extension LocalHistory: HistoryReader {
    public func readPage(_ query: HistoryQuery) -> HistoryPage? {
        let started = Date()
        guard let (rows, total) = try? search(query) else { return nil }
        let summary = (try? cachedSummary(server: query.server)).map {
            HistorySummary(count: $0.count, newest: $0.newest)
        }
        return HistoryPage(
            query: query, rows: rows, total: total, summary: summary,
            millis: Date().timeIntervalSince(started) * 1000)
    }

    public func readRecord(server: String, promptID: String) -> RunRecord? {
        // A row of another server (the list of every server's runs): prompt ids are UUIDs, one server's only.
        ((try? record(server: server, promptID: promptID)) ?? nil) ?? ((try? record(promptID: promptID)) ?? nil)
    }
}
