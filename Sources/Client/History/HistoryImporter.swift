import ComfyJSON
import Foundation

/// Pulls a server's history into the local store, page by page (`max_items` + `offset`, servers ≥ 0.3.60), or in one
/// read where paging is not supported.
public struct HistoryImporter: Sendable {
    public let api: ComfyAPI
    public let store: LocalHistory
    public var pageSize = 200

    public init(api: ComfyAPI, store: LocalHistory) {
        self.api = api
        self.store = store
    }

    /// The server's name in the store.
    public var server: String { api.endpoint.displayURL }

    /// Records entries already fetched.
    public func record(_ items: [HistoryItem], ownClientIDs: Set<String> = []) throws(ComfyError) {
        try store.upsert(items.compactMap { RunRecord(server: server, item: $0, ownClientIDs: ownClientIDs) })
    }

    /// Imports everything; `progress(imported, total)` after each page (total when the server says, via /api/jobs).
    @discardableResult
    public func importAll(progress: @Sendable (Int, Int?) -> Void = { _, _ in }) async throws(ComfyError) -> Int {
        var total: Int?
        if let jobs = try? await api.jobs(query: [("limit", "1"), ("status", "completed,failed,cancelled")]) {
            total = jobs["pagination"]?["total"]?.intValue
        }
        var offset = 0
        var imported = 0
        var firstIDs: Set<String> = []
        while true {
            let page = try await api.history(maxItems: pageSize, offset: offset)
            guard let first = page.first?.promptID else { break }
            // A server without offset support answers the same newest page again: stop there.
            if firstIDs.contains(first) { break }
            firstIDs.insert(first)
            try record(page)
            imported += page.count
            progress(imported, total)
            if page.count < pageSize { break }
            offset += page.count
        }
        return imported
    }
}
