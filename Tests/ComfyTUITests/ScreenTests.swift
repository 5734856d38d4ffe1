import ComfyClient
import ComfyJSON
import Foundation
import Testing

@testable import ComfyTUI

/// A fixed scene: our running job (KSampler 9/20), a pending browser job, a finished anonymous job with outputs,
/// and a failed one; a fixed clock.
enum Scene {
    static let t0 = Date(timeIntervalSince1970: 1_800_000_000)

    static func json(_ text: String) -> JSONValue { (try? JSONValue.parse(text)) ?? .null }

    static func item(_ id: String, _ n: Int, client: String?, prompt: JSONValue) -> QueueItem? {
        QueueItem(
            .array([.int(n), .string(id), prompt, client.map { .obj(("client_id", .string($0))) } ?? .object([]), []]))
    }

    static func state() -> MonitorState {
        NSTimeZone.default = TimeZone(identifier: "UTC") ?? .current
        var s = MonitorState(serverURL: "http://gpu-box:8188", ownClientID: "me")
        func feed(_ input: MonitorInput, _ at: Double) { s = s.reduce(input, now: t0.addingTimeInterval(at)).0 }
        let txt = JSONValue.obj(
            ("4", .obj(("class_type", "CheckpointLoaderSimple"), ("_meta", .obj(("title", "Load Checkpoint"))))),
            ("6", .obj(("class_type", "CLIPTextEncode"), ("_meta", .obj(("title", "Positive"))))),
            ("3", .obj(("class_type", "KSampler"))), ("8", .obj(("class_type", "VAEDecode"))),
            ("9", .obj(("class_type", "SaveImage"))))
        let slow = JSONValue.obj(
            ("1", .obj(("class_type", "EmptyImage"))), ("2", .obj(("class_type", "SlowSteps"))),
            ("3", .obj(("class_type", "SaveImage"))))
        feed(.connection(.connected(sid: "me")), 0)
        let stats =
            #"{"system": {"comfyui_version": "0.3.64"}, "devices": [{"name": "cuda:0", "type": "cuda", "vram_total": 25769803776, "vram_free": 17179869184}]}"#
        feed(.systemStats(SystemStats(json(stats))), 0)
        // An anonymous job that finished, and one that failed.
        for (id, n) in [("anon0001-0000", 1), ("fail0001-0000", 2)] {
            feed(
                .queue(QueueSnapshot(running: [item(id, n, client: nil, prompt: slow)].compactMap { $0 }, pending: [])),
                1)
        }
        feed(.queue(QueueSnapshot(running: [], pending: [])), 2)
        let anon =
            #"{"outputs": {"3": {"images": [{"filename": "noclient_00001_.png", "subfolder": "monitor_test", "type": "output"}]}}, "status": {"status_str": "success", "completed": true, "messages": []}}"#
        feed(.history(promptID: "anon0001-0000", HistoryItem(promptID: "anon0001-0000", json: json(anon))), 3)
        let fail =
            #"{"outputs": {}, "status": {"status_str": "error", "completed": false, "messages": [["execution_error", {"prompt_id": "fail0001-0000", "node_id": "2", "node_type": "SlowSteps", "exception_type": "RuntimeError", "exception_message": "out of memory\n", "traceback": ["  File \"nodes.py\", line 1, in run\n"]}]]}}"#
        feed(.history(promptID: "fail0001-0000", HistoryItem(promptID: "fail0001-0000", json: json(fail))), 4)
        // Ours runs; a browser job waits.
        let ours = item("ours0001-0000", 3, client: "me", prompt: txt)
        let theirs = item("brws0001-0000", 4, client: "browser-tab", prompt: txt)
        feed(.queue(QueueSnapshot(running: [ours].compactMap { $0 }, pending: [theirs].compactMap { $0 })), 10)
        feed(.event(.executionCached(promptID: "ours0001-0000", nodes: ["4"], timestamp: nil)), 10)
        feed(.event(.executing(promptID: "ours0001-0000", node: "6", displayNode: "6")), 10)
        feed(.event(.executing(promptID: "ours0001-0000", node: "3", displayNode: "3")), 11)
        for step in 1...9 {
            feed(
                .event(.progress(promptID: "ours0001-0000", node: "3", value: Double(step), max: 20)),
                11 + Double(step) * 0.5)
        }
        return s
    }

    static func render(_ w: Int, _ h: Int, ascii: Bool = false, app: AppState = AppState()) -> Canvas {
        let m = state()
        let now = t0.addingTimeInterval(16)
        return Screen.render(
            app: AppUpdate.settle(app, m, now: now), monitor: m, now: now, width: w, height: h,
            glyphs: Glyphs(ascii: ascii))
    }
}

extension Canvas {
    struct StyledText { var rows: [String] }
}

@Suite("Screens")
struct ScreenTests {
    static let golden = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden")

    func compare(_ canvas: Canvas, _ name: String) throws {
        let text = canvas.lines.joined(separator: "\n") + "\n"
        let url = Self.golden.appendingPathComponent(name)
        if ProcessInfo.processInfo.environment["RECORD_SNAPSHOTS"] != nil
            || !FileManager.default.fileExists(atPath: url.path)
        {
            try text.write(to: url, atomically: true, encoding: .utf8)
            return
        }
        let expected = try String(contentsOf: url, encoding: .utf8)
        #expect(text == expected, "\(name) differs from the golden screen (RECORD_SNAPSHOTS=1 re-records)")
    }

    @Test("120×40: header, queue with sources, our job's nodes with bars and ETA, outputs, hints")
    func large() throws {
        let c = Scene.render(120, 40)
        try compare(c, "monitor-120x40.txt")
        let text = c.lines.joined(separator: "\n")
        #expect(text.contains("ComfyUI 0.3.64") && text.contains("live") && text.contains("VRAM 8.0/24.0 GiB"))
        #expect(text.contains("running ours0001") && text.contains("own") && text.contains("pending brws0001"))
        #expect(text.contains("other"))
        #expect(text.contains("9/20"))
        #expect(text.contains("≡ Load Checkpoint 4"))
        #expect(text.contains("q quit"))
    }

    @Test("80×24 in ASCII: the same facts, no Unicode glyphs")
    func small() throws {
        let c = Scene.render(80, 24, ascii: true)
        try compare(c, "monitor-80x24-ascii.txt")
        #expect(c.lines.allSatisfy { $0.unicodeScalars.allSatisfy { $0.isASCII } })
        #expect(c.lines.joined().contains("9/20"))
    }

    /// Each row as runs of `{fg/bg/attributes}text`, with the looks a depth resolves to.
    func styled(_ c: Canvas, _ depth: ColorDepth) -> Canvas.StyledText {
        let looks = Theme.default.resolve(depth)
        var rows: [String] = []
        for y in 0..<c.height {
            var row = ""
            var current: String?
            for x in 0..<c.width {
                let cell = c[x, y]
                let look = looks[cell.style.role] ?? ResolvedLook(fg: -1, bg: -1, attributes: [])
                var attrs = look.attributes
                if cell.style.bold { attrs.insert(.bold) }
                if cell.style.reverse { attrs.insert(.reverse) }
                let tag = "{\(look.fg)/\(look.bg)/\(attrs.rawValue)}"
                if tag != current {
                    row += tag
                    current = tag
                }
                row += cell.text
            }
            rows.append(row)
        }
        return Canvas.StyledText(rows: rows)
    }

    @Test("80×24 styled at 256 colours, 8 colours and mono", arguments: [ColorDepth.c256, .c8, .mono])
    func styledDepths(depth: ColorDepth) throws {
        let text = styled(Scene.render(80, 24), depth).rows.joined(separator: "\n") + "\n"
        let url = Self.golden.appendingPathComponent("monitor-80x24-\(depth.rawValue).styled.txt")
        if ProcessInfo.processInfo.environment["RECORD_SNAPSHOTS"] != nil
            || !FileManager.default.fileExists(atPath: url.path)
        {
            try text.write(to: url, atomically: true, encoding: .utf8)
            return
        }
        #expect(text == (try String(contentsOf: url, encoding: .utf8)), "styled golden at \(depth) differs")
        if depth == .mono { #expect(!text.contains("{1/") && !text.contains("{2/")) }
    }

    @Test("20×6: the too-small screen, which says what is needed")
    func tiny() throws {
        let c = Scene.render(20, 6)
        try compare(c, "monitor-20x6.txt")
        #expect(c.lines.joined(separator: "\n").contains("20×6, need ≥ 40×10"))
        #expect(c.lines.joined().contains("q quits"))
    }

    @Test("the failed job's details show the node, the error and the traceback")
    func details() throws {
        var app = AppState()
        app.follow = false
        app.selectedID = "fail0001-0000"
        app.overlay = .details("fail0001-0000")
        let text = Scene.render(100, 30, app: app).lines.joined(separator: "\n")
        #expect(text.contains("node 2 SlowSteps: RuntimeError"))
        #expect(text.contains("out of memory"))
        #expect(text.contains("File \"nodes.py\", line 1"))
    }

    @Test("state is never shown by colour alone: each state has its own glyph and word; mono keeps emphasis")
    func states() {
        let g = Glyphs(ascii: false)
        let glyphs = [JobState.pending, .running, .success, .failed, .interrupted].map { Symbols.job($0, g).0 }
        #expect(Set(glyphs).count == 5)
        let mono = Theme.default.resolve(.mono)
        #expect(mono[.stateFailed] != mono[.stateDone])
        for depth in [ColorDepth.c256, .c16, .c8] {
            let looks = Theme.default.resolve(depth)
            #expect(looks[.stateFailed]?.fg != looks[.stateDone]?.fg, "\(depth)")
        }
    }

    @Test("keys: interrupt asks first; y sends it; read-only refuses; cancel only for pending jobs")
    func keys() {
        let m = Scene.state()
        let now = Scene.t0.addingTimeInterval(16)
        var app = AppUpdate.settle(AppState(), m, now: now)
        var effects: [AppEffect]
        (app, effects) = AppUpdate.update(app, key: .char("i"), monitor: m, now: now)
        #expect(effects.isEmpty)
        guard case .confirm(.interrupt, "ours0001-0000", _) = app.overlay else {
            Issue.record("no confirmation")
            return
        }
        (app, effects) = AppUpdate.update(app, key: .char("y"), monitor: m, now: now)
        #expect(effects == [.interrupt("ours0001-0000")])
        (app, effects) = AppUpdate.update(app, key: .char("x"), monitor: m, now: now)
        #expect(effects.isEmpty && app.note?.contains("pending") == true)
        (app, _) = AppUpdate.update(app, key: .down, monitor: m, now: now)
        #expect(app.selectedID == "brws0001-0000" && !app.follow)
        (app, _) = AppUpdate.update(app, key: .char("x"), monitor: m, now: now)
        (app, effects) = AppUpdate.update(app, key: .char("n"), monitor: m, now: now)
        #expect(effects.isEmpty && app.note == "not done")
        var readOnly = AppUpdate.settle(AppState(readOnly: true), m, now: now)
        (readOnly, effects) = AppUpdate.update(readOnly, key: .char("i"), monitor: m, now: now)
        #expect(effects.isEmpty && readOnly.overlay == .none && readOnly.note?.contains("read-only") == true)
        (app, _) = AppUpdate.update(app, key: .char("q"), monitor: m, now: now)
        #expect(app.quit)
    }

    @Test("the loop draws only when something visible changed")
    func drawsOnlyOnChange() async throws {
        let api = try ComfyAPI(endpoint: try Endpoint(url: "http://127.0.0.1:1"))
        let session = MonitorSession(api: api)
        let appRunner = MonitorApp(
            session: session, options: MonitorOptions(ascii: false, downloadDirectory: URL(fileURLWithPath: "/tmp")),
            initial: Scene.state())
        let terminal = MemoryTerminal(width: 80, height: 24)
        appRunner.loop(terminal, maxFrames: 20)
        #expect(terminal.frames <= 2)
        terminal.keys = [.char("?")]
        appRunner.loop(terminal, maxFrames: 3)
        #expect(terminal.screen?.lines.joined().contains("Keys") == true)
        await api.shutdown()
    }
}
