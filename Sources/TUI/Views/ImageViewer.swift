import ComfyClient
import Foundation

/// The full-screen viewer: one output of a job, fitted to the terminal, with its name and the keys.
enum ImageViewer {
    /// The picture's area: the whole screen but the title and the key line.
    static func area(width: Int, height: Int) -> Rect { Rect(x: 0, y: 1, width: width, height: height - 2) }

    /// The image outputs of a job (the viewer steps through these).
    static func images(_ job: MonitorJob) -> [OutputFile] { job.outputs.filter(isImage) }

    static func isImage(_ file: OutputFile) -> Bool {
        let name = file.filename.lowercased()
        return [".png", ".jpg", ".jpeg", ".webp", ".gif", ".bmp"].contains { name.hasSuffix($0) }
    }

    static func request(_ viewer: PictureState.Viewer, _ m: MonitorState, width: Int, height: Int) -> PictureRequest? {
        guard let job = m.jobs[viewer.promptID] else { return nil }
        let files = images(job)
        guard files.indices.contains(viewer.index) else { return nil }
        let a = area(width: width, height: height)
        guard a.width > 0, a.height > 0 else { return nil }
        return PictureRequest(
            slot: .viewer, source: .output(promptID: job.id, file: files[viewer.index]), columns: a.width,
            rows: a.height)
    }

    static func draw(
        _ c: inout Canvas, _ viewer: PictureState.Viewer, _ m: MonitorState, _ app: AppState, glyphs g: Glyphs
    ) {
        c.fill(Rect(x: 0, y: 0, width: c.width, height: c.height))
        let files = m.jobs[viewer.promptID].map(images) ?? []
        let name =
            files.indices.contains(viewer.index)
            ? TerminalText.sanitize(files[viewer.index].filename) : "no image outputs"
        let position = files.isEmpty ? "" : " (\(viewer.index + 1)/\(files.count))"
        c.fill(Rect(x: 0, y: 0, width: c.width, height: 1), Style(.header))
        c.put(1, 0, "\(name)\(position)  job \(viewer.promptID.prefix(8))", Style(.header, bold: true), maxX: c.width)
        let keys = "\(g.ascii ? "<-/->" : "←/→") step  d download  y copy path  Esc/q close"
        c.fill(Rect(x: 0, y: c.height - 1, width: c.width, height: 1), Style(.main))
        c.put(1, c.height - 1, keys, Style(.dim), maxX: c.width)
        let a = area(width: c.width, height: c.height)
        let wanted = request(viewer, m, width: c.width, height: c.height)
        guard wanted != nil else {
            PreviewPane.wrap(&c, "this job has no image outputs", in: a.inset(1), role: .dim)
            return
        }
        if let shown = app.pictures.picture(.viewer, for: wanted) {
            if shown.drawable {
                PreviewPane.place(&c, shown, in: a)
            } else if let failure = shown.failure {
                PreviewPane.wrap(&c, "cannot show the image: \(failure)", in: a.inset(1), role: .msgWarning)
            }
        } else {
            PreviewPane.wrap(&c, "loading\(g.ellipsis)", in: a.inset(1), role: .dim)
        }
    }
}
