import ComfyClient
import ComfyJSON
import Foundation
import Testing

@testable import ComfyTUI

@Suite("Screen runtime")
struct RuntimeTests {
    static func app(reader: (any HistoryReader)? = nil, log: String? = nil) throws -> (MonitorApp, ComfyAPI) {
        let api = try ComfyAPI(endpoint: try Endpoint(url: "http://127.0.0.1:1"))
        var options = MonitorOptions(ascii: false, downloadDirectory: URL(fileURLWithPath: NSTemporaryDirectory()))
        options.logFile = log
        let app = MonitorApp(
            session: MonitorSession(api: api), options: options,
            initial: MonitorState(serverURL: "http://gpu-box:8188", ownClientID: "me"), reader: reader)
        return (app, api)
    }

    @Test(
        "an action's level comes from its case, never from its words",
        arguments: [
            (ActionResult.interruptSent(id: "abcdefgh1"), MonitorState.Message.Level.success),
            (.removedFromQueue(id: "abcdefgh1"), .success),
            (.requeued(new: "n", from: "o", newSeed: true), .success),
            (.deletedFromHistory(id: "x"), .success),
            (.downloaded(id: "x", saved: ["/tmp/a.png"], refused: [], directory: "/tmp"), .success),
            (.downloaded(id: "x", saved: ["/tmp/a.png"], refused: ["../evil"], directory: "/tmp"), .warning),
            (.downloaded(id: "x", saved: [], refused: ["../evil"], directory: "/tmp"), .error),
            (.noOutputs(id: "x"), .warning), (.notInStore(id: "x"), .warning), (.notInHistory(id: "x"), .warning),
            // Words that once made a guess say "failed" go with success, and the reverse.
            (.requeued(new: "failed", from: "failed", newSeed: false), .success),
            (.failed(.download, id: "x", .io(path: "/x", detail: "disk full")), .error),
        ])
    func levels(result: ActionResult, level: MonitorState.Message.Level) {
        #expect(result.level == level)
        let model = AppModel(monitor: Scene.state(), now: Scene.t0, width: 80, height: 24)
        let (next, _) = AppUpdate.update(model, .action(result))
        #expect(next.app.notice == Notice(result.words, level, time: Scene.t0))
    }

    @Test("a refused download name is listed, escaped, with what was saved")
    func refusedNames() {
        let result = ActionResult.downloaded(
            id: "x", saved: ["/out/a.png", "/out/b.png"], refused: ["../\u{1B}]52;c;AA\u{07}x.png"], directory: "/out")
        #expect(result.words.hasPrefix("saved 2 file(s) to /out; refused 1 unsafe name(s): ../"))
        var canvas = Canvas(width: 100, height: 1)
        canvas.put(0, 0, result.words)
        #expect(canvas.lines[0].contains("../^[]52;c;AA^Gx.png") && !canvas.lines[0].contains("\u{1B}"))
    }

    @Test("the session's actions answer with typed values")
    func sessionResults() async throws {
        let api = try ComfyAPI(endpoint: try Endpoint(url: "http://127.0.0.1:1"))
        let session = MonitorSession(api: api)
        let interrupt = await session.interrupt("abc")
        guard case .failed(.interrupt, "abc", let error) = interrupt else {
            Issue.record("\(interrupt)")
            return
        }
        #expect(error.isUnreachable)
        #expect(await session.requeue("abc", newSeed: true) == .notInStore(id: "abc"))
        await api.shutdown()
    }

    @Test("--log appends the message line's events (jobs done and failed, action results) with a timestamp")
    func log() throws {
        let path = NSTemporaryDirectory() + "comfytop-log-\(UUID().uuidString).log"
        defer { try? FileManager.default.removeItem(atPath: path) }
        let (app, api) = try Self.app(log: path)
        let state = Scene.state()
        let terminal = ScriptedTerminal([
            { nil },
            {
                app.states.set(state)
                return nil
            },
            {
                app.inbox.post(.action(.failed(.interrupt, id: "ours0001-0000", .connectionRefused(url: "http://x"))))
                return nil
            },
            { nil },
        ])
        app.loop(terminal)
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let lines = text.split(separator: "\n").map(String.init)
        #expect(lines.contains { $0.contains("error") && $0.contains("fail0001") })
        #expect(lines.contains { $0.contains("interrupt failed: cannot connect to http://x") })
        #expect(lines.count == state.messages.count + 1)
        #expect(
            lines.allSatisfy { $0.range(of: #"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ "#, options: .regularExpression) != nil }
        )
        Task { await api.shutdown() }
    }

    @Test("the history screen reads the store once per recorded change, not on every new state")
    func storeReads() throws {
        let reader = CountingReader()
        let (app, api) = try Self.app(reader: reader)
        let state = Scene.state()
        var steps: [() -> Key?] = [{ .char("h") }]
        for i in 0..<40 {
            steps.append {
                app.states.set(state)
                if i == 20 { reader.recordSomething() }
                return .left
            }
        }
        app.loop(ScriptedTerminal(steps))
        #expect(reader.pageReads == 2, "one read on opening, one for the one recorded change")
        Task { await api.shutdown() }
    }

    @Test("^C read as a key quits as SIGINT does")
    func controlC() throws {
        let (app, api) = try Self.app()
        #expect(app.loop(ScriptedTerminal([{ .controlC }])) == SIGINT)
        #expect(app.loop(ScriptedTerminal([{ .char("q") }])) == nil)
        Task { await api.shutdown() }
    }

    @Test("a click on a queue row selects that job, through update")
    func click() {
        let m = Scene.state()
        let now = Scene.t0.addingTimeInterval(16)
        var model = AppModel(monitor: m, now: now, width: 120, height: 40)
        model = AppUpdate.update(model, .tick(now)).0
        #expect(model.app.selectedID == "ours0001-0000" && model.app.follow)
        // Row 3 of the screen is the queue's second row: the pending browser job.
        model = AppUpdate.update(model, .mouse(x: 5, y: 3, button: .left)).0
        #expect(model.app.selectedID == "brws0001-0000" && !model.app.follow)
    }

    @Test("new monitor messages become notifications (jobs done or failed) and log lines, each once")
    func announcements() {
        let m = Scene.state()
        var model = AppModel(
            monitor: MonitorState(serverURL: m.serverURL, ownClientID: "me"), now: Scene.t0, width: 80, height: 24,
            notify: true, logging: true)
        let (next, effects) = AppUpdate.update(model, .monitor(m))
        let notified = effects.compactMap { if case .notify(let text) = $0 { text } else { nil } }
        let logged = effects.compactMap { if case .log(let line) = $0 { line } else { nil } }
        let finished = m.messages.filter { $0.level == .success || $0.level == .error }
        #expect(notified == finished.map { "comfytop: \($0.text)" })
        #expect(logged.count == m.messages.count)
        model = next
        #expect(AppUpdate.update(model, .monitor(m)).1.isEmpty, "the same messages are not announced twice")
    }

    @Test("non-ASCII text typed into the filter and the history search is kept")
    func wideText() {
        let m = Scene.state()
        var model = AppModel(monitor: m, now: Scene.t0, width: 80, height: 24, hasStore: true)
        for key in [Key.char("/"), .char("é"), .char("猫"), .char("😀"), .enter] {
            model = AppUpdate.update(model, .key(key)).0
        }
        #expect(model.app.filter == "é猫😀")
        model = AppUpdate.update(model, .key(.char("h"))).0
        for key in [Key.char("/"), .char("ü"), .char("日")] { model = AppUpdate.update(model, .key(key)).0 }
        #expect(model.app.history?.query.text == "ü日")
    }
}

@Suite("Text from outside on screen")
struct SanitisedScreenTests {
    static let hostile = "x\u{1B}]52;c;SGVsbG8=\u{07}\u{1B}[31m\u{202E}y\u{9B}z\u{7F}"

    /// A running job whose node title, class and error carry escape sequences.
    static func state() -> MonitorState {
        var s = MonitorState(serverURL: "http://gpu-box:8188", ownClientID: "me")
        let now = Scene.t0
        let prompt = JSONValue.obj(
            ("1", .obj(("class_type", .string("Evil" + hostile)), ("_meta", .obj(("title", .string(hostile)))))))
        let item = QueueItem(.array([.int(1), .string("evil0001-0000"), prompt, .obj(("client_id", "me")), []]))
        s = s.reduce(.connection(.connected(sid: "me")), now: now).0
        s = s.reduce(.queue(QueueSnapshot(running: [item].compactMap { $0 }, pending: [])), now: now).0
        return s
    }

    @Test("the canvas shows controls, DEL, C1 and bidi overrides as visible escapes")
    func canvas() {
        var c = Canvas(width: 60, height: 1)
        c.put(0, 0, Self.hostile)
        #expect(c.lines[0].hasPrefix("x^[]52;c;SGVsbG8=^G^[[31m<U+202E>y<U+009B>z^?"))
        #expect(Canvas.width(of: Self.hostile) == TerminalText.sanitize(Self.hostile).count)
    }

    @Test("a node title and class with escapes reach the screen escaped; curses writes none of their bytes")
    func screenAndCurses() throws {
        let m = Self.state()
        var app = AppUpdate.settle(AppState(), m, now: Scene.t0)
        app.notice = Notice("saved: \(Self.hostile)", .warning, time: Scene.t0.addingTimeInterval(60))
        let canvas = Screen.render(
            app: app, monitor: m, now: Scene.t0, width: 120, height: 30, glyphs: Glyphs(ascii: false))
        let text = canvas.lines.joined(separator: "\n")
        #expect(text.contains("^[]52;c;SGVsbG8=^G"))
        #expect(!text.unicodeScalars.contains { TerminalText.needsEscape($0, keepNewlines: true) })
        let memory = MemoryTerminal(width: 120, height: 30)
        memory.draw(canvas, previous: nil)
        #expect(memory.screen?.lines.joined().contains("\u{1B}") == false)

    }
}
