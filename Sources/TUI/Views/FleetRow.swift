import ComfyClient
import Foundation

/// One server's row on the fleet screen.
enum FleetRow {
    /// The hues a server can have: roles of the theme that are far apart. A server's configured `color` picks the
    /// nearest by name; without one, servers take them in turn. (A server's name is always written: the colour
    /// only helps the eye.)
    static let palette: [Role] = [
        .key, .sourceOwn, .sourceForeign, .connOK, .stateInterrupted, .progressStart, .stateCached, .title,
    ]

    /// The eight basic hues, in ANSI order (black, red, green, yellow, blue, magenta, cyan, white).
    static let ansi: [Role] = [.dim, .stateFailed, .connOK, .sourceForeign, .progressStart, .sourceOwn, .key, .title]

    /// The role a server's name is drawn in.
    static func role(_ server: FleetServer, index: Int) -> Role {
        if let color = server.color, let role = role(of: color) { return role }
        return palette[index % palette.count]
    }

    /// The palette role for a configured colour: an ANSI name or index, `#RRGGBB`, or an xterm index, by the basic
    /// hue it rounds to (nil: not a colour, or the terminal's own).
    static func role(of color: String) -> Role? {
        let lower = color.lowercased()
        if lower == "orange" { return .stateInterrupted }
        if lower == "teal" { return .stateCached }
        switch ThemeColor(parsing: color) {
        case .index(let n) where n < 16: return ansi[n % 8]
        case .index(let n) where n < 232:
            let cube = n - 16
            return hue(cube / 36 >= 3, cube / 6 % 6 >= 3, cube % 6 >= 3)
        case .index(let n): return n >= 244 ? .title : .dim
        case .rgb(let r, let g, let b): return hue(r > 127, g > 127, b > 127)
        case .terminalDefault, nil: return nil
        }
    }

    static func hue(_ r: Bool, _ g: Bool, _ b: Bool) -> Role {
        ansi[(r ? 1 : 0) + (g ? 2 : 0) + (b ? 4 : 0)]
    }

    /// The state word and the lamp's role: live, connecting, retry in Ns, down.
    static func state(_ server: FleetServer, now: Date) -> (String, Role) {
        func countdown(_ at: Date?) -> String {
            guard let at else { return "" }
            return " \(max(0, Int(at.timeIntervalSince(now).rounded(.up))))s"
        }
        switch server.lamp {
        case .live: return ("live", .connOK)
        case .connecting: return ("connecting", .connWarn)
        case .reconnecting(let at, _): return ("retry" + countdown(at), .connBad)
        case .down(_, let at): return ("down" + countdown(at), .connBad)
        }
    }

    static func draw(
        _ c: inout Canvas, x x0: Int, y: Int, _ columns: Columns, _ server: FleetServer, index: Int, selected: Bool,
        now: Date, glyphs g: Glyphs
    ) {
        let maxX = x0 + columns.totalWidth
        let base = Style(selected ? .selected : .main)
        if selected { c.fill(Rect(x: x0, y: y, width: columns.totalWidth, height: 1), base) }
        let (word, lampRole) = state(server, now: now)
        var x = c.put(x0, y, g.lamp, Style(lampRole, bold: true), maxX: maxX)
        x = c.put(
            x + 1, y, Text.fit(server.name, columns.name, ascii: g.ascii),
            Style(selected ? .selected : role(server, index: index), bold: true), maxX: maxX)
        x = c.put(x + 1, y, Text.fit(word, columns.state), selected ? base : Style(lampRole), maxX: maxX)
        if columns.version > 0 {
            x = c.put(x, y, Text.fit(server.version ?? "-", columns.version, ascii: g.ascii), Style(.dim), maxX: maxX)
        }
        let queue =
            server.lamp.isLive || server.monitor.queueReadAt != nil
            ? "\(server.running)\(g.running) \(server.pending)\(g.pending)" : "-"
        x = c.put(x, y, Text.fit(queue, columns.queue), base, maxX: maxX)
        guard let reason = server.lamp.reason else {
            liveTail(&c, x: x, y: y, maxX: maxX, columns, server, now: now, glyphs: g)
            return
        }
        var text = reason.words
        if let error = server.lastError, error != reason.words { text += " · " + error }
        c.put(x + 1, y, text, Style(.connBad), maxX: maxX)
    }

    /// A live server's running job (node, bar, percentage, ETA), VRAM, and last error.
    static func liveTail(
        _ c: inout Canvas, x x0: Int, y: Int, maxX: Int, _ columns: Columns, _ server: FleetServer, now: Date,
        glyphs g: Glyphs
    ) {
        var right = maxX
        if columns.vram > 0 {
            right -= columns.vram
            if let vram = server.vram {
                let text = "VRAM \(gib(vram.used))/\(gib(vram.total))G"
                c.put(maxX - Canvas.width(of: text), y, text, Style(.dim), maxX: maxX)
            }
        }
        let running = server.runningID.flatMap { server.monitor.jobs[$0] }
        let errorWidth = server.lastError == nil ? 0 : max(0, running == nil ? right - x0 - 6 : (right - x0) / 3)
        let jobEnd = right - errorWidth
        if let job = running {
            progress(&c, x: x0 + 1, y: y, maxX: jobEnd - 1, server.monitor, job, now: now, glyphs: g)
        } else {
            c.put(x0 + 1, y, server.lamp.isLive ? "idle" : "", Style(.dim), maxX: jobEnd - 1)
        }
        if let error = server.lastError, errorWidth > 2 {
            // A live server's last error is from the past: said with its time, dimmed.
            let when = server.lastErrorAt.map { Clock.hhmm.string(from: $0) + " " } ?? ""
            c.put(jobEnd, y, Text.fit(when + error, errorWidth, ascii: g.ascii), Style(.dim), maxX: right)
        }
    }

    /// The running job: its node, a bar, the percentage and the ETA, in `x..<maxX`.
    static func progress(
        _ c: inout Canvas, x x0: Int, y: Int, maxX: Int, _ m: MonitorState, _ job: MonitorJob, now: Date,
        glyphs g: Glyphs, eta showsETA: Bool = true
    ) {
        let width = maxX - x0
        guard width > 4 else { return }
        let node = job.currentNode.flatMap { job.node($0) }
        let name = node.map { $0.title.isEmpty ? $0.classType : $0.title } ?? (job.logStep != nil ? "steps (log)" : "?")
        let fraction = job.overallFraction ?? job.logFraction
        let eta = showsETA ? m.jobRemaining(job, now: now).map { "eta " + MonitorFormat.duration($0) } ?? "eta ?" : ""
        let pct = fraction.map { Text.percent($0) } ?? "  ?%"
        let nameWidth = min(16, max(4, width / 3))
        var x = c.put(x0, y, Text.fit(name, nameWidth), Style(.stateRunning), maxX: maxX)
        let barWidth = max(0, min(20, width - nameWidth - 2 - 4 - 1 - Canvas.width(of: eta) - 1))
        if barWidth >= 3 {
            x = c.bar(
                x + 1, y, width: barWidth, fraction: fraction, glyphs: g, filled: Style(.progressMid),
                track: Style(.progressTrack), maxX: maxX)
        }
        x = c.put(x + 1, y, pct, Style(.main), maxX: maxX)
        c.put(x + 1, y, eta, Style(.dim), maxX: maxX)
    }

    static func gib(_ bytes: Int) -> String { Text.oneDecimal(Double(bytes) / 1_073_741_824) }
}
