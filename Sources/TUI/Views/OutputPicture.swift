import ComfyClient
import Foundation

/// The selected output's image in the outputs pane, while that pane has the focus (Tab): the row is marked and
/// the thumbnail drawn at the pane's right end.
enum OutputPicture {
    static let minRows = 4

    /// Where the thumbnail goes in the outputs pane (nil: the pane is too small).
    static func area(_ outputs: Rect) -> Rect? {
        let inner = outputs.inset(1)
        guard inner.height >= minRows else { return nil }
        let width = min(inner.height * 2, inner.width / 3)
        guard width >= 8 else { return nil }
        return Rect(x: inner.maxX - width, y: inner.y, width: width, height: inner.height)
    }

    static func outputsRect(_ m: AppModel) -> Rect? {
        let jobs = AppUpdate.visibleJobs(m.app, m.monitor, now: m.now)
        let selected = m.app.selectedID.flatMap { m.monitor.jobs[$0] }
        let layout = Layout(
            width: m.width, height: m.height, queueRows: jobs.count, outputRows: selected?.outputs.count ?? 0)
        return layout.tooSmall ? nil : layout.outputs
    }

    static func request(_ m: AppModel) -> PictureRequest? {
        guard let job = m.app.selectedID.flatMap({ m.monitor.jobs[$0] }),
            job.outputs.indices.contains(m.app.pictures.outputIndex),
            ImageViewer.isImage(job.outputs[m.app.pictures.outputIndex]),
            let rect = outputsRect(m), let area = area(rect)
        else { return nil }
        return PictureRequest(
            slot: .output, source: .output(promptID: job.id, file: job.outputs[m.app.pictures.outputIndex]),
            columns: area.width, rows: area.height)
    }

    static func draw(_ c: inout Canvas, _ outputs: Rect, _ job: MonitorJob?, _ app: AppState) {
        guard app.focus == .outputs, app.pictures.enabled, let job, !job.outputs.isEmpty else { return }
        let inner = outputs.inset(1)
        let index = min(app.pictures.outputIndex, job.outputs.count - 1)
        let start = min(app.scroll, max(0, job.outputs.count - inner.height))
        let row = inner.y + index - start
        if row >= inner.y, row < inner.maxY {
            for x in inner.x..<inner.maxX {
                var cell = c[x, row]
                cell.style.reverse = true
                c[x, row] = cell
            }
        }
        guard let area = area(outputs), ImageViewer.isImage(job.outputs[index]) else { return }
        let wanted = PictureRequest(
            slot: .output, source: .output(promptID: job.id, file: job.outputs[index]), columns: area.width,
            rows: area.height)
        c.fill(area)
        if let shown = app.pictures.picture(.output, for: wanted) {
            if let picture = shown.picture {
                PreviewPane.place(&c, picture, in: area)
            } else if let failure = shown.failure {
                PreviewPane.wrap(&c, failure, in: area, role: .msgWarning)
            }
        }
    }
}
