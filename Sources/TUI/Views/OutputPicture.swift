import ComfyClient
import Foundation

/// The selected output's image, while the outputs pane has the focus (Tab): the row is marked in the outputs
/// pane and the thumbnail takes the preview pane's place beside the node bars (the outputs pane is a few rows
/// high, too small for a picture).
enum OutputPicture {
    /// The selected job and output when the outputs pane has the focus and that output is an image.
    static func selected(_ app: AppState, _ m: MonitorState) -> (String, OutputFile)? {
        guard app.focus == .outputs, app.pictures.enabled, let id = app.selectedID, let job = m.jobs[id],
            job.outputs.indices.contains(app.pictures.outputIndex)
        else { return nil }
        let file = job.outputs[app.pictures.outputIndex]
        return ImageViewer.isImage(file) ? (id, file) : nil
    }

    static func request(_ m: AppModel) -> PictureRequest? {
        guard let (id, file) = selected(m.app, m.monitor),
            let pane = PreviewPane.rect(m.app, m.monitor, now: m.now, width: m.width, height: m.height)
        else { return nil }
        let area = PreviewPane.pictureArea(pane)
        return PictureRequest(
            slot: .output, source: .output(promptID: id, file: file), columns: area.width, rows: area.height)
    }

    /// Marks the selected row of the outputs pane.
    static func mark(_ c: inout Canvas, _ outputs: Rect, _ job: MonitorJob?, _ app: AppState) {
        guard app.focus == .outputs, app.pictures.enabled, let job, !job.outputs.isEmpty else { return }
        let inner = outputs.inset(1)
        let index = min(app.pictures.outputIndex, job.outputs.count - 1)
        let start = min(app.scroll, max(0, job.outputs.count - inner.height))
        let row = inner.y + index - start
        guard row >= inner.y, row < inner.maxY else { return }
        for x in inner.x..<inner.maxX {
            var cell = c[x, row]
            cell.style.reverse = true
            c[x, row] = cell
        }
    }

    /// The thumbnail in the pane beside the node bars.
    static func draw(
        _ c: inout Canvas, _ pane: Rect, promptID: String, file: OutputFile, _ app: AppState, glyphs g: Glyphs
    ) {
        let inner = c.box(pane, title: "Output", focused: true, glyphs: g)
        guard inner.height > 1, inner.width > 2 else { return }
        let area = PreviewPane.pictureArea(pane)
        let wanted = PictureRequest(
            slot: .output, source: .output(promptID: promptID, file: file), columns: area.width, rows: area.height)
        if app.overlay == .none, let shown = app.pictures.picture(.output, for: wanted) {
            if shown.drawable {
                PreviewPane.place(&c, shown, in: area)
            } else if let failure = shown.failure {
                PreviewPane.wrap(&c, "cannot show it: \(failure)", in: area, role: .msgWarning)
            }
        } else if app.overlay == .none {
            PreviewPane.wrap(&c, "loading\(g.ellipsis)", in: area, role: .dim)
        }
        let caption = TerminalText.sanitize(file.filename) + "  Enter views"
        c.put(inner.x, min(inner.maxY - 1, area.maxY), caption, Style(.dim), maxX: inner.maxX)
    }
}
