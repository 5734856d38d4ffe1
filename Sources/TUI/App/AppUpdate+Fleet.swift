import ComfyClient
import Foundation

/// The fleet's part of the one update. On the fleet screen it handles the keys itself; on a server's screen it
/// leaves everything to the single-server update (with `AppModel.monitor` kept on that server) except the keys
/// that move between servers, and an Esc with nothing left to back out of, which returns to the fleet.
extension AppUpdate {
    /// Handles a message in fleet mode; nil when the single-server update should (a server's screen, the history
    /// browser, ticks, store answers, action results).
    static func updateFleet(_ model: AppModel, _ msg: Msg) -> (AppModel, [AppEffect])? {
        guard var fleet = model.fleet else { return nil }
        var m = model
        switch msg {
        case .fleet(let state):
            fleet.state = state
            fleet.selected = min(max(0, fleet.selected), max(0, state.servers.count - 1))
            if let focused = fleet.focused, !state.servers.indices.contains(focused) { fleet.focused = nil }
            let effects = announceFleet(&m, &fleet)
            m.fleet = fleet
            showCurrent(&m)
            return (m, effects)
        case .key(let key):
            if fleet.focused == nil && m.app.screen == .monitor { return fleetKey(m, fleet, key) }
            if fleet.focused != nil && m.app.screen == .monitor { return serverKey(m, fleet, key) }
            return nil
        case .mouse(let x, let y, let button):
            guard fleet.focused == nil && m.app.screen == .monitor else { return nil }
            // A click selects a server's row; a click on the selected row opens it. The wheel moves the selection.
            switch button {
            case .left:
                guard let index = FleetView.server(atX: x, y: y, m) else { return (m, []) }
                if index == fleet.selected {
                    open(&m, &fleet, index)
                } else {
                    fleet.selected = index
                    m.fleet = fleet
                    showCurrent(&m)
                }
                return (m, [])
            case .wheelUp: return fleetKey(m, fleet, .up)
            case .wheelDown: return fleetKey(m, fleet, .down)
            }
        default:
            return nil
        }
    }

    /// Keeps `AppModel.monitor` on the server the screen is about (the open one, else the selected row).
    static func showCurrent(_ m: inout AppModel) {
        guard let fleet = m.fleet, fleet.state.servers.indices.contains(fleet.current) else { return }
        m.monitor = fleet.state.servers[fleet.current].monitor
        m.app = settle(m.app, m.monitor, now: m.now)
    }

    /// Every server's new messages, named: a notification for jobs done or failed, a line each for `--log`.
    static func announceFleet(_ m: inout AppModel, _ fleet: inout FleetModel) -> [AppEffect] {
        var effects: [AppEffect] = []
        if fleet.seenUntil.count != fleet.state.servers.count {
            fleet.seenUntil = fleet.state.servers.map { $0.monitor.messages.last?.time ?? .distantPast }
            return []
        }
        for (i, server) in fleet.state.servers.enumerated() {
            for message in server.monitor.messages where message.time > fleet.seenUntil[i] {
                let text = "\(server.name): \(message.text)"
                if m.notify, message.level == .success || message.level == .error {
                    effects.append(.notify("comfytop: \(text)"))
                }
                if m.logging { effects.append(.log(AppModel.logLine(text, message.level, at: message.time))) }
            }
            fleet.seenUntil[i] = server.monitor.messages.last?.time ?? fleet.seenUntil[i]
        }
        return effects
    }

    /// Opens server `index`'s screen: its queue, selection following its running job.
    static func open(_ m: inout AppModel, _ fleet: inout FleetModel, _ index: Int) {
        guard fleet.state.servers.indices.contains(index) else { return }
        fleet.selected = index
        fleet.focused = index
        m.app.selectedID = nil
        m.app.follow = true
        m.app.focus = .queue
        m.app.scroll = 0
        m.app.overlay = .none
        m.fleet = fleet
        showCurrent(&m)
    }

    /// The server a jump key asks for: 1–9 for the first nine, ] and Tab the next, [ and S-Tab the previous.
    static func jump(_ key: Key, from current: Int, count: Int) -> Int? {
        guard count > 0 else { return nil }
        switch key {
        case .char(let c) where c.isASCII && ("1"..."9").contains(c):
            let n = Int(String(c)).map { $0 - 1 } ?? 0
            return n < count ? n : nil
        case .char("]"): return (current + 1) % count
        case .char("["): return (current + count - 1) % count
        default: return nil
        }
    }

    private static func fleetKey(_ model: AppModel, _ fleet: FleetModel, _ key: Key) -> (AppModel, [AppEffect])? {
        var m = model
        var fleet = fleet
        m.app.note = nil
        if key == .controlC {
            m.app.quit = true
            m.app.quitSignal = SIGINT
            return (m, [])
        }
        if m.app.editingFilter {
            m.app = editFilter(m.app, key)
            selectVisible(&m, &fleet)
            return (m, [])
        }
        if m.app.overlay != .none {
            let toggle = key == .char("?") || key == .f1
            m.app.overlay = toggle && m.app.overlay != .help ? .help : .none
            if key == .char("q") { m.app.quit = true }
            return (m, [])
        }
        let visible = fleet.servers(filter: m.app.filter, now: m.now)
        let row = visible.firstIndex(of: fleet.selected) ?? 0
        func select(_ i: Int) {
            guard !visible.isEmpty else { return }
            fleet.selected = visible[max(0, min(visible.count - 1, i))]
        }
        if let target = jump(key, from: fleet.selected, count: fleet.state.servers.count) {
            if case .char(let c) = key, c.isNumber {
                open(&m, &fleet, target)
                return (m, [])
            }
            fleet.selected = target
        } else {
            switch key {
            case .char("q"): m.app.quit = true
            case .char("?"), .f1: m.app.overlay = .help
            case .char("/"): m.app.editingFilter = true
            case .escape: m.app.filter = ""
            case .up, .char("k"): select(row - 1)
            case .down, .char("j"): select(row + 1)
            case .pageUp: select(row - max(1, m.height / 2))
            case .pageDown: select(row + max(1, m.height / 2))
            case .home, .char("g"): select(0)
            case .end, .char("G"): select(visible.count - 1)
            case .tab: select((row + 1) % max(1, visible.count))
            case .backTab: select((row + visible.count - 1) % max(1, visible.count))
            case .enter:
                open(&m, &fleet, fleet.selected)
                return (m, [])
            case .char("o"):
                fleet.sort = fleet.sort == .finish ? .server : .finish
                m.app.note = fleet.sort == .finish ? "jobs by finish time" : "jobs by server"
            case .char("h"):
                // The history browser, over every server's runs.
                m.fleet = fleet
                showCurrent(&m)
                return nil
            case .mouse, .resize: break
            default:
                m.app.note = "Enter opens the server's screen, where this key works"
            }
        }
        m.fleet = fleet
        showCurrent(&m)
        return (m, [])
    }

    /// Keys on one server's screen: jumps to another server; Esc with nothing to back out of goes to the fleet.
    private static func serverKey(_ model: AppModel, _ fleet: FleetModel, _ key: Key) -> (AppModel, [AppEffect])? {
        var m = model
        var fleet = fleet
        guard let focused = fleet.focused else { return nil }
        let busy = m.app.editingFilter || m.app.overlay != .none
        if !busy, let target = jump(key, from: focused, count: fleet.state.servers.count) {
            open(&m, &fleet, target)
            return (m, [])
        }
        guard key == .escape else { return nil }
        // Esc first backs out of whatever is open on the server's screen (an overlay, a filter, a picture); only
        // when it changes nothing does it go back to the fleet.
        var inner = m
        inner.fleet = nil
        let (after, effects) = update(inner, .key(key))
        var before = settle(inner.app, inner.monitor, now: inner.now)
        var changed = after.app
        before.note = nil
        changed.note = nil
        if changed != before {
            var out = after
            out.fleet = fleet
            return (out, effects)
        }
        fleet.focused = nil
        m.fleet = fleet
        m.app.selectedID = nil
        m.app.follow = true
        showCurrent(&m)
        return (m, [])
    }

    /// After the filter changed: keep the selected row among the servers that still show.
    private static func selectVisible(_ m: inout AppModel, _ fleet: inout FleetModel) {
        let visible = fleet.servers(filter: m.app.filter, now: m.now)
        if !visible.contains(fleet.selected), let first = visible.first { fleet.selected = first }
        m.fleet = fleet
        showCurrent(&m)
    }
}
