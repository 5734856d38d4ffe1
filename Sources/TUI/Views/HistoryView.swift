import ComfyClient
import ComfyJSON
import Foundation

/// The history browser: a list of runs from the local store, and a detail view with a per-node timeline.
enum HistoryView {
    static func draw(
        _ c: inout Canvas, _ rect: Rect, _ h: HistoryBrowserState, _ m: MonitorState, now: Date, glyphs g: Glyphs
    ) {
        if let record = h.detail {
            detail(&c, rect, record, scroll: h.detailScroll, glyphs: g)
            return
        }
        var title = "History · \(h.totalText) run\(h.total == 1 ? "" : "s")"
        if h.query.server == nil {
            title += " · every server"
        } else if h.serverChoices.count > 1, let server = h.query.server {
            title += " · \(serverLabel(server))"
        }
        if !h.query.text.isEmpty || h.editingSearch { title += " · /\(h.query.text)\(h.editingSearch ? "_" : "")" }
        if !h.query.statuses.isEmpty { title += " · \(h.query.statuses.sorted().joined())" }
        title += " · \(h.query.sort.rawValue)"
        let inner = c.box(rect, title: title, focused: true, glyphs: g)
        guard inner.height > 1 else { return }
        // Where the data comes from, and how old it is when the server is away.
        var origin = "local store: \(h.storeSummary.count) runs"
        if case .connected = m.connection {
        } else {
            let age = h.storeSummary.newest.map {
                now.timeIntervalSince(Date(timeIntervalSince1970: Double($0) / 1000))
            }
            origin = "server offline · " + origin + (age.map { ", newest \(MonitorFormat.duration($0)) ago" } ?? "")
        }
        c.put(inner.x, inner.y, origin, Style(.dim), maxX: inner.maxX)
        let listY = inner.y + 1
        let rows = inner.height - 1
        if h.rows.isEmpty {
            c.put(
                inner.x, listY, h.query.text.isEmpty ? "no runs recorded yet" : "no runs match", Style(.dim),
                maxX: inner.maxX)
            return
        }
        let first = max(0, min(h.selected - rows + 1, h.rows.count - rows))
        let clock = Clock.monthDayTime
        for (i, row) in h.rows.dropFirst(first).prefix(rows).enumerated() {
            let y = listY + i
            let selected = first + i == h.selected
            let base = Style(selected ? .selected : .main, bold: selected)
            if selected { c.fill(Rect(x: inner.x, y: y, width: inner.width, height: 1), base) }
            // A run deleted from the queue or lost to a restart is kept as `removed`: shown as such, not as failed.
            let state = JobState(rawValue: row.status) ?? .failed
            let (glyph, _, role) = Symbols.job(state, g)
            var x = c.put(inner.x, y, glyph, Style(role, bold: true), maxX: inner.maxX)
            let ended = row.endedAt.map { clock.string(from: Date(timeIntervalSince1970: Double($0) / 1000)) } ?? "-"
            x = c.put(x + 1, y, ended, base, maxX: inner.maxX)
            x = c.put(x + 1, y, Text.right(row.duration.map(MonitorFormat.duration) ?? "-", 6), base, maxX: inner.maxX)
            if h.query.server == nil {
                // Every server's runs: which one ran it.
                x = c.put(
                    x + 1, y, Text.fit(serverLabel(row.server), 14, ascii: g.ascii),
                    Style(selected ? .selected : .dim), maxX: inner.maxX)
            }
            let size = row.width.flatMap { w in row.height.map { "\(w)×\($0)" } } ?? ""
            let right =
                "\(Text.fit(shortName(row.checkpoint), 14, ascii: g.ascii)) \(Text.right(size, 9)) \(Text.right(String(row.outputCount), 2))"
            let rightWidth = Canvas.width(of: right)
            let promptWidth = max(0, inner.maxX - x - 2 - rightWidth)
            let text = row.status == "success" ? row.positive : (row.errorMessage ?? row.positive)
            c.put(
                x + 1, y, Text.fit(text.isEmpty ? "(no prompt text)" : text, promptWidth, ascii: g.ascii),
                selected ? base : Style(row.status == "success" ? .main : role), maxX: inner.maxX)
            if inner.width > 60 {
                c.put(inner.maxX - rightWidth, y, right, Style(selected ? .selected : .dim), maxX: inner.maxX)
            }
        }
    }

    /// A server's URL without its scheme ("gpu7.lan:8188"), for the server column.
    static func serverLabel(_ url: String) -> String {
        var label = Substring(url)
        if let range = label.range(of: "://") { label = label[range.upperBound...] }
        while label.hasSuffix("/") { label = label.dropLast() }
        return String(label)
    }

    static func shortName(_ s: String) -> String {
        let name = s.split(separator: " ").first.map(String.init) ?? s
        return name.replacingOccurrences(of: ".safetensors", with: "").replacingOccurrences(of: ".ckpt", with: "")
    }

    static func detail(_ c: inout Canvas, _ rect: Rect, _ r: RunRecord, scroll: Int, glyphs g: Glyphs) {
        let inner = c.box(rect, title: "Run \(r.promptID.prefix(8)) (Esc back, j/k scroll)", focused: true, glyphs: g)
        guard inner.height > 0 else { return }
        var lines: [(String, Role, Double?)] = []  // text, role, timeline fraction
        lines.append(
            (
                "\(r.status)  \(r.source)  \(r.duration.map { MonitorFormat.duration($0) } ?? "-")  \(r.promptID)",
                .title, nil
            ))
        if !r.positive.isEmpty { lines.append(("positive: \(r.positive)", .main, nil)) }
        if !r.negative.isEmpty { lines.append(("negative: \(r.negative)", .dim, nil)) }
        if !r.checkpoint.isEmpty { lines.append(("checkpoint: \(r.checkpoint)  seeds: \(r.seeds)", .dim, nil)) }
        lines.append(("", .main, nil))
        lines.append(("timeline", .title, nil))
        let longest = max(0.001, r.nodeSeconds.values.max() ?? 0)
        let nodes = (r.prompt.objectValue ?? []).sorted { a, b in
            (Int(a.0) ?? 0, a.0) < (Int(b.0) ?? 0, b.0)
        }
        for (id, node) in nodes {
            let name = "\(node["_meta"]?["title"]?.stringValue ?? node["class_type"]?.stringValue ?? "?") \(id)"
            if r.cachedNodes.contains(id) {
                lines.append(("\(g.cached) \(Text.fit(name, 26, ascii: g.ascii)) cached", .stateCached, nil))
            } else if r.errorNode == id {
                let took = r.nodeSeconds[id].map { " after \(String(format: "%.1fs", $0))" } ?? ""
                lines.append(("\(g.failed) \(Text.fit(name, 26, ascii: g.ascii)) failed\(took)", .stateFailed, nil))
            } else if let seconds = r.nodeSeconds[id] {
                let label = seconds < 10 ? String(format: "%.1fs", seconds) : MonitorFormat.duration(seconds)
                lines.append(
                    (
                        "\(g.done) \(Text.fit(name, 26, ascii: g.ascii)) \(Text.right(label, 6)) ", .main,
                        seconds / longest
                    ))
            } else {
                lines.append(("\(g.pending) \(Text.fit(name, 26, ascii: g.ascii)) (time not recorded)", .dim, nil))
            }
        }
        if let message = r.errorMessage {
            lines.append(("", .main, nil))
            lines.append(("error: node \(r.errorNode ?? "?"): \(r.errorType ?? ""): \(message)", .stateFailed, nil))
            for line in (r.traceback ?? "").split(separator: "\n") { lines.append(("  " + line, .dim, nil)) }
        }
        lines.append(("", .main, nil))
        lines.append(("outputs", .title, nil))
        for file in r.outputs {
            lines.append(
                ("  \(file.type)/\(file.subfolder.isEmpty ? "" : file.subfolder + "/")\(file.filename)", .main, nil))
        }
        lines.append(("", .main, nil))
        lines.append(("graph", .title, nil))
        for (id, node) in nodes {
            let inputs = (node["inputs"]?.objectValue ?? []).map { k, v -> String in
                if case .array(let link) = v, link.count == 2 { return "\(k)=←\(link[0].pythonStr)" }
                return "\(k)=\(v.pythonStr.prefix(60))"
            }.joined(separator: " ")
            lines.append(("  \(id) \(node["class_type"]?.stringValue ?? "?"): \(inputs)", .dim, nil))
        }
        let start = min(scroll, max(0, lines.count - inner.height))
        for (i, line) in lines.dropFirst(start).prefix(inner.height).enumerated() {
            let y = inner.y + i
            let x = c.put(inner.x, y, line.0, Style(line.1, bold: line.1 == .title), maxX: inner.maxX)
            if let fraction = line.2, fraction.isFinite, inner.maxX - x > 4 {
                c.bar(
                    x, y, width: max(1, Int(Double(inner.maxX - x) * min(1, max(0, fraction)))), fraction: 1, glyphs: g)
            }
        }
    }
}
