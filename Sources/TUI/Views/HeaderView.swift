import ComfyClient
import Foundation

/// Server, version, connection lamp (with reconnect countdown), queue counts, VRAM.
enum HeaderView {
    static func draw(_ c: inout Canvas, _ rect: Rect, _ m: MonitorState, now: Date, glyphs g: Glyphs) {
        let style = Style(.header)
        c.fill(rect, style)
        let (text, role): (String, Role)
        switch m.connection {
        case .connecting: (text, role) = ("connecting", .connWarn)
        case .connected: (text, role) = ("live", .connOK)
        case .reconnecting(_, let at, _):
            (text, role) = ("retry in \(max(0, Int(at.timeIntervalSince(now).rounded(.up))))s", .connBad)
        case .offline: (text, role) = ("offline", .connBad)
        }
        // Most important first; whatever does not fit whole is left out (never cut mid-word), and so is all after it.
        // Drawn as they come (no array of segments: this runs on every frame).
        var x = rect.x + 1
        var full = false
        func add(_ segment: String, _ segmentStyle: Style, gap: Int = 2) {
            guard !full else { return }
            guard x + Canvas.width(of: segment) <= rect.maxX else {
                full = true
                return
            }
            x = c.put(x, rect.y, segment, segmentStyle) + gap
        }
        add("comfytop", Style(.header, bold: true))
        add(g.lamp, Style(role, bold: true), gap: 1)
        add(text, Style(.header, bold: role != .connOK))
        add("\(m.runningID == nil ? 0 : 1) running, \(m.pendingIDs.count) pending", style)
        if let device = m.devices.first, device.vramTotal > 0, !full {
            let used = Double(device.vramTotal - device.vramFree) / 1_073_741_824
            add("VRAM \(Text.oneDecimal(used))/\(Text.oneDecimal(Double(device.vramTotal) / 1_073_741_824)) GiB", style)
        }
        if let version = m.version { add("ComfyUI \(version)", style) }
        add(m.serverURL, style)
    }
}

/// The queue: running, pending (with finish times), then finished jobs that linger.
enum QueueView {
    /// The first listed row, so that the selection is always in view.
    static func firstRow(selected: Int, count: Int, height: Int) -> Int {
        max(0, min(selected - height + 1, count - height))
    }

    /// The job under a mouse click, if any.
    static func job(atX x: Int, y: Int, layout: Layout, jobs: [MonitorJob], selectedID: String?) -> MonitorJob? {
        let inner = layout.queue.inset(1)
        guard x >= inner.x, x < inner.maxX, y >= inner.y, y < inner.maxY else { return nil }
        let selected = jobs.firstIndex { $0.id == selectedID } ?? 0
        let index = firstRow(selected: selected, count: jobs.count, height: inner.height) + (y - inner.y)
        return jobs.indices.contains(index) ? jobs[index] : nil
    }

    static func draw(
        _ c: inout Canvas, _ rect: Rect, _ m: MonitorState, _ app: AppState, jobs: [MonitorJob], now: Date,
        glyphs g: Glyphs
    ) {
        let title = app.filter.isEmpty ? "Queue" : "Queue /\(app.filter)\(app.editingFilter ? "_" : "")"
        let inner = c.box(rect, title: title, focused: app.focus == .queue, glyphs: g)
        guard inner.height > 0 else { return }
        if jobs.isEmpty {
            c.put(
                inner.x, inner.y, m.queueReadAt == nil ? "reading the queue…" : "the queue is empty", Style(.dim),
                maxX: inner.maxX)
            return
        }
        let finish = m.finishTimes(now: now)
        let selected = jobs.firstIndex { $0.id == app.selectedID } ?? 0
        let first = firstRow(selected: selected, count: jobs.count, height: inner.height)
        let clock = Clock.hhmm
        for (row, job) in jobs.dropFirst(max(0, first)).prefix(inner.height).enumerated() {
            let y = inner.y + row
            let isSelected = job.id == app.selectedID
            let base = Style(isSelected ? .selected : .main, bold: false, reverse: false)
            if isSelected { c.fill(Rect(x: inner.x, y: y, width: inner.width, height: 1), base) }
            let (glyph, word, role) = Symbols.job(job.state, g)
            var x = c.put(inner.x, y, glyph, Style(role, bold: true, reverse: false), maxX: inner.maxX)
            x = c.put(x + 1, y, Text.fit(word, 7), isSelected ? base : Style(role), maxX: inner.maxX)
            x = c.put(x + 1, y, String(job.id.prefix(8)), base, maxX: inner.maxX)
            let (src, srcRole) = Symbols.source(job.source)
            x = c.put(x + 1, y, Text.fit(src, 5), isSelected ? base : Style(srcRole), maxX: inner.maxX)
            var tail = ""
            switch job.state {
            case .running:
                if let f = app.fraction(of: job) {
                    tail = Text.percent(f)
                } else if let step = job.logStep {
                    tail = "\(step.value)/\(step.total)"
                } else {
                    tail = "  ?%"
                }
                if let done = finish[job.id] { tail += " " + g.approx + clock.string(from: done) }
            case .pending:
                tail = "#\(job.nodes.isEmpty ? "" : "")\(m.pendingIDs.firstIndex(of: job.id).map { $0 + 1 } ?? 0)"
                if let done = finish[job.id] { tail += " " + g.approx + clock.string(from: done) }
            default:
                if let e = job.elapsed(now: now) { tail = MonitorFormat.duration(e) }
            }
            c.put(inner.maxX - Canvas.width(of: tail), y, tail, base, maxX: inner.maxX)
        }
    }
}

/// The outputs of the selected job.
enum OutputsView {
    static func sizeText(_ n: Int) -> String {
        if n < 1024 { return "\(n) B" }
        if n < 1 << 20 { return "\(Text.oneDecimal(Double(n) / 1024)) KiB" }
        return "\(Text.oneDecimal(Double(n) / 1_048_576)) MiB"
    }

    static func draw(_ c: inout Canvas, _ rect: Rect, _ job: MonitorJob?, _ app: AppState, glyphs g: Glyphs) {
        let inner = c.box(rect, title: "Outputs", focused: app.focus == .outputs, glyphs: g)
        guard inner.height > 0 else { return }
        guard let job else { return }
        if job.outputs.isEmpty {
            let text = job.state == .running || job.state == .pending ? "none yet" : "no output files"
            c.put(inner.x, inner.y, text, Style(.dim), maxX: inner.maxX)
            return
        }
        let start = app.focus == .outputs ? min(app.scroll, max(0, job.outputs.count - inner.height)) : 0
        for (row, file) in job.outputs.dropFirst(start).prefix(inner.height).enumerated() {
            let y = inner.y + row
            let folder = file.subfolder.isEmpty ? "" : file.subfolder + "/"
            var x = c.put(
                inner.x, y, Text.fit(file.type, 6), Style(file.type == "output" ? .stateDone : .dim), maxX: inner.maxX)
            let size = job.outputSizes[file.key].map(sizeText) ?? "-"
            let sizeWidth = 9
            x = c.put(
                x + 1, y, Text.fit(folder + file.filename, max(1, inner.maxX - x - 2 - sizeWidth - 9), ascii: g.ascii),
                Style(.main), maxX: inner.maxX)
            x = c.put(x + 1, y, Text.right(size, sizeWidth), Style(.main), maxX: inner.maxX)
            c.put(x + 2, y, "node \(file.nodeID)", Style(.dim), maxX: inner.maxX)
        }
    }
}
