import ComfyClient
import Foundation

/// The one update: every message the screen gets goes through here, and IO comes out as effects.
extension AppUpdate {
    public static func update(_ model: AppModel, _ msg: Msg) -> (AppModel, [AppEffect]) {
        if model.fleet != nil, let handled = updateFleet(model, msg) { return handled }
        var m = model
        var effects: [AppEffect] = []
        if case .key(let key) = msg, let taken = pictureKey(&m, key) {
            m.app = settle(m.app, m.monitor, now: m.now)
            return (m, taken + pictureRequests(&m))
        }
        switch msg {
        case .tick(let now):
            m.now = now
        case .resize(let width, let height):
            (m.width, m.height) = (width, height)
        case .monitor(let state):
            m.monitor = state
            effects = announce(&m)
        case .fleet: break
        case .storeChanged(let count):
            guard count != m.storeCount else { break }
            m.storeCount = count
            // New runs recorded while the history browser is open: read the list again (once per change).
            if m.app.screen == .history, let query = m.app.history?.query { effects.append(.queryHistory(query)) }
        case .historyPage(let page):
            guard var h = m.app.history, page.query == h.query else { break }
            h.apply(page)
            m.app.history = h
        case .record(let record):
            m.app.history?.detail = record
            m.app.history?.detailScroll = 0
        case .outputPath(_, let path):
            guard let path else {
                m.app.notice = Notice("this run has no output files", .warning, time: m.now)
                break
            }
            effects.append(.copy(path))
            m.app.notice = Notice("copied \(path) to the clipboard (OSC 52)", .success, time: m.now)
        case .picture(let rendered):
            pictureRendered(&m, rendered)
        case .action(let result):
            m.app.notice = Notice(result.words, result.level, time: m.now)
            if m.logging { effects.append(.log(AppModel.logLine(result.words, result.level, at: m.now))) }
        case .mouse(let x, let y, .left):
            guard m.app.screen == .monitor else { break }
            let jobs = visibleJobs(m.app, m.monitor, now: m.now)
            let layout = Layout(width: m.width, height: m.height, queueRows: jobs.count, outputRows: 0)
            if let job = QueueView.job(atX: x, y: y, layout: layout, jobs: jobs, selectedID: m.app.selectedID) {
                m.app.selectedID = job.id
                m.app.follow = false
                m.app.focus = .queue
            }
        case .mouse(let x, let y, let button):
            (m.app, effects) = update(
                m.app, key: .mouse(x: x, y: y, button: button), monitor: m.monitor, now: m.now,
                pageSize: max(1, m.height / 2))
        case .key(let key):
            (m.app, effects) = update(m.app, key: key, monitor: m.monitor, now: m.now, pageSize: max(1, m.height / 2))
            for case .copy(let text) in effects {
                m.app.notice = Notice("copied \(text.prefix(40)) to the clipboard (OSC 52)", .success, time: m.now)
            }
        }
        m.app = settle(m.app, m.monitor, now: m.now)
        effects += pictureRequests(&m)
        return (m, effects)
    }

    /// The monitor's new messages: a notification for jobs done or failed (`--notify`), a line each for `--log`.
    static func announce(_ m: inout AppModel) -> [AppEffect] {
        var effects: [AppEffect] = []
        for message in m.monitor.messages where message.time > m.seenUntil {
            if m.notify, message.level == .success || message.level == .error {
                effects.append(.notify("comfytop: \(message.text)"))
            }
            if m.logging { effects.append(.log(AppModel.logLine(message.text, message.level, at: message.time))) }
        }
        m.seenUntil = m.monitor.messages.last?.time ?? m.seenUntil
        return effects
    }
}
