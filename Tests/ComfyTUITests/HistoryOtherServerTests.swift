import ComfyClient
import Foundation
import Testing

@testable import ComfyTUI

/// The history browser can list every server's runs; its actions go to the server on screen only.
@Suite("History actions on another server's run")
struct HistoryOtherServerTests {
    @Test("d, r, R and D on another server's row say so and do nothing; on this server's row they act")
    func otherServerRow() throws {
        let store = try HistoryFleetScreenTests.store()
        let monitor = MonitorState(serverURL: "http://gpu0.lan:8188", ownClientID: "me")
        let now = Date(timeIntervalSince1970: 1_800_000_400)
        var app = AppState()
        app.screen = .history
        var h = HistoryBrowserState(server: nil)
        h.refresh(store)
        app.history = h
        let other = try #require(app.history?.rows.firstIndex { $0.server == "http://gpu1.lan:8188" })
        let own = try #require(app.history?.rows.firstIndex { $0.server == "http://gpu0.lan:8188" })
        for key in ["d", "r", "R", "D"] {
            app.history?.selected = other
            var (next, effects) = AppUpdate.update(app, key: .char(Character(key)), monitor: monitor, now: now)
            #expect(effects.isEmpty && next.overlay == .none, "\(key)")
            #expect(next.note?.contains("gpu1.lan") == true, "\(key)")
            app.history?.selected = own
            (next, effects) = AppUpdate.update(app, key: .char(Character(key)), monitor: monitor, now: now)
            #expect(!effects.isEmpty || next.overlay != .none, "\(key)")
        }
    }
}
