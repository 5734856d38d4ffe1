import Foundation
import GRDB

/// The queue wait of stored runs: the server's acceptance time (`extra_data.create_time`) in its own column,
/// added by migration v3 and written beside the upsert, so a run seen again keeps the time it had.
extension LocalHistory {
    static func addCreatedAt(_ db: Database) throws {
        try db.alter(table: "runs") { t in t.add(column: "created_at", .integer) }
    }

    func noteCreatedAt(_ r: RunRecord, in db: Database) throws {
        guard let created = r.createdAt else { return }
        try db.cachedStatement(sql: "UPDATE runs SET created_at = ? WHERE server = ? AND prompt_id = ?")
            .execute(arguments: [created, r.server, r.promptID])
    }
}
