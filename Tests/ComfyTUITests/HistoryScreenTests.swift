import ComfyClient
import ComfyJSON
import ComfyMock
import Foundation
import Testing

@testable import ComfyTUI

@Suite("History screen")
struct HistoryScreenTests {
    static func store() throws -> LocalHistory {
        let s = try LocalHistory(path: ":memory:")
        let base = 1_800_000_000_000
        var records: [RunRecord] = []
        for (i, text) in ["a red fox in snow", "an old tram in Lisbon", "koi pond, top view"].enumerated() {
            let id = "run\(i)000-0000-0000"
            let ok = i != 1
            let start = base + i * 60_000
            let end = start + (i + 2) * 1000
            let last =
                ok
                ? "[\"execution_success\", {\"prompt_id\": \"\(id)\", \"timestamp\": \(end)}]"
                : "[\"execution_error\", {\"prompt_id\": \"\(id)\", \"node_id\": \"3\", \"exception_type\": \"RuntimeError\", \"exception_message\": \"CUDA out of memory\\n\", \"traceback\": [\"  File \\\"x.py\\\", line 1\\n\"], \"timestamp\": \(end)}]"
            let prompt = MockEngine.demoTextToImage(text, seed: 7 + i, steps: 20).pythonJSON
            let outputs =
                ok
                ? "{\"9\": {\"images\": [{\"filename\": \"img\(i).png\", \"subfolder\": \"out\", \"type\": \"output\"}]}}"
                : "{}"
            let text = """
                {"prompt": [\(i), "\(id)", \(prompt), {}, ["9"]], "outputs": \(outputs), "status": {"status_str": "\(ok ? "success" : "error")", "completed": \(ok), "messages": [["execution_start", {"prompt_id": "\(id)", "timestamp": \(start)}], ["execution_cached", {"nodes": ["4"], "prompt_id": "\(id)", "timestamp": \(start)}], \(last)]}}
                """
            let item = HistoryItem(promptID: id, json: try JSONValue.parse(text))
            records.append(
                RunRecord.stored(
                    server: "http://gpu-box:8188", item: item, source: .own,
                    nodeSeconds: ["3": 1.5, "8": 0.5, "9": 0.1]))
        }
        try s.upsert(records)
        return s
    }

    static func app(_ store: LocalHistory, search: String = "", detail: String? = nil) throws -> AppState {
        var app = AppState()
        app.screen = .history
        var h = HistoryBrowserState(server: "http://gpu-box:8188")
        h.query.text = search
        h.refresh(store)
        if let detail { h.detail = try store.record(server: "http://gpu-box:8188", promptID: detail) }
        app.history = h
        return app
    }

    func compare(_ canvas: Canvas, _ name: String) throws {
        try ScreenTests().compare(canvas, name)
    }

    @Test("the list: status glyph, finished time, duration, prompt (or the error), checkpoint, size, outputs")
    func list() throws {
        let m = Scene.state()
        let canvas = Screen.render(
            app: try Self.app(try Self.store()), monitor: m, now: Scene.t0, width: 120, height: 16,
            glyphs: Glyphs(ascii: false))
        try compare(canvas, "history-120x16.txt")
        let text = canvas.lines.joined(separator: "\n")
        #expect(text.contains("History · 3 runs"))
        #expect(
            text.contains("koi pond, top view") && text.contains("CUDA out of memory") && text.contains("1024×1024"))
        #expect(text.contains("local store: 3 runs"))
    }

    @Test("search narrows the list as you type")
    func search() throws {
        let m = Scene.state()
        let store = try Self.store()
        var app = try Self.app(store)
        var effects: [AppEffect]
        (app, _) = AppUpdate.update(app, key: .char("/"), monitor: m, now: Scene.t0)
        for c in "lisb" {
            (app, effects) = AppUpdate.update(app, key: .char(c), monitor: m, now: Scene.t0)
            #expect(app.history.map { effects == [.queryHistory($0.query)] } == true)
            app.history?.refresh(store)
        }
        #expect(app.history?.rows.map(\.promptID) == ["run1000-0000-0000"])
        (app, _) = AppUpdate.update(app, key: .enter, monitor: m, now: Scene.t0)
        (app, effects) = AppUpdate.update(app, key: .enter, monitor: m, now: Scene.t0)
        #expect(effects == [.openRecord("run1000-0000-0000")])
        (app, effects) = AppUpdate.update(app, key: .char("R"), monitor: m, now: Scene.t0)
        (app, effects) = AppUpdate.update(app, key: .char("y"), monitor: m, now: Scene.t0)
        #expect(effects == [.requeue("run1000-0000-0000", newSeed: true)])
    }

    @Test("the detail: a timeline bar per node (cached marked), the error with traceback, outputs and the graph")
    func detail() throws {
        let m = Scene.state()
        let canvas = Screen.render(
            app: try Self.app(try Self.store(), detail: "run1000-0000-0000"), monitor: m, now: Scene.t0, width: 100,
            height: 40,
            glyphs: Glyphs(ascii: false))
        try compare(canvas, "history-detail-100x40.txt")
        let text = canvas.lines.joined(separator: "\n")
        #expect(text.contains("≡ Load Checkpoint 4") && text.contains("cached"))
        #expect(text.contains("KSampler 3") && text.contains("1.5s"))
        #expect(text.contains("error: node 3: RuntimeError: CUDA out of memory"))
        #expect(text.contains("File \"x.py\", line 1"))
        #expect(text.contains("3 KSampler: seed=8"))
    }

    @Test("the list pages on: moving near the end of the loaded rows loads the next ones")
    func paging() throws {
        let s = try LocalHistory(path: ":memory:")
        let template = try Self.store().record(server: "http://gpu-box:8188", promptID: "run0000-0000-0000")
        var records: [RunRecord] = []
        for i in 0..<1_200 {
            guard var r = template else { break }
            r.promptID = "p\(i)"
            r.endedAt = 1_800_000_000_000 + i * 1000
            records.append(r)
        }
        try s.upsert(records)
        var app = try Self.app(s)
        #expect(app.history?.rows.count == 500 && app.history?.total == 1_200)
        var effects: [AppEffect] = []
        for _ in 0..<30 {
            (app, effects) = AppUpdate.update(app, key: .pageDown, monitor: Scene.state(), now: Scene.t0, pageSize: 20)
            if effects.contains(where: { if case .queryHistory = $0 { true } else { false } }) {
                app.history?.refresh(s)
            }
        }
        #expect(app.history?.rows.count == 1_000)
        #expect(app.history?.selected == 600)
    }

    @Test("OSC 52 copies through the terminal, wrapped for tmux")
    func clipboard() {
        #expect(Clipboard.osc52("abc", environment: [:]) == "\u{1B}]52;c;YWJj\u{07}")
        #expect(Clipboard.osc52("abc", environment: ["TMUX": "1"]).hasPrefix("\u{1B}Ptmux;\u{1B}\u{1B}]52;c;YWJj"))
    }
}

extension RunRecord {
    /// A record of a history entry with the source and node timings a test wants.
    static func stored(server: String, item: HistoryItem, source: JobSource, nodeSeconds: [String: Double] = [:])
        -> RunRecord
    {
        guard var record = RunRecord(server: server, item: item) else { fatalError("a finished entry") }
        record.source = source
        record.nodeSeconds = nodeSeconds
        return record
    }
}
