import ComfyClient
import ComfyJSON
import Foundation
import Testing

@testable import ComfyTUI

/// The history browser over every server in the store: a server column, and `s` to keep one server's runs.
@Suite("History screen across servers")
struct HistoryFleetScreenTests {
    static func store() throws -> LocalHistory {
        let s = try LocalHistory(path: ":memory:")
        let prompt = try JSONValue.parse(
            #"{"6": {"class_type": "CLIPTextEncode", "inputs": {"text": "koi pond"}}, "9": {"class_type": "SaveImage", "inputs": {}}}"#
        )
        try s.upsert(
            (0..<6).map { i in
                RunRecord(
                    server: "http://gpu\(i % 2).lan:8188", promptID: "run-\(i)", number: Double(i), clientID: nil,
                    source: .anonymous, status: .success, errorNode: nil, errorType: nil, errorMessage: nil,
                    traceback: nil, startedAt: 1_800_000_000_000 + i * 60_000,
                    endedAt: 1_800_000_000_000 + i * 60_000 + 5000, prompt: prompt, outputs: [], nodeSeconds: [:],
                    cachedNodes: [])
            })
        return s
    }

    static let now = Date(timeIntervalSince1970: 1_800_000_400)

    /// The history screen over every server's runs of `store()`.
    static func everyServer() throws -> (LocalHistory, AppState) {
        let store = try Self.store()
        var app = AppState()
        app.screen = .history
        var h = HistoryBrowserState(server: nil)
        h.refresh(store)
        app.history = h
        return (store, app)
    }

    @Test("every server: a server column; s steps to one server, then the next, then every server again")
    func serverColumnAndFilter() throws {
        let (store, initial) = try Self.everyServer()
        var app = initial
        let monitor = MonitorState(serverURL: "fleet", ownClientID: "me")
        let now = Self.now
        var text = Screen.render(
            app: app, monitor: monitor, now: now, width: 120, height: 14, glyphs: Glyphs(ascii: false)
        )
        .lines.joined(separator: "\n")
        #expect(text.contains("6 runs · every server"))
        #expect(text.contains("gpu0.lan:8188") && text.contains("gpu1.lan:8188"))
        var effects: [AppEffect]
        (app, effects) = AppUpdate.update(app, key: .char("s"), monitor: monitor, now: now)
        #expect(app.history?.query.server == "http://gpu0.lan:8188")
        #expect(app.history.map { effects == [.queryHistory($0.query)] } == true)
        app.history?.refresh(store)
        text = Screen.render(app: app, monitor: monitor, now: now, width: 120, height: 14, glyphs: Glyphs(ascii: false))
            .lines.joined(separator: "\n")
        #expect(text.contains("3 runs · gpu0.lan:8188"))
        #expect(app.history?.rows.allSatisfy { $0.server == "http://gpu0.lan:8188" } == true)
        (app, _) = AppUpdate.update(app, key: .char("s"), monitor: monitor, now: now)
        #expect(app.history?.query.server == "http://gpu1.lan:8188")
        (app, _) = AppUpdate.update(app, key: .char("s"), monitor: monitor, now: now)
        #expect(app.history?.query.server == nil)
    }

    @Test("d, r, R and D on another server's row say so and do nothing; on this server's row they act")
    func otherServerRow() throws {
        var (_, app) = try Self.everyServer()
        let monitor = MonitorState(serverURL: "http://gpu0.lan:8188", ownClientID: "me")
        let other = try #require(app.history?.rows.firstIndex { $0.server == "http://gpu1.lan:8188" })
        let own = try #require(app.history?.rows.firstIndex { $0.server == "http://gpu0.lan:8188" })
        for key in ["d", "r", "R", "D"] {
            app.history?.selected = other
            var (next, effects) = AppUpdate.update(app, key: .char(Character(key)), monitor: monitor, now: Self.now)
            #expect(effects.isEmpty && next.overlay == .none, "\(key)")
            #expect(next.note?.contains("gpu1.lan") == true, "\(key)")
            app.history?.selected = own
            (next, effects) = AppUpdate.update(app, key: .char(Character(key)), monitor: monitor, now: Self.now)
            #expect(!effects.isEmpty || next.overlay != .none, "\(key)")
        }
    }

    @Test("a search that matches more than the screen counts says so")
    func cappedTotal() {
        var h = HistoryBrowserState(server: nil)
        h.total = 10_001
        #expect(h.totalText == "10,000+")
        h.total = 12
        #expect(h.totalText == "12")
    }
}
