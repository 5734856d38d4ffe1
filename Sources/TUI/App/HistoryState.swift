import ComfyClient
import Foundation

/// The history browser's own state: the query, the rows it found, the selection.
public struct HistoryBrowserState: Sendable, Equatable {
    public var query: HistoryQuery
    public var rows: [HistoryRow] = []
    public var total = 0
    public var selected = 0
    public var detail: RunRecord?
    public var detailScroll = 0
    public var editingSearch = false
    /// How long the last search took (shown, and measured by the benchmark).
    public var searchMillis: Double = 0
    public var storeSummary: (count: Int, newest: Int?) = (0, nil)

    public static func == (a: Self, b: Self) -> Bool {
        a.query == b.query && a.rows == b.rows && a.total == b.total && a.selected == b.selected && a.detail == b.detail
            && a.detailScroll == b.detailScroll && a.editingSearch == b.editingSearch
            && a.storeSummary.count == b.storeSummary.count && a.storeSummary.newest == b.storeSummary.newest
    }

    /// Servers the `s` key steps through (nil first: every server in the store), learnt from the runs shown while
    /// the list covers every server.
    public var serverChoices: [String] = []

    /// `server`: the runs of that server; nil: every server in the store (a fleet), with a server column.
    public init(server: String?) {
        query = HistoryQuery(server: server)
        query.limit = 500
        query.countLimit = 10_000
        if let server { serverChoices = [server] }
    }

    /// "10,000+" when a search matched more than it counts.
    public var totalText: String {
        if let cap = query.countLimit, total > cap { return Self.grouped(cap) + "+" }
        return String(total)
    }

    /// 10000 as "10,000".
    static func grouped(_ n: Int) -> String {
        var digits = String(n)
        var out = ""
        while digits.count > 3 {
            out = "," + digits.suffix(3) + out
            digits.removeLast(3)
        }
        return digits + out
    }

    /// The next server filter: every server, then each server seen, in order.
    mutating func cycleServer() {
        let options: [String?] = [nil] + serverChoices.map { Optional($0) }
        let index = options.firstIndex(of: query.server) ?? 0
        query.server = options[(index + 1) % options.count]
        selected = 0
    }

    public var selectedRow: HistoryRow? { rows.indices.contains(selected) ? rows[selected] : nil }

    /// Runs the query against the store at once (the screen itself asks through an effect instead).
    public mutating func refresh(_ store: (any HistoryReader)?) {
        if let page = store?.readPage(query) { apply(page) }
    }

    /// Shows a page the store answered, keeping the selected run selected where it still is.
    public mutating func apply(_ page: HistoryPage) {
        let previous = selectedRow?.promptID
        rows = page.rows
        total = page.total
        if let previous, let index = rows.firstIndex(where: { $0.promptID == previous }) { selected = index }
        selected = max(0, min(selected, rows.count - 1))
        if let summary = page.summary { storeSummary = (summary.count, summary.newest) }
        if query.server == nil {
            for row in rows where !serverChoices.contains(row.server) { serverChoices.append(row.server) }
            serverChoices.sort()
        }
        searchMillis = page.millis
    }

    static let statusCycle: [Set<String>] = [[], ["failed"], ["success"], ["interrupted"], ["removed"]]
}

/// What the history keys ask for.
extension AppUpdate {
    /// `server` is the one the screen's actions go to: a row of another server (the list covers every server) is
    /// read and copied from the store, but not downloaded, queued again or deleted through this server.
    static func updateHistory(_ app: AppState, key: Key, pageSize: Int, server: String) -> (AppState, [AppEffect]) {
        var app = app
        guard var h = app.history else { return (app, []) }
        if h.editingSearch {
            switch key {
            case .enter: h.editingSearch = false
            case .escape:
                h.editingSearch = false
                h.query.text = ""
            case .backspace: if !h.query.text.isEmpty { h.query.text.removeLast() }
            case .char(let c): h.query.text.append(c)
            default: break
            }
            h.selected = 0
            app.history = h
            return (app, [.queryHistory(h.query)])
        }
        guard let action = KeyMap.action(for: key) else { return (app, []) }
        if [.download, .requeue, .requeueNewSeed, .deleteHistory].contains(action), let row = h.selectedRow,
            row.server != server
        {
            app.note = "that run is from \(row.server): open comfytop on that server to act on it"
            return (app, [])
        }
        var effects: [AppEffect] = []
        let detailOpen = h.detail != nil
        switch action {
        case .quit: app.quit = true
        case .history, .back:
            if detailOpen {
                h.detail = nil
            } else if action == .back, !h.query.text.isEmpty {
                h.query.text = ""
                effects.append(.queryHistory(h.query))
            } else {
                app.screen = .monitor
            }
        case .help: app.overlay = app.overlay == .help ? .none : .help
        case .up, .down, .pageUp, .pageDown, .top, .bottom:
            if detailOpen {
                let step = [.up, .down].contains(action) ? 1 : pageSize
                h.detailScroll = max(0, h.detailScroll + ([.up, .pageUp, .top].contains(action) ? -step : step))
            } else {
                switch action {
                case .up: h.selected -= 1
                case .down: h.selected += 1
                case .pageUp: h.selected -= pageSize
                case .pageDown: h.selected += pageSize
                case .top: h.selected = 0
                default: h.selected = h.rows.count - 1
                }
                h.selected = max(0, min(h.selected, h.rows.count - 1))
                // Near the end of what is loaded: load the next rows (the list pages through any number of runs).
                if h.selected >= h.rows.count - pageSize - 1, h.rows.count < h.total {
                    h.query.limit = h.rows.count + 500
                    effects.append(.queryHistory(h.query))
                }
            }
        case .filter: h.editingSearch = true
        case .serverFilter:
            h.cycleServer()
            app.note = h.query.server.map { "only \($0)" } ?? "every server"
            effects.append(.queryHistory(h.query))
        case .sort:
            let all = HistoryQuery.Sort.allCases
            h.query.sort = all[((all.firstIndex(of: h.query.sort) ?? 0) + 1) % all.count]
            app.note = "sorted by \(h.query.sort.rawValue)"
            effects.append(.queryHistory(h.query))
        case .statusFilter:
            let cycle = HistoryBrowserState.statusCycle
            h.query.statuses = cycle[((cycle.firstIndex(of: h.query.statuses) ?? 0) + 1) % cycle.count]
            app.note = h.query.statuses.isEmpty ? "all runs" : "only \(h.query.statuses.sorted().joined())"
            effects.append(.queryHistory(h.query))
        case .details:
            if detailOpen {
                h.detail = nil
            } else if let row = h.selectedRow {
                effects.append(.openRecord(row.promptID))
            }
        case .download: if let row = h.selectedRow { effects.append(.download(row.promptID)) }
        case .copyID: if let row = h.selectedRow { effects.append(.copy(row.promptID)) }
        case .copyPath: if let row = h.selectedRow { effects.append(.findOutputPath(row.promptID)) }
        case .requeue, .requeueNewSeed, .deleteHistory:
            guard !app.readOnly else {
                app.note = "read-only: actions that change the server are disabled"
                break
            }
            guard let row = h.selectedRow else { break }
            let question: String
            switch action {
            case .requeue: question = "Queue \(row.promptID.prefix(8)) again (identical runs are cached)? y/n"
            case .requeueNewSeed: question = "Queue \(row.promptID.prefix(8)) again with new seeds? y/n"
            default: question = "Delete \(row.promptID.prefix(8)) from the server's history? y/n"
            }
            app.overlay = .confirm(action: action, promptID: row.promptID, question: question)
        default: break
        }
        app.history = h
        return (app, effects)
    }
}
