import ComfyClient
import Foundation

/// The fleet screen: a header, one row a server (lamp, name in its colour, state, version, queue counts, running
/// job with node, bar and ETA, VRAM, last error), then every server's jobs in one list with a server column.
/// Below 40×10 it is a compact list of lamps and names.
enum FleetView {
    static func render(_ model: AppModel, glyphs g: Glyphs) -> Canvas {
        var c = Canvas(width: model.width, height: model.height)
        guard let fleet = model.fleet, model.width > 0, model.height > 0 else { return c }
        let now = model.now
        let app = model.app
        if model.width < 40 || model.height < 10 {
            compact(&c, fleet, app, now: now, glyphs: g)
            return c
        }
        let live = liveCount(fleet.state)
        header(&c, Rect(x: 0, y: 0, width: c.width, height: 1), fleet.state, live: live)
        let servers = fleet.servers(filter: app.filter, now: now)
        let jobs = fleet.jobs(filter: app.filter, now: now)
        let message = c.height >= 12 ? Rect(x: 0, y: c.height - 2, width: c.width, height: 1) : nil
        let body = c.height - 2 - (message == nil ? 0 : 1)
        let serverHeight = Self.serverBoxHeight(servers: servers.count, height: c.height)
        let nameWidth = min(16, max(4, fleet.state.servers.map { Canvas.width(of: $0.name) }.max() ?? 4))
        let columns = Columns(width: c.width - 2, nameWidth: nameWidth)
        let title =
            "Servers \(live)/\(fleet.state.servers.count) live"
            + (app.filter.isEmpty ? "" : "  /\(app.filter)\(app.editingFilter ? "_" : "")")
        let serverBox = c.box(
            Rect(x: 0, y: 1, width: c.width, height: serverHeight), title: title, focused: true, glyphs: g)
        let selectedRow = servers.firstIndex(of: fleet.selected) ?? 0
        let first = QueueView.firstRow(selected: selectedRow, count: servers.count, height: serverBox.height)
        // Servers are read in place (through the buffer), not copied a row at a time: a copy retains and releases
        // every reference a server's state holds, and the fleet screen draws 50 rows 30 times a second.
        fleet.state.servers.withUnsafeBufferPointer { all in
            for (row, index) in servers.dropFirst(max(0, first)).prefix(serverBox.height).enumerated() {
                FleetRow.draw(
                    &c, x: serverBox.x, y: serverBox.y + row, columns, all[index], index: index,
                    selected: index == fleet.selected, now: now, glyphs: g)
            }
        }
        if servers.isEmpty, serverBox.height > 0 {
            c.put(serverBox.x, serverBox.y, "no server matches /\(app.filter)", Style(.dim), maxX: serverBox.maxX)
        }
        let jobsRect = Rect(x: 0, y: 1 + serverHeight, width: c.width, height: body - serverHeight)
        jobList(&c, jobsRect, fleet, jobs, columns, now: now, glyphs: g)
        if let message { self.message(&c, message, fleet, app, now: now) }
        footer(&c, Rect(x: 0, y: c.height - 1, width: c.width, height: 1), app)
        if app.overlay == .help { help(&c, glyphs: g) }
        return c
    }

    /// `FleetState.liveCount` without its filtered copy of the servers.
    static func liveCount(_ state: FleetState) -> Int { state.servers.reduce(0) { $0 + ($1.lamp.isLive ? 1 : 0) } }

    static func header(_ c: inout Canvas, _ rect: Rect, _ state: FleetState, live: Int) {
        c.fill(rect, Style(.header))
        let running = state.servers.reduce(0) { $0 + $1.running }
        let pending = state.servers.reduce(0) { $0 + $1.pending }
        let down = state.servers.count - live
        var x = c.put(rect.x + 1, rect.y, "comfytop fleet", Style(.header, bold: true))
        for (text, role) in [
            ("\(live)/\(state.servers.count) live", Role.header),
            ("\(running) running, \(pending) pending", .header),
            (down > 0 ? "\(down) not live" : "", .header),
        ] where !text.isEmpty {
            guard x + 2 + Canvas.width(of: text) <= rect.maxX else { break }
            x = c.put(x + 2, rect.y, text, Style(role))
        }
    }

    /// One line per job of every server: server, state, id, node and progress, finish time or duration.
    static func jobList(
        _ c: inout Canvas, _ rect: Rect, _ fleet: FleetModel, _ jobs: [(server: Int, job: MonitorJob)],
        _ columns: Columns, now: Date, glyphs g: Glyphs
    ) {
        let sortWord = fleet.sort == .finish ? "by finish time" : "by server"
        let inner = c.box(rect, title: "Jobs \(jobs.count), \(sortWord)", focused: false, glyphs: g)
        guard inner.height > 0 else { return }
        if jobs.isEmpty {
            c.put(inner.x, inner.y, "no jobs queued or running", Style(.dim), maxX: inner.maxX)
            return
        }
        var finishTimes: [Int: [String: Date]] = [:]
        fleet.state.servers.withUnsafeBufferPointer { all in
            for (row, entry) in jobs.prefix(inner.height).enumerated() {
                jobRow(
                    &c, y: inner.y + row, inner, all[entry.server], index: entry.server, entry.job, columns,
                    finishTimes: &finishTimes, now: now, glyphs: g)
            }
        }
    }

    /// One row of the job list (`server` read in place, see `render`).
    static func jobRow(
        _ c: inout Canvas, y: Int, _ inner: Rect, _ server: FleetServer, index: Int, _ job: MonitorJob,
        _ columns: Columns, finishTimes: inout [Int: [String: Date]], now: Date, glyphs g: Glyphs
    ) {
        var x = c.put(
            inner.x, y, Text.fit(server.name, columns.name, ascii: g.ascii),
            Style(FleetRow.role(server, index: index), bold: true), maxX: inner.maxX)
        let (glyph, word, role) = Symbols.job(job.state, g)
        x = c.put(x + 1, y, glyph, Style(role, bold: true), maxX: inner.maxX)
        x = c.put(x + 1, y, Text.fit(word, 7), Style(role), maxX: inner.maxX)
        x = c.put(x + 1, y, String(job.id.prefix(8)), Style(.main), maxX: inner.maxX)
        var tail = ""
        switch job.state {
        case .running where job.id == server.monitor.runningID:
            // The running job's finish time as `finishTimes` has it, without the rest of the queue's.
            if let left = server.monitor.jobRemaining(job, now: now) {
                tail = g.approx + Clock.hhmmss.string(from: now.addingTimeInterval(left))
            } else {
                tail = "eta ?"
            }
        case .running, .pending:
            if finishTimes[index] == nil { finishTimes[index] = server.monitor.finishTimes(now: now) }
            if let done = finishTimes[index]?[job.id] {
                tail = g.approx + Clock.hhmmss.string(from: done)
            } else {
                tail = "eta ?"
            }
        default:
            if let e = job.elapsed(now: now) { tail = MonitorFormat.duration(e) }
        }
        let tailX = inner.maxX - Canvas.width(of: tail)
        if job.state == .running, x + 2 < tailX - 1 {
            FleetRow.progress(
                &c, x: x + 1, y: y, maxX: tailX - 1, server.monitor, job, now: now, glyphs: g, eta: false)
        } else if job.state == .pending, x + 2 < tailX - 1 {
            let position = server.monitor.pendingIDs.firstIndex(of: job.id).map { $0 + 1 } ?? 0
            c.put(x + 1, y, "#\(position) in \(server.name)'s queue", Style(.dim), maxX: tailX - 1)
        } else if let error = job.error, x + 2 < tailX - 1 {
            c.put(x + 1, y, error.summary, Style(.stateFailed), maxX: tailX - 1)
        }
        c.put(tailX, y, tail, Style(.main), maxX: inner.maxX)
    }

    static func message(_ c: inout Canvas, _ rect: Rect, _ fleet: FleetModel, _ app: AppState, now: Date) {
        c.fill(rect, Style(.main))
        if let note = app.note {
            c.put(rect.x + 1, rect.y, note, Style(.msgWarning), maxX: rect.maxX)
            return
        }
        // The newest message of any server, named.
        var newest: (String, MonitorState.Message)?
        for server in fleet.state.servers {
            if let last = server.monitor.lastMessage, last.time > (newest?.1.time ?? .distantPast) {
                newest = (server.name, last)
            }
        }
        if let notice = app.notice, notice.time >= (newest?.1.time ?? .distantPast) {
            c.put(rect.x + 1, rect.y, notice.text, Style(role(notice.level)), maxX: rect.maxX)
            return
        }
        guard let (name, last) = newest else { return }
        let x = c.put(rect.x + 1, rect.y, Clock.hhmmss.string(from: last.time), Style(.dim))
        c.put(x + 1, rect.y, "\(name): \(last.text)", Style(role(last.level)), maxX: rect.maxX)
    }

    static func role(_ level: MonitorState.Message.Level) -> Role {
        switch level {
        case .info: return .msgInfo
        case .success: return .msgSuccess
        case .warning: return .msgWarning
        case .error: return .msgError
        }
    }

    static func footer(_ c: inout Canvas, _ rect: Rect, _ app: AppState) {
        c.fill(rect, Style(.main))
        if app.editingFilter {
            c.put(rect.x + 1, rect.y, "filter: \(app.filter)_   Enter keeps, Esc clears", Style(.key), maxX: rect.maxX)
            return
        }
        var x = rect.x + 1
        for key in FleetKeys.all where key.inBar {
            let width = Canvas.width(of: key.keys) + 1 + Canvas.width(of: key.short)
            if x + width > rect.maxX { break }
            x = c.put(x, rect.y, key.keys, Style(.key, bold: true))
            x = c.put(x + 1, rect.y, key.short, Style(.dim)) + 2
        }
    }

    static func help(_ c: inout Canvas, glyphs g: Glyphs) {
        let width = min(c.width - 2, 64)
        let height = min(c.height - 2, FleetKeys.all.count + 3)
        let rect = Rect(x: (c.width - width) / 2, y: (c.height - height) / 2, width: width, height: height)
        c.fill(rect, Style(.main))
        let inner = c.box(rect, title: "Fleet keys (any key closes)", focused: true, glyphs: g)
        for (row, key) in FleetKeys.all.prefix(inner.height).enumerated() {
            let x = c.put(inner.x, inner.y + row, Text.fit(key.keys, 12), Style(.key, bold: true))
            c.put(x + 1, inner.y + row, key.help, Style(.main), maxX: inner.maxX)
        }
    }

    /// Below 40×10: a lamp, a name and a word a server.
    static func compact(_ c: inout Canvas, _ fleet: FleetModel, _ app: AppState, now: Date, glyphs g: Glyphs) {
        let title = "fleet \(liveCount(fleet.state))/\(fleet.state.servers.count) live"
        c.put(0, 0, title, Style(.header, bold: true), maxX: c.width)
        let servers = fleet.servers(filter: app.filter, now: now)
        let rows = max(0, c.height - 1)
        let selectedRow = servers.firstIndex(of: fleet.selected) ?? 0
        let first = QueueView.firstRow(selected: selectedRow, count: servers.count, height: rows)
        for (row, index) in servers.dropFirst(max(0, first)).prefix(rows).enumerated() {
            let server = fleet.state.servers[index]
            let y = 1 + row
            let (word, lampRole) = FleetRow.state(server, now: now)
            if index == fleet.selected { c.fill(Rect(x: 0, y: y, width: c.width, height: 1), Style(.selected)) }
            var x = c.put(0, y, g.lamp, Style(lampRole, bold: true), maxX: c.width)
            x = c.put(x + 1, y, server.name, Style(FleetRow.role(server, index: index), bold: true), maxX: c.width)
            let detail = server.lamp.isLive ? (server.runningID != nil ? "run" : "idle") : word
            c.put(x + 1, y, detail, Style(lampRole), maxX: c.width)
        }
    }
}

extension FleetView {
    /// The servers' box takes what its rows need, but leaves the jobs at least a third of the body.
    static func serverBoxHeight(servers: Int, height: Int) -> Int {
        let body = height - 2 - (height >= 12 ? 1 : 0)
        return min(servers + 2, max(3, body - max(3, body / 3)))
    }

    /// The server whose row is at (x, y) on the fleet screen, if any.
    static func server(atX x: Int, y: Int, _ model: AppModel) -> Int? {
        guard let fleet = model.fleet, model.width >= 40, model.height >= 10, x > 0, x < model.width - 1 else {
            return nil
        }
        let servers = fleet.servers(filter: model.app.filter, now: model.now)
        let rows = serverBoxHeight(servers: servers.count, height: model.height) - 2
        guard y >= 2, y < 2 + rows else { return nil }
        let selectedRow = servers.firstIndex(of: fleet.selected) ?? 0
        let index = QueueView.firstRow(selected: selectedRow, count: servers.count, height: rows) + y - 2
        return servers.indices.contains(index) ? servers[index] : nil
    }
}

/// The widths of the fleet's columns for a screen width.
struct Columns {
    /// The row's whole width.
    var totalWidth: Int
    var name: Int
    var state = 11
    var version: Int
    var queue = 7
    var vram: Int

    init(width: Int, nameWidth: Int) {
        totalWidth = width
        name = nameWidth
        version = width >= 100 ? 9 : 0
        vram = width >= 110 ? 16 : 0
    }
}

extension FleetView {
    /// The frame in fleet mode: the fleet screen, or (a server's screen open, or the history browser) the
    /// single-server screen with a line that says which server it is and how to come back.
    static func frame(_ model: AppModel, glyphs g: Glyphs) -> Canvas {
        if let fleet = model.fleet, fleet.focused == nil, model.app.screen == .monitor {
            return render(model, glyphs: g)
        }
        var c = Screen.render(
            app: model.app, monitor: model.monitor, now: model.now, width: model.width, height: model.height,
            glyphs: g)
        guard let fleet = model.fleet, fleet.state.servers.indices.contains(fleet.current), c.height >= 10,
            c.width >= 40
        else { return c }
        // On the header's right end: the server's name in its colour, what the fleet knows of it when it is not
        // live (the probe's reason: the header alone may only say "connecting"), and the way back.
        let server = fleet.state.servers[fleet.current]
        let reason = server.lamp.reason.map { " · " + $0.words } ?? ""
        let tag = " \(fleet.current + 1)/\(fleet.state.servers.count) \(server.name)\(reason) · Esc fleet "
        let width = min(Canvas.width(of: tag), c.width / 2)
        c.put(
            c.width - width, 0, Text.fit(tag, width, ascii: g.ascii),
            Style(FleetRow.role(server, index: fleet.current), bold: true, reverse: true))
        return c
    }
}
