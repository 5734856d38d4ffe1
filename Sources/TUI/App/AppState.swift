import ComfyClient
import Foundation

/// The screen's own state (selection, panes, overlays), apart from what the server is doing.
public struct AppState: Sendable, Equatable {
    public enum Pane: String, Sendable, CaseIterable { case queue, job, outputs }
    public enum ScreenKind: String, Sendable { case monitor, history }

    public enum Overlay: Sendable, Equatable {
        case none, help
        case details(String)
        /// A question before an action that changes the server.
        case confirm(action: Action, promptID: String, question: String)
    }

    public var screen: ScreenKind = .monitor
    /// The history browser (nil when no local store could be opened).
    public var history: HistoryBrowserState?
    public var focus: Pane = .queue
    public var selectedID: String?
    /// Keep the selection on the running job.
    public var follow = true
    public var overlay: Overlay = .none
    public var filter = ""
    public var editingFilter = false
    public var scroll = 0
    public var readOnly: Bool
    public var quit = false
    /// The signal the screen quits as (^C read as a key quits as SIGINT), for the exit status.
    public var quitSignal: Int32?
    /// A note of the screen's own (e.g. "read-only"), shown on the message line until the next key.
    public var note: String?
    /// The last action's result or copy, worded; shown while it is newer than the monitor's last message.
    public var notice: Notice?
    /// The running job's overall progress as the summaries show it (queue row, job bar): read from the live value
    /// every `summaryPeriod` seconds, so a run's stream of steps redraws its node's bar, not three places at once.
    public var summary: Summary?
    public static let summaryPeriod = 0.5
    /// The preview pane, the outputs pane's thumbnail and the viewer (see `AppUpdate+Pictures`).
    public var pictures = PictureState()

    public struct Summary: Sendable, Equatable {
        public var id: String
        public var fraction: Double?
        public var at: Date
    }

    /// A job's overall progress for the summaries (see `summary`).
    public func fraction(of job: MonitorJob) -> Double? {
        if job.state == .running, let summary, summary.id == job.id { return summary.fraction }
        return job.overallFraction
    }

    public init(readOnly: Bool = false) { self.readOnly = readOnly }
}

/// The pure key handler.
public enum AppUpdate {
    /// The jobs the queue pane lists, after the filter.
    public static func visibleJobs(_ app: AppState, _ monitor: MonitorState, now: Date) -> [MonitorJob] {
        // `queueList` (running, pending, finished jobs still lingering), then the other finished jobs: one array.
        var all: [MonitorJob] = []
        all.reserveCapacity(1 + monitor.pendingIDs.count + monitor.finishedIDs.count)
        if let id = monitor.runningID, let job = monitor.jobs[id] { all.append(job) }
        for id in monitor.pendingIDs { if let job = monitor.jobs[id] { all.append(job) } }
        for lingering in [true, false] {
            for id in monitor.finishedIDs {
                if let job = monitor.jobs[id], (job.lingerUntil ?? .distantPast > now) == lingering { all.append(job) }
            }
        }
        guard !app.filter.isEmpty else { return all }
        let needle = app.filter.lowercased()
        return all.filter { job in
            job.id.lowercased().contains(needle) || (job.clientID ?? "").lowercased().contains(needle)
                || job.source.rawValue.contains(needle) || job.state.rawValue.contains(needle)
                || job.nodes.contains {
                    $0.classType.lowercased().contains(needle) || $0.title.lowercased().contains(needle)
                }
        }
    }

    /// Keeps the selection valid: follows the running job when asked, else stays put.
    public static func settle(_ app: AppState, _ monitor: MonitorState, now: Date) -> AppState {
        var app = app
        // Every message settles: without a filter the queue pane's list is not built, only looked into.
        let jobs = app.filter.isEmpty ? nil : visibleJobs(app, monitor, now: now)
        func listed(_ id: String) -> Bool {
            if let jobs { return jobs.contains { $0.id == id } }
            return monitor.jobs[id] != nil
                && (id == monitor.runningID || monitor.pendingIDs.contains(id) || monitor.finishedIDs.contains(id))
        }
        func firstListed() -> String? {
            if let jobs { return jobs.first?.id }
            if let id = monitor.runningID, monitor.jobs[id] != nil { return id }
            if let id = monitor.pendingIDs.first(where: { monitor.jobs[$0] != nil }) { return id }
            let lingering = monitor.finishedIDs.first {
                monitor.jobs[$0].map { ($0.lingerUntil ?? .distantPast) > now } ?? false
            }
            return lingering ?? monitor.finishedIDs.first { monitor.jobs[$0] != nil }
        }
        if app.follow, let running = monitor.runningID, listed(running) {
            app.selectedID = running
        } else if app.selectedID.map({ !listed($0) }) ?? true {
            app.selectedID = firstListed()
        }
        if let id = monitor.runningID, let job = monitor.jobs[id] {
            if app.summary?.id != id || now.timeIntervalSince(app.summary?.at ?? .distantPast) >= AppState.summaryPeriod
            {
                app.summary = AppState.Summary(id: id, fraction: job.overallFraction, at: now)
            }
        } else {
            app.summary = nil
        }
        return app
    }

    public static func update(_ app: AppState, key: Key, monitor: MonitorState, now: Date, pageSize: Int = 10)
        -> (AppState, [AppEffect])
    {
        var app = app
        app.note = nil
        if key == .controlC {
            app.quit = true
            app.quitSignal = SIGINT
            return (app, [])
        }
        if app.editingFilter { return (editFilter(app, key), []) }
        if case .confirm(let action, let id, _) = app.overlay {
            app.overlay = .none
            if key == .char("y") || key == .char("Y") {
                switch action {
                case .interrupt: return (app, [.interrupt(id)])
                case .requeue: return (app, [.requeue(id, newSeed: false)])
                case .requeueNewSeed: return (app, [.requeue(id, newSeed: true)])
                case .deleteHistory: return (app, [.deleteHistory(id)])
                default: return (app, [.cancel(id)])
                }
            }
            app.note = "not done"
            return (app, [])
        }
        if app.screen == .history, app.overlay == .none || app.overlay == .help {
            if app.overlay == .help, key != .char("?"), key != .f1 { app.overlay = .none; return (app, []) }
            return updateHistory(app, key: key, pageSize: pageSize, server: monitor.serverURL)
        }
        if case .mouse(_, _, let button) = key {
            switch button {
            case .wheelUp: return update(app, key: .up, monitor: monitor, now: now)
            case .wheelDown: return update(app, key: .down, monitor: monitor, now: now)
            case .left: return (app, [])
            }
        }
        guard let action = KeyMap.action(for: key) else { return (app, []) }
        if case .details = app.overlay, [.up, .down, .pageUp, .pageDown].contains(action) {
            let step = [.up, .down].contains(action) ? 1 : pageSize
            app.scroll = max(0, app.scroll + ([.up, .pageUp].contains(action) ? -step : step))
            return (app, [])
        }
        if app.overlay != .none, ![.quit, .back, .help, .details].contains(action) {
            app.overlay = .none
        }
        let jobs = visibleJobs(app, monitor, now: now)
        let index = jobs.firstIndex { $0.id == app.selectedID } ?? 0
        func select(_ i: Int) {
            guard !jobs.isEmpty else { return }
            app.selectedID = jobs[max(0, min(jobs.count - 1, i))].id
            app.follow = false
        }
        switch action {
        case .quit: app.quit = true
        case .history:
            guard app.history != nil else {
                app.note = "no local history store (see --data-dir)"
                break
            }
            app.screen = .history
            return (app, app.history.map { [.queryHistory($0.query)] } ?? [])
        case .help: app.overlay = app.overlay == .help ? .none : .help
        case .back:
            if app.overlay != .none { app.overlay = .none } else if !app.filter.isEmpty { app.filter = "" }
        case .up: if app.focus == .queue { select(index - 1) } else { app.scroll = max(0, app.scroll - 1) }
        case .down: if app.focus == .queue { select(index + 1) } else { app.scroll += 1 }
        case .pageUp:
            if app.focus == .queue { select(index - pageSize) } else { app.scroll = max(0, app.scroll - pageSize) }
        case .pageDown: if app.focus == .queue { select(index + pageSize) } else { app.scroll += pageSize }
        case .top: select(0)
        case .bottom: select(jobs.count - 1)
        case .nextPane, .previousPane:
            let panes = AppState.Pane.allCases
            let i = panes.firstIndex(of: app.focus) ?? 0
            app.focus = panes[(i + (action == .nextPane ? 1 : panes.count - 1)) % panes.count]
            app.scroll = 0
        case .details:
            if let id = app.selectedID {
                app.overlay = app.overlay == .details(id) ? .none : .details(id)
                app.scroll = 0
            }
        case .follow:
            app.follow.toggle()
            app.note = app.follow ? "following the running job" : "not following"
        case .filter: app.editingFilter = true
        // Taken by `pictureKey` before the table (here only when pictures are off).
        case .preview, .viewer: app.note = "pictures are off (--images off)"
        case .sort, .statusFilter, .serverFilter, .requeue, .requeueNewSeed, .copyID, .copyPath, .deleteHistory:
            app.note = "h opens the history browser, where this key works"
        case .download:
            guard let id = app.selectedID, let job = monitor.jobs[id] else { break }
            if job.state != .success {
                app.note = "only a finished job has outputs to download"
            } else {
                return (app, [.download(id)])
            }
        case .interrupt:
            guard !app.readOnly else {
                app.note = "read-only: interrupting is disabled"
                break
            }
            guard let running = monitor.runningID else {
                app.note = "nothing is running"
                break
            }
            let who = monitor.jobs[running].map { $0.source == .own ? "" : " (\($0.source.rawValue) job)" } ?? ""
            app.overlay = .confirm(
                action: .interrupt, promptID: running, question: "Interrupt \(running.prefix(8))\(who)? y/n")
        case .cancel:
            guard !app.readOnly else {
                app.note = "read-only: cancelling is disabled"
                break
            }
            guard let id = app.selectedID, monitor.pendingIDs.contains(id) else {
                app.note = "select a pending job to cancel (i interrupts the running one)"
                break
            }
            app.overlay = .confirm(
                action: .cancel, promptID: id, question: "Remove \(id.prefix(8)) from the queue? y/n")
        }
        return (app, [])
    }

    static func editFilter(_ app: AppState, _ key: Key) -> AppState {
        var app = app
        switch key {
        case .enter: app.editingFilter = false
        case .escape:
            app.editingFilter = false
            app.filter = ""
        case .backspace: if !app.filter.isEmpty { app.filter.removeLast() }
        case .char(let c): app.filter.append(c)
        default: break
        }
        return app
    }
}
