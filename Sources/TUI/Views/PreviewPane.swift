import ComfyClient
import Foundation

/// The live preview beside the node bars: the selected job's newest preview frame, or why there is none. While
/// the outputs pane has the focus, the selected output's thumbnail instead.
enum PreviewPane {
    /// The smallest pane worth drawing, and the node bars' least width beside it.
    static let minInnerColumns = 12
    static let minInnerRows = 5
    static let minJobWidth = 40

    /// Whether the pane is wanted at all (before the size is looked at).
    static func wanted(_ app: AppState, _ m: MonitorState) -> Bool {
        let p = app.pictures
        guard p.enabled, app.screen == .monitor else { return false }
        if OutputPicture.selected(app, m) != nil { return true }
        switch p.pane {
        case .hidden: return false
        case .shown: return true
        // A server that never sent a preview keeps the screen as it was.
        case .auto: return m.previews.received > 0
        }
    }

    /// The job pane split into the node bars (left) and the preview pane (right, nil when hidden or too small).
    static func split(_ job: Rect, _ app: AppState, _ m: MonitorState) -> (job: Rect, pane: Rect?) {
        guard wanted(app, m) else { return (job, nil) }
        // Cells are about twice as tall as wide: a square picture of n rows is 2n columns.
        let innerRows = max(0, job.height - 3)
        let width = min(2 * innerRows + 2, job.width * 45 / 100)
        guard width - 2 >= minInnerColumns, innerRows >= minInnerRows, job.width - width >= minJobWidth else {
            return (job, nil)
        }
        let pane = Rect(x: job.maxX - width, y: job.y, width: width, height: job.height)
        return (Rect(x: job.x, y: job.y, width: job.width - width, height: job.height), pane)
    }

    /// The pane's rectangle for the current screen (nil: not shown), as `Screen.render` lays it out.
    static func rect(_ app: AppState, _ m: MonitorState, now: Date, width: Int, height: Int) -> Rect? {
        guard wanted(app, m), app.pictures.viewer == nil else { return nil }
        let jobs = AppUpdate.visibleJobs(app, m, now: now)
        let selected = app.selectedID.flatMap { m.jobs[$0] }
        let layout = Layout(
            width: width, height: height, queueRows: jobs.count, outputRows: selected?.outputs.count ?? 0)
        guard !layout.tooSmall else { return nil }
        return split(layout.job, app, m).pane
    }

    /// Where the picture goes inside the pane: all but the border and the caption line, and no taller than a
    /// square picture needs (the rest of a tall pane stays empty rather than asking for a stretched picture).
    static func pictureArea(_ pane: Rect) -> Rect {
        let inner = pane.inset(1)
        return Rect(x: inner.x, y: inner.y, width: inner.width, height: min(inner.height - 1, (inner.width + 1) / 2))
    }

    /// The request for the pane's picture (nil: nothing to draw).
    static func request(_ pane: Rect, _ job: MonitorJob?, _ m: MonitorState) -> PictureRequest? {
        guard let job, case .frame(let mark) = m.previewStatus(of: job) else { return nil }
        let area = pictureArea(pane)
        return PictureRequest(
            slot: .pane, source: .preview(promptID: job.id, seq: mark.seq), columns: area.width, rows: area.height)
    }

    static func draw(
        _ c: inout Canvas, _ pane: Rect, _ m: MonitorState, _ job: MonitorJob?, _ app: AppState, glyphs g: Glyphs
    ) {
        if let (id, file) = OutputPicture.selected(app, m) {
            OutputPicture.draw(&c, pane, promptID: id, file: file, app, glyphs: g)
            return
        }
        let inner = c.box(pane, title: "Preview", focused: false, glyphs: g)
        guard inner.height > 1, inner.width > 2 else { return }
        let captionY = min(inner.maxY - 1, pictureArea(pane).maxY)
        guard let job else {
            c.put(inner.x, captionY, "no job selected", Style(.dim), maxX: inner.maxX)
            return
        }
        switch m.previewStatus(of: job) {
        case .frame(let mark):
            let wanted = request(pane, job, m)
            // Under an overlay the picture is not drawn: its colours would be painted over the overlay.
            if app.overlay == .none, let shown = app.pictures.picture(.pane, for: wanted) {
                if shown.drawable {
                    place(&c, shown, in: pictureArea(pane))
                } else if let failure = shown.failure {
                    wrap(&c, "cannot show the preview: \(failure)", in: pictureArea(pane), role: .msgWarning)
                }
            }
            let node = mark.nodeID.map { "node \($0) · " } ?? ""
            let live = job.state == .running ? "" : "last "
            c.put(
                inner.x, captionY, "\(live)\(node)\(mark.count) frame\(mark.count == 1 ? "" : "s")", Style(.dim),
                maxX: inner.maxX)
        case .waiting:
            wrap(&c, "waiting for the first preview\(g.ellipsis)", in: pictureArea(pane), role: .dim)
        case .unavailable(let why):
            wrap(&c, words(why), in: pictureArea(pane), role: .dim)
        }
    }

    /// Why there is no preview, in words.
    static func words(_ why: PreviewAbsence) -> String {
        switch why {
        case .notStarted: return "no preview yet: the job has not started"
        case .foreign(let client):
            let who = client.map { " (client \(TerminalText.sanitize(String($0.prefix(12)))))" } ?? ""
            return "no preview: ComfyUI sends previews only to the client that queued the job\(who)"
        case .serverSendsNone:
            return "no previews from this server: start ComfyUI with --preview-method auto"
        case .finished: return "no preview kept: previews are live only (see Outputs, v views them)"
        }
    }

    /// Centres a rendered picture (cells or a graphics-protocol picture) in an area.
    static func place(_ c: inout Canvas, _ shown: RenderedPicture, in area: Rect) {
        // Kitty placeholders: the transmitted image (the graphic) shows where its placeholder cells are drawn.
        if var graphic = shown.graphic, let cells = shown.picture {
            guard cells.width <= area.width, cells.height <= area.height else { return }
            graphic.x = area.x + (area.width - cells.width) / 2
            graphic.y = area.y + (area.height - cells.height) / 2
            c.place(graphic)
            c.draw(cells, x: graphic.x, y: graphic.y)
            return
        }
        if let picture = shown.picture { return place(&c, picture, in: area) }
        guard var graphic = shown.graphic, graphic.columns <= area.width, graphic.rows <= area.height else { return }
        graphic.x = area.x + (area.width - graphic.columns) / 2
        graphic.y = area.y + (area.height - graphic.rows) / 2
        c.place(graphic)
    }

    /// Centres a picture in an area (it was rendered to fit it; a stale size is not drawn).
    static func place(_ c: inout Canvas, _ picture: CellPicture, in area: Rect) {
        guard picture.width <= area.width, picture.height <= area.height else { return }
        c.draw(
            picture, x: area.x + (area.width - picture.width) / 2, y: area.y + (area.height - picture.height) / 2)
    }

    /// Words wrapped into an area, line by line.
    static func wrap(_ c: inout Canvas, _ text: String, in area: Rect, role: Role) {
        guard area.width > 0 else { return }
        var line = ""
        var y = area.y
        for word in text.split(separator: " ") {
            let candidate = line.isEmpty ? String(word) : line + " " + word
            if Canvas.width(of: candidate) > area.width, !line.isEmpty {
                guard y < area.maxY else { return }
                c.put(area.x, y, line, Style(role), maxX: area.maxX)
                y += 1
                line = String(word)
            } else {
                line = candidate
            }
        }
        if y < area.maxY, !line.isEmpty { c.put(area.x, y, line, Style(role), maxX: area.maxX) }
    }
}
