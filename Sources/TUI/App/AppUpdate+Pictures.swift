import ComfyClient
import Foundation

/// The pictures' part of the one update: their keys, and what the renderer is asked for after each message.
extension AppUpdate {
    /// Keys the pictures take before the key table: all keys while the viewer is open; `p` and `v`; arrows and
    /// Enter on the outputs pane. Nil: not a picture key.
    static func pictureKey(_ m: inout AppModel, _ key: Key) -> [AppEffect]? {
        guard m.app.pictures.enabled, m.app.screen == .monitor, !m.app.editingFilter else { return nil }
        if let viewer = m.app.pictures.viewer { return viewerKey(&m, viewer, key) }
        guard m.app.overlay == .none else { return nil }
        switch key {
        case .char("p"):
            let shown = PreviewPane.rect(m.app, m.monitor, now: m.now, width: m.width, height: m.height) != nil
            m.app.pictures.pane = shown ? .hidden : .shown
            if !shown, PreviewPane.rect(m.app, m.monitor, now: m.now, width: m.width, height: m.height) == nil {
                m.app.note = "the terminal is too small for the preview pane"
            }
            return []
        case .char("v"):
            openViewer(&m, index: m.app.focus == .outputs ? m.app.pictures.outputIndex : 0)
            return []
        case .enter where m.app.focus == .outputs:
            openViewer(&m, index: m.app.pictures.outputIndex)
            return []
        case .up where m.app.focus == .outputs, .char("k") where m.app.focus == .outputs:
            m.app.pictures.outputIndex = max(0, m.app.pictures.outputIndex - 1)
            m.app.scroll = m.app.pictures.outputIndex
            return []
        case .down where m.app.focus == .outputs, .char("j") where m.app.focus == .outputs:
            let count = m.app.selectedID.flatMap { m.monitor.jobs[$0] }?.outputs.count ?? 0
            m.app.pictures.outputIndex = min(max(0, count - 1), m.app.pictures.outputIndex + 1)
            m.app.scroll = m.app.pictures.outputIndex
            return []
        default: return nil
        }
    }

    static func openViewer(_ m: inout AppModel, index: Int) {
        guard let id = m.app.selectedID, let job = m.monitor.jobs[id] else {
            m.app.note = "select a job to view its outputs"
            return
        }
        let files = ImageViewer.images(job)
        guard !files.isEmpty else {
            m.app.note = job.state.isFinished ? "this job has no image outputs" : "no image outputs yet"
            return
        }
        // The outputs pane lists every file; the viewer steps through the images among them.
        let chosen = job.outputs.indices.contains(index) ? job.outputs[index] : files[0]
        m.app.pictures.viewer = PictureState.Viewer(promptID: id, index: files.firstIndex(of: chosen) ?? 0)
    }

    static func viewerKey(_ m: inout AppModel, _ viewer: PictureState.Viewer, _ key: Key) -> [AppEffect] {
        let files = m.monitor.jobs[viewer.promptID].map(ImageViewer.images) ?? []
        var v = viewer
        switch key {
        case .escape, .char("q"), .char("v"):
            m.app.pictures.viewer = nil
            m.app.pictures.shown[.viewer] = nil
            m.app.pictures.asked[.viewer] = nil
            return []
        case .right, .down, .char("l"), .char("j"), .char(" "), .pageDown:
            v.index = min(max(0, files.count - 1), v.index + 1)
        case .left, .up, .char("h"), .char("k"), .pageUp:
            v.index = max(0, v.index - 1)
        case .home: v.index = 0
        case .end: v.index = max(0, files.count - 1)
        case .char("d"):
            return [.download(viewer.promptID)]
        case .char("y"):
            guard files.indices.contains(v.index) else { return [] }
            let file = files[v.index]
            let path = (file.subfolder.isEmpty ? "" : file.subfolder + "/") + file.filename
            m.app.notice = Notice("copied \(path.prefix(40)) to the clipboard (OSC 52)", .success, time: m.now)
            return [.copy(path)]
        case .controlC:
            m.app.quit = true
            m.app.quitSignal = SIGINT
        default: break
        }
        m.app.pictures.viewer = v
        return []
    }

    /// After each message: for each slot on screen, ask once for the picture it needs (nothing when nothing is
    /// on screen, so a screen without pictures costs nothing here).
    static func pictureRequests(_ m: inout AppModel) -> [AppEffect] {
        let p = m.app.pictures
        guard p.enabled else { return [] }
        var wanted: [PictureSlot: PictureRequest] = [:]
        if m.app.screen == .history {
            wanted[.history] = HistoryPicture.request(m)
        } else if let viewer = p.viewer {
            wanted[.viewer] = ImageViewer.request(viewer, m.monitor, width: m.width, height: m.height)
        } else if m.app.overlay == .none, OutputPicture.selected(m.app, m.monitor) != nil {
            wanted[.output] = OutputPicture.request(m)
        } else if m.app.overlay == .none, PreviewPane.wanted(m.app, m.monitor),
            let pane = PreviewPane.rect(m.app, m.monitor, now: m.now, width: m.width, height: m.height)
        {
            wanted[.pane] = PreviewPane.request(pane, m.app.selectedID.flatMap { m.monitor.jobs[$0] }, m.monitor)
        }
        var effects: [AppEffect] = []
        for slot in PictureSlot.allCases {
            guard let want = wanted[slot] else {
                // Off screen: forget it, so a stale picture is never shown when the slot comes back.
                if p.asked[slot] != nil || p.shown[slot] != nil {
                    m.app.pictures.asked[slot] = nil
                    if slot != .pane { m.app.pictures.shown[slot] = nil }
                }
                continue
            }
            if let shown = p.shown[slot], shown.request.satisfies(want) { continue }
            if let asked = p.asked[slot], asked.satisfies(want) { continue }
            m.app.pictures.asked[slot] = want
            effects.append(.render(want))
        }
        return effects
    }

    /// A picture came back from the renderer.
    static func pictureRendered(_ m: inout AppModel, _ rendered: RenderedPicture) {
        let slot = rendered.request.slot
        m.app.pictures.shown[slot] = rendered
        if let asked = m.app.pictures.asked[slot], rendered.request.satisfies(asked) {
            m.app.pictures.asked[slot] = nil
        }
    }
}
