import ComfyClient
import ComfyImages
import ComfyJSON
import Foundation
import Testing

@testable import ComfyTUI

/// The preview pane, the outputs thumbnail and the viewer: keys, requests, layouts and golden screens.
@Suite("Pictures")
struct PictureTests {
    static let now = Scene.t0.addingTimeInterval(16)

    /// The scene with `frames` preview frames of our running job noted (bytes are not needed by the model).
    static func model(width: Int = 120, height: Int = 40, frames: Int = 1) -> AppModel {
        var state = Scene.state()
        for n in 0..<frames { state.notePreview(of: "ours0001-0000", seq: n + 1, nodeID: "3", now: now) }
        var m = AppModel(monitor: state, now: now, width: width, height: height)
        m.app = AppUpdate.settle(m.app, state, now: now)
        return m
    }

    /// A smooth test picture: a gradient with a disc, as JPEG (what the server sends).
    static func jpeg(width: Int = 64, height: Int = 64) throws -> [UInt8] {
        let image = RGBImage(width: width, height: height) { x, y in
            let dx = x - width / 2, dy = y - height / 2
            let inDisc = dx * dx + dy * dy < (width / 4) * (width / 4)
            return inDisc ? (240, 200, 40) : (UInt8(x * 255 / width), UInt8(y * 255 / height), 140)
        }
        return try ImageCodec.encodeJPEG(image, quality: 90)
    }

    static func rendered(_ request: PictureRequest, depth: ColorDepth = .c256) throws -> RenderedPicture {
        PictureWorker.render(try jpeg(), request, depth: depth, symbols: .quadrant)
    }

    @Test("no preview ever sent: the pane is not there and the screen keeps its layout")
    func noPaneWithoutPreviews() {
        var m = Self.model(frames: 0)
        let effects = AppUpdate.pictureRequests(&m)
        #expect(effects.isEmpty)
        let plain = Scene.render(120, 40)
        let c = Screen.render(
            app: m.app, monitor: m.monitor, now: Self.now, width: 120, height: 40, glyphs: Glyphs(ascii: false))
        #expect(c == plain)
        #expect(c.pictures.isEmpty)
    }

    @Test("a frame arrives: the pane asks for it once, at the pane's size, and shows it when it comes back")
    func requestAndShow() throws {
        var m = Self.model()
        var (next, effects) = AppUpdate.update(m, .tick(Self.now))
        guard case .render(let request) = effects.first else {
            Issue.record("no render request: \(effects)")
            return
        }
        #expect(request.slot == .pane && request.source == .preview(promptID: "ours0001-0000", seq: 1))
        let pane = try #require(PreviewPane.rect(m.app, m.monitor, now: Self.now, width: 120, height: 40))
        #expect(request.columns == pane.width - 2 && request.rows == (pane.width - 1) / 2, "\(request) in \(pane)")
        // Asked once: the next message asks for nothing more.
        (next, effects) = AppUpdate.update(next, .tick(Self.now))
        #expect(effects.isEmpty)
        // A picture of its own (not libchafa's, whose choices may change with its version): the golden is the
        // pane's layout, caption and placement.
        (next, effects) = AppUpdate.update(next, .picture(Self.synthetic(request)))
        #expect(effects.isEmpty)
        m = next
        let c = Screen.render(
            app: m.app, monitor: m.monitor, now: Self.now, width: 120, height: 40, glyphs: Glyphs(ascii: false))
        #expect(c.pictures.count == 1)
        let text = c.lines.joined(separator: "\n")
        #expect(text.contains("Preview") && text.contains("node 3 · 1 frame"))
        try ScreenTests().compare(c, "preview-120x40.txt")
        // The colours the terminal is given for the picture's cells, row by row, as {fg/bg} runs (256 colours).
        let placed = try #require(c.pictures.first)
        var colours = Canvas(width: 200, height: placed.picture.height + 1)
        colours.put(0, 0, "picture at \(placed.x),\(placed.y) \(placed.picture.width)x\(placed.picture.height)")
        for y in 0..<placed.picture.height {
            var row = ""
            var last = ""
            for x in 0..<placed.picture.width {
                let (_, fg, bg) = placed.picture.cell(x, y)
                let tag = "{\(fg)/\(bg)}"
                if tag != last { row += tag }
                last = tag
            }
            colours.put(0, y + 1, row)
        }
        try ScreenTests().compare(colours, "preview-120x40.colors.txt")
    }

    /// A square test pattern of half blocks in the request's cells (the upper half one colour, the lower another).
    static func synthetic(_ request: PictureRequest) -> RenderedPicture {
        let columns = min(request.columns, request.rows * 2), rows = columns / 2
        let n = columns * rows
        let codes = (0..<n).map { i -> UInt32 in (i / columns + i % columns) % 5 == 0 ? 0x2584 : 0x2580 }
        let fg = (0..<n).map { UInt32(16 + ($0 % columns) * 36 / max(1, columns) * 6) }
        let bg = (0..<n).map { UInt32(232 + ($0 / columns) * 23 / max(1, rows)) }
        return RenderedPicture(
            request: request,
            picture: CellPicture(width: columns, height: rows, depth: .c256, codes: codes, fg: fg, bg: bg))
    }

    @Test("a fast sampler: frames noted while a picture is made ask again for the newest only")
    func coalesced() throws {
        var m = Self.model()
        var effects: [AppEffect]
        (m, effects) = AppUpdate.update(m, .tick(Self.now))
        #expect(effects.count == 1)
        // Ten frames arrive before the picture comes back: each state asks for the newest (the worker keeps one).
        var asked: [Int] = []
        for seq in 2...11 {
            var state = m.monitor
            state.notePreview(of: "ours0001-0000", seq: seq, nodeID: "3", now: Self.now)
            (m, effects) = AppUpdate.update(m, .monitor(state))
            for case .render(let r) in effects { if case .preview(_, let s) = r.source { asked.append(s) } }
        }
        #expect(asked == Array(2...11))
        // The picture that comes back is of the newest frame (the worker reads the newest bytes): nothing more.
        guard case .render(var last) = AppEffect.render(try #require(m.app.pictures.asked[.pane])) else { return }
        last.source = .preview(promptID: "ours0001-0000", seq: 11)
        (m, effects) = AppUpdate.update(m, .picture(try Self.rendered(last)))
        #expect(effects.isEmpty && m.app.pictures.asked[.pane] == nil)
    }

    @Test("p hides the pane and shows it again; a pane too small hides itself")
    func toggle() {
        var m = Self.model()
        (m, _) = AppUpdate.update(m, .key(.char("p")))
        #expect(m.app.pictures.pane == .hidden)
        #expect(PreviewPane.rect(m.app, m.monitor, now: Self.now, width: 120, height: 40) == nil)
        (m, _) = AppUpdate.update(m, .key(.char("p")))
        #expect(m.app.pictures.pane == .shown)
        #expect(PreviewPane.rect(m.app, m.monitor, now: Self.now, width: 120, height: 40) != nil)
        #expect(PreviewPane.rect(m.app, m.monitor, now: Self.now, width: 50, height: 14) == nil)
    }

    @Test("another client's running job: the pane says why there is no preview")
    func whyNotShown() {
        var m = Self.model()
        m.app.selectedID = "brws0001-0000"
        m.app.follow = false
        var state = m.monitor
        state =
            state.reduce(
                .queue(
                    QueueSnapshot(
                        running: [Scene.item("brws0001-0000", 4, client: "browser-tab", prompt: .object([]))].compactMap
                        {
                            $0
                        }, pending: [])), now: Self.now
            ).0
        m.monitor = state
        let c = Screen.render(
            app: m.app, monitor: m.monitor, now: Self.now, width: 120, height: 40, glyphs: Glyphs(ascii: false))
        let text = c.lines.joined(separator: " ")
        #expect(text.contains("ComfyUI sends") && text.contains("queued"))
        #expect(c.pictures.isEmpty)
    }

    @Test("v opens the viewer on the job's images; arrows step; y copies the path; d downloads; Esc closes")
    func viewer() throws {
        var m = Self.model()
        m.app.selectedID = "anon0001-0000"
        m.app.follow = false
        var effects: [AppEffect]
        (m, effects) = AppUpdate.update(m, .key(.char("v")))
        #expect(m.app.pictures.viewer == PictureState.Viewer(promptID: "anon0001-0000", index: 0))
        guard case .render(let request) = effects.last else {
            Issue.record("the viewer asked for no picture: \(effects)")
            return
        }
        #expect(request.slot == .viewer && request.columns == 120 && request.rows == 38)
        (m, _) = AppUpdate.update(m, .key(.right))
        #expect(m.app.pictures.viewer?.index == 0)  // one image only: stays
        (m, effects) = AppUpdate.update(m, .key(.char("y")))
        #expect(effects.contains(.copy("monitor_test/noclient_00001_.png")))
        (m, effects) = AppUpdate.update(m, .key(.char("d")))
        #expect(effects.contains(.download("anon0001-0000")))
        (m, _) = AppUpdate.update(m, .picture(try Self.rendered(request)))
        var c = Screen.render(
            app: m.app, monitor: m.monitor, now: Self.now, width: 120, height: 40, glyphs: Glyphs(ascii: false))
        #expect(c.pictures.count == 1 && c.lines[0].contains("noclient_00001_.png (1/1)"))
        // q closes the viewer, it does not quit.
        (m, _) = AppUpdate.update(m, .key(.char("q")))
        #expect(m.app.pictures.viewer == nil && !m.app.quit)
        c = Screen.render(
            app: m.app, monitor: m.monitor, now: Self.now, width: 120, height: 40, glyphs: Glyphs(ascii: false))
        #expect(c.pictures.count <= 1 && !c.lines[0].contains("noclient"))
    }

    @Test("a resize asks for a picture of the new size; the old one is not drawn at the wrong size")
    func resize() throws {
        var m = Self.model()
        var effects: [AppEffect]
        (m, effects) = AppUpdate.update(m, .tick(Self.now))
        guard case .render(let request) = effects.first else { return }
        (m, _) = AppUpdate.update(m, .picture(try Self.rendered(request)))
        (m, effects) = AppUpdate.update(m, .resize(width: 80, height: 24))
        guard case .render(let small) = effects.first else {
            Issue.record("no new request after the resize")
            return
        }
        #expect(small.columns < request.columns)
        let c = Screen.render(
            app: m.app, monitor: m.monitor, now: Self.now, width: 80, height: 24, glyphs: Glyphs(ascii: false))
        for placed in c.pictures { #expect(placed.rect.maxX <= 80 && placed.rect.maxY <= 24) }
        let tiny = Screen.render(
            app: m.app, monitor: m.monitor, now: Self.now, width: 20, height: 6, glyphs: Glyphs(ascii: false))
        #expect(tiny.pictures.isEmpty)
    }

    @Test(
        "kitty, iTerm2 and sixel: the pane places a graphics-protocol picture over blank cells; an overlay takes it away"
    )
    func graphicsProtocols() throws {
        var m = Self.model()
        var effects: [AppEffect]
        (m, effects) = AppUpdate.update(m, .tick(Self.now))
        guard case .render(let request) = effects.first else { return }
        let kitty = GraphicsChoice(graphics: .kitty, reason: "test")
        let rendered = PictureWorker.encode(try Self.jpeg(), request, graphics: kitty, version: 1)
        let graphic = try #require(rendered.graphic)
        #expect(graphic.bytes.starts(with: Array("\u{1B}_G".utf8)) && graphic.removal != nil)
        #expect(graphic.columns <= request.columns && graphic.rows <= request.rows)
        let sixel = GraphicsChoice(graphics: .sixel, cellSize: CellPixelSize(width: 10, height: 20), reason: "test")
        #expect(PictureWorker.encode(try Self.jpeg(), request, graphics: sixel, version: 2).graphic?.removal == nil)
        let iterm = GraphicsChoice(graphics: .iterm, reason: "test")
        #expect(PictureWorker.encode(try Self.jpeg(), request, graphics: iterm, version: 3).graphic != nil)
        (m, _) = AppUpdate.update(m, .picture(rendered))
        var c = Screen.render(
            app: m.app, monitor: m.monitor, now: Self.now, width: 120, height: 40, glyphs: Glyphs(ascii: false))
        #expect(c.graphics.count == 1 && c.pictures.isEmpty)
        let placed = try #require(c.graphics.first)
        let pane = try #require(PreviewPane.rect(m.app, m.monitor, now: Self.now, width: 120, height: 40))
        #expect(placed.x > pane.x && placed.x + placed.columns < pane.maxX)
        (m, _) = AppUpdate.update(m, .key(.char("?")))
        c = Screen.render(
            app: m.app, monitor: m.monitor, now: Self.now, width: 120, height: 40, glyphs: Glyphs(ascii: false))
        #expect(c.graphics.isEmpty)
    }

    @Test("the history detail shows the run's first image output at its top right (wide screens only)")
    func historyDetail() throws {
        let entry =
            #"{"prompt": [1, "hist0001-0000", {}, {}, []], "outputs": {"9": {"images": [{"filename": "h_00001_.png", "subfolder": "", "type": "output"}]}}, "status": {"status_str": "success", "completed": true, "messages": []}}"#
        let item = HistoryItem(promptID: "hist0001-0000", json: Scene.json(entry))
        var m = Self.model(frames: 0)
        var h = HistoryBrowserState(server: "http://gpu-box:8188")
        h.detail = RunRecord.stored(server: "http://gpu-box:8188", item: item, source: .own)
        m.app.history = h
        m.app.screen = .history
        var effects: [AppEffect]
        (m, effects) = AppUpdate.update(m, .tick(Self.now))
        guard case .render(let request) = effects.first else {
            Issue.record("no request for the history picture: \(effects)")
            return
        }
        #expect(request.slot == .history)
        #expect(request.source == .output(promptID: "hist0001-0000", file: item.outputs[0]))
        (m, _) = AppUpdate.update(m, .picture(Self.synthetic(request)))
        let c = Screen.render(
            app: m.app, monitor: m.monitor, now: Self.now, width: 120, height: 40, glyphs: Glyphs(ascii: false))
        #expect(c.pictures.count == 1 && (c.pictures.first?.x ?? 0) > 60)
        // Back to the monitor: the slot is forgotten.
        (m, _) = AppUpdate.update(m, .key(.char("h")))
        #expect(m.app.pictures.shown[.history] == nil)
        let narrow = Screen.render(
            app: m.app, monitor: m.monitor, now: Self.now, width: 80, height: 24, glyphs: Glyphs(ascii: false))
        #expect(narrow.pictures.isEmpty)
    }

    @Test(
        "the picture looks like the image: mean colour error of the cells against the source",
        arguments: [
            ColorDepth.truecolor, .c256,
        ])
    func likeness(depth: ColorDepth) throws {
        let request = PictureRequest(slot: .pane, source: .preview(promptID: "p", seq: 1), columns: 32, rows: 16)
        let picture = try #require(try Self.rendered(request, depth: depth).picture)
        let source = try ImageCodec.decode(try Self.jpeg()).resized(width: picture.width, height: picture.height)
        // Each cell's colour: the mean of fg and bg weighted by the glyph's ink (quadrants: 0, 1/4 … 1).
        var total = 0.0
        for y in 0..<picture.height {
            for x in 0..<picture.width {
                let (code, fg, bg) = picture.cell(x, y)
                let ink = Self.ink(code)
                let f = Self.rgb(fg, depth), b = Self.rgb(bg, depth)
                let s = source.pixel(x, y)
                let cell = (
                    ink * f.0 + (1 - ink) * b.0, ink * f.1 + (1 - ink) * b.1, ink * f.2 + (1 - ink) * b.2
                )
                total += (abs(cell.0 - Double(s.0)) + abs(cell.1 - Double(s.1)) + abs(cell.2 - Double(s.2))) / 3
            }
        }
        let mean = total / Double(picture.width * picture.height)
        // 256 colours: the 6×6×6 cube's steps are up to 40 apart (error ≤ 20 a channel), plus the cell averaging.
        #expect(mean < 24, "mean colour error \(mean) at \(depth)")
    }

    static func ink(_ code: UInt32) -> Double {
        switch code {
        case 0x20: return 0
        case 0x2588: return 1
        case 0x2580, 0x2584, 0x258C, 0x2590, 0x259A, 0x259E: return 0.5
        case 0x2596, 0x2597, 0x2598, 0x259D: return 0.25
        case 0x2599, 0x259B, 0x259C, 0x259F: return 0.75
        default: return 0.5
        }
    }

    static func rgb(_ value: UInt32, _ depth: ColorDepth) -> (Double, Double, Double) {
        if value == UInt32(bitPattern: -1) { return (0, 0, 0) }
        if depth == .truecolor {
            return (Double(value >> 16 & 0xFF), Double(value >> 8 & 0xFF), Double(value & 0xFF))
        }
        let (r, g, b) = XtermPalette.rgb(UInt8(truncatingIfNeeded: value))
        return (Double(r), Double(g), Double(b))
    }
}
