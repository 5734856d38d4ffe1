import ComfyClient
import Foundation

/// The selected job: who it is, how far, how long, and each node with a bar.
enum JobView {
    static func draw(
        _ c: inout Canvas, _ rect: Rect, _ m: MonitorState, _ job: MonitorJob?, _ app: AppState, now: Date,
        glyphs g: Glyphs
    ) {
        let inner = c.box(
            rect, title: job.map { "Job \($0.id.prefix(8))" } ?? "Job", focused: app.focus == .job, glyphs: g)
        guard inner.height > 0, inner.width > 4 else { return }
        guard let job else {
            c.put(
                inner.x, inner.y, "no job selected: the queue is empty and nothing ran yet", Style(.dim),
                maxX: inner.maxX)
            return
        }
        var y = inner.y
        let (glyph, word, role) = Symbols.job(job.state, g)
        var x = c.put(inner.x, y, "\(glyph) \(word)", Style(role, bold: true), maxX: inner.maxX)
        let (src, srcRole) = Symbols.source(job.source)
        let who =
            job.source == .own ? "this monitor" : (job.clientID.map { "client \($0.prefix(12))" } ?? "no client_id")
        x = c.put(x + 2, y, "\(src): \(who)", Style(srcRole), maxX: inner.maxX)
        if let e = job.elapsed(now: now) {
            x = c.put(x + 2, y, "elapsed \(MonitorFormat.duration(e))", Style(.main), maxX: inner.maxX)
        }
        if job.state == .running {
            if let left = m.jobRemaining(job, now: now) {
                x = c.put(x + 2, y, "ETA \(g.approx)\(MonitorFormat.duration(left))", Style(.main), maxX: inner.maxX)
            } else {
                x = c.put(x + 2, y, "ETA unknown", Style(.dim), maxX: inner.maxX)
            }
        }
        if let wait = job.queueSeconds(now: now) {
            let word = job.state == .pending ? "waiting" : "queued"
            c.put(x + 2, y, "\(word) \(MonitorFormat.duration(wait))", Style(.dim), maxX: inner.maxX)
        }
        y += 1
        if y < inner.maxY {
            let fraction = app.fraction(of: job)
            let label = fraction.map { " " + Text.percent($0) } ?? "    ?"
            let barWidth = max(1, inner.width - Canvas.width(of: label) - 1)
            c.bar(inner.x, y, width: barWidth, fraction: fraction, glyphs: g)
            c.put(inner.x + barWidth + 1, y, label, Style(.main), maxX: inner.maxX)
            y += 1
        }
        if job.source == .foreign, job.state == .running, y < inner.maxY {
            if let step = job.logStep {
                let label = " \(step.value)/\(step.total) steps (server log)"
                let barWidth = max(1, inner.width - Canvas.width(of: label) - 1)
                c.bar(inner.x, y, width: barWidth, fraction: job.logFraction, glyphs: g)
                c.put(inner.x + barWidth + 1, y, label, Style(.main), maxX: inner.maxX)
                y += 1
            }
            if y < inner.maxY {
                c.put(
                    inner.x, y, "another client's job: ComfyUI sends its node events only to that client", Style(.dim),
                    maxX: inner.maxX)
                y += 1
            }
        }
        if let error = job.error, y < inner.maxY {
            let text =
                "\(g.failed) node \(error.nodeID ?? "?") \(error.nodeType ?? "?"): \(error.exceptionMessage.trimmingCharacters(in: .whitespacesAndNewlines))"
            c.put(inner.x, y, text, Style(.stateFailed, bold: true), maxX: inner.maxX)
            y += 1
        }
        if let (node, text) = progressText(of: job), y < inner.maxY {
            c.put(inner.x, y, "\(node.title) \(node.id): \(text)", Style(.dim), maxX: inner.maxX)
            y += 1
        }
        guard y < inner.maxY else { return }
        let rows = inner.maxY - y
        let start = app.focus == .job ? min(app.scroll, max(0, job.nodes.count - rows)) : currentWindow(job, rows: rows)
        let nameWidth = min(28, max(10, inner.width / 3))
        for node in job.nodes.dropFirst(start).prefix(rows) {
            let (glyph, word, role) = Symbols.node(node.state, g)
            var x = c.put(inner.x, y, glyph, Style(role, bold: node.state == .running), maxX: inner.maxX)
            x = c.put(
                x + 1, y, Text.fit("\(node.title) \(node.id)", nameWidth, ascii: g.ascii),
                Style(node.id == job.currentNode ? .title : .main), maxX: inner.maxX)
            let info = detail(node, m, now: now, glyphs: g, word: word)
            let infoWidth = Canvas.width(of: info)
            let barWidth = inner.maxX - x - 2 - infoWidth
            if barWidth >= 4 {
                let fraction: Double? =
                    node.state == .done || node.state == .cached ? 1 : node.state == .pending ? 0 : node.fraction
                c.bar(x + 1, y, width: barWidth, fraction: node.state == .unknown ? nil : fraction, glyphs: g)
                x += barWidth + 1
            }
            // A running node's steps and times change on every step: plain text, so that redrawing them costs a
            // cursor move and the digits, not a round of attribute changes (its glyph and name show the state).
            c.put(x + 1, y, info, Style(node.state == .running ? .main : role), maxX: inner.maxX)
            y += 1
        }
    }

    /// The rows around the current node, so the running node stays in view.
    static func currentWindow(_ job: MonitorJob, rows: Int) -> Int {
        guard let current = job.currentNode, let index = job.nodes.firstIndex(where: { $0.id == current }) else {
            return 0
        }
        return max(0, min(index - rows / 2, job.nodes.count - rows))
    }

    /// The `progress_text` to show: the running node's, else the last node's that has one (its last line).
    static func progressText(of job: MonitorJob) -> (MonitorNode, String)? {
        let node =
            job.nodes.first { $0.id == job.currentNode && $0.progressText != nil }
            ?? job.nodes.last { $0.progressText != nil }
        guard let node, let text = node.progressText else { return nil }
        let line = text.split(whereSeparator: \.isNewline).last.map(String.init) ?? ""
        return line.isEmpty ? nil : (node, line)
    }

    static func detail(_ node: MonitorNode, _ m: MonitorState, now: Date, glyphs g: Glyphs, word: String) -> String {
        switch node.state {
        case .running:
            var s = node.activity.map { "\($0.prefix(20)) " } ?? ""
            if let v = node.value, let mx = node.max, mx > 1 { s = "\(Int(v))/\(Int(mx)) " }
            if let start = node.startedAt { s += MonitorFormat.duration(now.timeIntervalSince(start)) }
            if let left = m.nodeRemaining(node, now: now) { s += " \(g.approx)\(MonitorFormat.duration(left))" }
            return s
        case .done:
            if let start = node.startedAt, let end = node.endedAt {
                return "done \(MonitorFormat.duration(end.timeIntervalSince(start)))"
            }
            return "done"
        default: return word
        }
    }
}
