import ComfyClient
import Foundation

/// Footer hints, the message line, the help overlay, job details, confirmation, and the too-small screen.
enum Overlays {
    static func footer(_ c: inout Canvas, _ rect: Rect, _ app: AppState, glyphs g: Glyphs) {
        c.fill(rect, Style(.main))
        if app.editingFilter {
            c.put(rect.x + 1, rect.y, "filter: \(app.filter)_   Enter keeps, Esc clears", Style(.key), maxX: rect.maxX)
            return
        }
        var x = rect.x + 1
        for hint in barHints {
            let disabled = hint.mutatesServer && app.readOnly
            if x + hint.width + 2 > rect.maxX { break }
            x = c.put(x, rect.y, hint.label, Style(disabled ? .dim : .key, bold: !disabled), maxX: rect.maxX)
            x = c.put(x + 1, rect.y, hint.help, Style(.dim), maxX: rect.maxX)
            x += 2
        }
        if app.readOnly { c.put(rect.maxX - 10, rect.y, "read-only", Style(.msgWarning, bold: true), maxX: rect.maxX) }
    }

    /// The hint bar's entries (key label, first word of the help, their widths together), made once.
    static let barHints: [(label: String, help: String, width: Int, mutatesServer: Bool)] =
        KeyMap.bindings.filter(\.showInBar).compactMap { binding in
            guard let key = binding.keys.first else { return nil }
            let help = binding.help.split(separator: " ").first.map(String.init) ?? binding.help
            return (key.label, help, Canvas.width(of: key.label) + Canvas.width(of: help), binding.mutatesServer)
        }

    static func historyFooter(_ c: inout Canvas, _ rect: Rect, _ app: AppState) {
        c.fill(rect, Style(.main))
        if app.history?.editingSearch == true {
            c.put(
                rect.x + 1, rect.y, "search: \(app.history?.query.text ?? "")_   Enter keeps, Esc clears", Style(.key),
                maxX: rect.maxX)
            return
        }
        var x = rect.x + 1
        let hints: [(String, String, Bool)] = [
            ("h", "monitor", false), ("/", "search", false), ("Enter", "details", false), ("o", "sort", false),
            ("t", "status", false), ("d", "download", false), ("r", "requeue", true), ("R", "new seed", true),
            ("y", "copy id", false), ("D", "delete", true), ("q", "quit", false),
        ]
        for (key, help, mutates) in hints {
            if x + Canvas.width(of: key) + Canvas.width(of: help) + 2 > rect.maxX { break }
            let disabled = mutates && app.readOnly
            x = c.put(x, rect.y, key, Style(disabled ? .dim : .key, bold: !disabled), maxX: rect.maxX)
            x = c.put(x + 1, rect.y, help, Style(.dim), maxX: rect.maxX) + 2
        }
    }

    static func message(_ c: inout Canvas, _ rect: Rect, _ m: MonitorState, _ app: AppState, now: Date) {
        c.fill(rect, Style(.main))
        if let note = app.note {
            c.put(rect.x + 1, rect.y, note, Style(.msgWarning), maxX: rect.maxX)
            return
        }
        // The screen's own notice (an action's result) while it is the newest thing to say.
        var shown = m.lastMessage.map { (text: $0.text, level: $0.level, time: $0.time) }
        if let notice = app.notice, notice.time >= (shown?.time ?? .distantPast) {
            shown = (notice.text, notice.level, notice.time)
        }
        guard let last = shown else { return }
        let role: Role
        switch last.level {
        case .info: role = .msgInfo
        case .success: role = .msgSuccess
        case .warning: role = .msgWarning
        case .error: role = .msgError
        }
        let clock = Clock.hhmmss
        let x = c.put(rect.x + 1, rect.y, clock.string(from: last.time), Style(.dim), maxX: rect.maxX)
        c.put(x + 1, rect.y, last.text, Style(role, bold: last.level == .error), maxX: rect.maxX)
    }

    static func centered(_ c: inout Canvas, width: Int, height: Int) -> Rect {
        let w = min(c.width - 2, width)
        let h = min(c.height - 2, height)
        return Rect(x: (c.width - w) / 2, y: (c.height - h) / 2, width: w, height: h)
    }

    static func help(_ c: inout Canvas, glyphs g: Glyphs, readOnly: Bool) {
        var lines: [(String, String, Bool)] = []
        var section = ""
        for b in KeyMap.bindings {
            if b.section != section {
                section = b.section
                lines.append(("", section, true))
            }
            let note = b.mutatesServer ? (readOnly ? " (disabled: read-only)" : " (asks first)") : ""
            lines.append((b.keys.map(\.label).joined(separator: " "), b.help + note, false))
        }
        lines.append(("", "", false))
        lines.append(("", "own: this monitor's jobs   other: another client's (a browser)   anon: no client_id", false))
        lines.append(("", "ComfyUI sends a job's node events only to its submitter: for other clients'", false))
        lines.append(("", "jobs the monitor reads the queue and the sampler steps in the server log.", false))
        let rect = centered(&c, width: 90, height: lines.count + 2)
        c.fill(rect)
        let inner = c.box(rect, title: "Keys (Esc closes)", focused: true, glyphs: g)
        for (i, line) in lines.prefix(inner.height).enumerated() {
            if line.2 {
                c.put(inner.x, inner.y + i, line.1, Style(.title, bold: true), maxX: inner.maxX)
            } else if line.0.isEmpty {
                c.put(inner.x + 1, inner.y + i, line.1, Style(.dim), maxX: inner.maxX)
            } else {
                let x = c.put(inner.x + 1, inner.y + i, Text.fit(line.0, 12), Style(.key, bold: true), maxX: inner.maxX)
                c.put(x + 1, inner.y + i, line.1, Style(.main), maxX: inner.maxX)
            }
        }
    }

    static func details(_ c: inout Canvas, _ job: MonitorJob, scroll: Int, glyphs g: Glyphs) {
        var lines: [(String, Role)] = [
            ("prompt_id  \(job.id)", .main), ("client     \(job.clientID ?? "(none: anonymous)")", .main),
            ("state      \(job.state.rawValue)", .main),
        ]
        if let e = job.error {
            lines.append(("error      node \(e.nodeID ?? "?") \(e.nodeType ?? "?"): \(e.exceptionType)", .stateFailed))
            for line in e.exceptionMessage.split(separator: "\n") { lines.append(("  " + line, .stateFailed)) }
            lines.append(("traceback", .title))
            for frame in e.traceback {
                for line in frame.split(separator: "\n") { lines.append(("  " + line, .dim)) }
            }
        }
        for file in job.outputs {
            lines.append(
                ("output     \(file.type)/\(file.subfolder.isEmpty ? "" : file.subfolder + "/")\(file.filename)", .main)
            )
        }
        let rect = centered(&c, width: c.width - 4, height: c.height - 4)
        c.fill(rect)
        let inner = c.box(rect, title: "Job \(job.id.prefix(8)) (Esc closes, j/k scroll)", focused: true, glyphs: g)
        let start = min(scroll, max(0, lines.count - inner.height))
        for (i, line) in lines.dropFirst(start).prefix(inner.height).enumerated() {
            c.put(inner.x, inner.y + i, line.0, Style(line.1), maxX: inner.maxX)
        }
    }

    static func confirm(_ c: inout Canvas, question: String, glyphs g: Glyphs) {
        let rect = centered(&c, width: Canvas.width(of: question) + 6, height: 3)
        c.fill(rect)
        let inner = c.box(rect, title: "Confirm", focused: true, glyphs: g)
        c.put(inner.x + 1, inner.y, question, Style(.msgWarning, bold: true), maxX: inner.maxX)
    }

    static func tooSmall(_ c: inout Canvas) {
        let lines = [
            "terminal too small:", "\(c.width)×\(c.height), need ≥ \(Layout.minWidth)×\(Layout.minHeight)", "q quits",
        ]
        for (i, line) in lines.enumerated() where i < c.height {
            let y = max(0, (c.height - lines.count) / 2) + i
            c.put(
                max(0, (c.width - Canvas.width(of: line)) / 2), y, line, Style(i == 0 ? .msgError : .main, bold: i == 0)
            )
        }
    }
}
