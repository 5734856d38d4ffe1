import ComfyClient
import ComfyJSON
import Foundation

/// `history --all` / `history --server a,b`: the store's runs of several servers (every server it holds, with
/// `--all`), newest first, with a server column. Each server's recent history is read into the store first, all at
/// once and each within its budget; a server that is away is said on stderr and the store answers for it.
extension HistoryListCommand {
    func listFleet(_ storeHandle: LocalHistory) async throws -> Int32 {
        // --all --local needs no config (it is every server the store holds); the config only names them.
        let members = local && server.all ? ((try? server.fleet()) ?? []) ?? [] : try server.fleet() ?? []
        var notes: [String] = []
        if !local {
            let depth = max(limit + offset, 100)
            let results = await FleetCalls.each(members) { _, api throws(ComfyError) in
                try await api.history(maxItems: depth)
            }
            for (member, result) in zip(members, results) {
                switch result {
                case .success(let items):
                    let api = try ComfyAPI(endpoint: member.endpoint)
                    try HistoryImporter(api: api, store: storeHandle).record(items)
                    await api.shutdown()
                case .failure(let error):
                    notes.append("\(member.name): \(FleetCalls.reason(error)); its runs are from the local store")
                }
            }
        }
        var query = HistoryQuery(text: search ?? "")
        // --all: every server in the store; --server a,b: those.
        if !server.all { query.servers = members.map(\.endpoint.displayURL) }
        query.limit = limit
        query.offset = offset
        query.sort = HistoryQuery.Sort(rawValue: sort) ?? .newest
        query.statuses = Set((status ?? "").split(separator: ",").map(String.init))
        query.since = since.flatMap { DateArgument.parse($0) }
        query.until = until.flatMap { DateArgument.parse($0) }
        let (rows, total) = try storeHandle.search(query)
        for note in notes { Output.error("comfytop: \(note)\n") }
        // Rows are named as the command line named their server; others by host and port.
        var names: [String: String] = [:]
        for member in members { names[member.endpoint.displayURL] = member.name }
        func name(_ url: String) -> String { names[url] ?? Self.shortServer(url) }
        if json {
            printJSON(
                .obj(
                    ("total", .int(total)), ("source", .string(local ? "store" : "servers+store")),
                    ("runs", .array(rows.map { $0.json.setting("server", .string(name($0.server))) }))))
            return 0
        }
        if rows.isEmpty {
            printLine(search == nil ? "no history" : "no runs match")
            return 0
        }
        let width = min(24, max(6, rows.map { name($0.server).count }.max() ?? 6))
        printLine(
            "\(Format.pad("SERVER", width)) \(Format.pad("STATUS", 12)) \(Format.pad("FINISHED", 19)) "
                + "\(Format.pad("TIME", 7)) \(Format.pad("PROMPT_ID", 36)) PROMPT")
        for row in rows {
            printLine(
                "\(Format.pad(name(row.server), width)) \(Format.pad(row.status, 12)) "
                    + "\(Format.pad(Format.time(row.endedAt), 19)) \(Format.pad(row.duration.map(Format.duration) ?? "-", 7)) "
                    + "\(Format.pad(row.promptID, 36)) \(row.positive.prefix(60))")
        }
        if total > rows.count + offset { printLine("(\(total) in all; --offset \(offset + rows.count) for more)") }
        return 0
    }

    /// "gpu7.lan:8188" for "http://gpu7.lan:8188".
    static func shortServer(_ url: String) -> String {
        var label = Substring(url)
        if let range = label.range(of: "://") { label = label[range.upperBound...] }
        while label.hasSuffix("/") { label = label.dropLast() }
        return String(label)
    }
}
