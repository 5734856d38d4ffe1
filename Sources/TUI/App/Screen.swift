import ComfyClient
import Foundation

/// `view(model)`: the whole frame from the monitor and app states. Pure, so every screen can be tested.
public enum Screen {
    public static func render(
        app: AppState, monitor m: MonitorState, now: Date, width: Int, height: Int, glyphs g: Glyphs
    ) -> Canvas {
        var c = Canvas(width: width, height: height)
        let jobs = AppUpdate.visibleJobs(app, m, now: now)
        let selected = app.selectedID.flatMap { m.jobs[$0] }
        let layout = Layout(
            width: width, height: height, queueRows: jobs.count, outputRows: selected?.outputs.count ?? 0)
        if layout.tooSmall {
            Overlays.tooSmall(&c)
            return c
        }
        if let viewer = app.pictures.viewer, app.screen == .monitor {
            ImageViewer.draw(&c, viewer, m, app, glyphs: g)
            return c
        }
        HeaderView.draw(&c, layout.header, m, now: now, glyphs: g)
        if app.screen == .history, let history = app.history {
            let body = Rect(x: 0, y: 1, width: width, height: height - 1 - (layout.message == nil ? 1 : 2))
            HistoryView.draw(&c, body, history, m, now: now, glyphs: g)
            HistoryPicture.draw(&c, body, app)
            if let message = layout.message { Overlays.message(&c, message, m, app, now: now) }
            Overlays.historyFooter(&c, layout.footer, app)
            if app.overlay == .help { Overlays.help(&c, glyphs: g, readOnly: app.readOnly) }
            if case .confirm(_, _, let question) = app.overlay { Overlays.confirm(&c, question: question, glyphs: g) }
            return c
        }
        QueueView.draw(&c, layout.queue, m, app, jobs: jobs, now: now, glyphs: g)
        // The preview pane takes the job pane's right part while it is shown.
        let (jobRect, pane) = PreviewPane.split(layout.job, app, m)
        JobView.draw(&c, jobRect, m, selected, app, now: now, glyphs: g)
        if let pane { PreviewPane.draw(&c, pane, m, selected, app, glyphs: g) }
        if let outputs = layout.outputs {
            OutputsView.draw(&c, outputs, selected, app, glyphs: g)
            OutputPicture.mark(&c, outputs, selected, app)
        }
        if let message = layout.message { Overlays.message(&c, message, m, app, now: now) }
        Overlays.footer(&c, layout.footer, app, glyphs: g)
        switch app.overlay {
        case .none: break
        case .help: Overlays.help(&c, glyphs: g, readOnly: app.readOnly)
        case .details(let id): if let job = m.jobs[id] { Overlays.details(&c, job, scroll: app.scroll, glyphs: g) }
        case .confirm(_, _, let question): Overlays.confirm(&c, question: question, glyphs: g)
        }
        return c
    }
}
