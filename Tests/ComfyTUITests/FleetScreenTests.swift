import ComfyClient
import ComfyJSON
import Foundation
import Testing

@testable import ComfyTUI

/// A fixed fleet: two live servers (one running the screen scene's job, one idle with a pending job), one that
/// refuses, one silent, one behind a proxy that answers 401; a fixed clock.
enum FleetScene {
    static let now = Scene.t0.addingTimeInterval(16)

    static func state() -> FleetState {
        var busy = FleetServer(name: "gpu-a", color: "cyan", url: "http://gpu-a:8188", monitor: Scene.state())
        busy.lamp = .live
        var idleMonitor = MonitorState(serverURL: "http://gpu-b:8188", ownClientID: "me-b")
        idleMonitor = idleMonitor.reduce(.connection(.connected(sid: "me-b")), now: Scene.t0).0
        let pending = QueueItem(
            .array([.int(7), .string("wait0002-0000"), .obj(("1", .obj(("class_type", "SaveImage"))))]))
        idleMonitor =
            idleMonitor.reduce(
                .queue(QueueSnapshot(running: [], pending: [pending].compactMap { $0 })), now: Scene.t0
            ).0
        var idle = FleetServer(name: "gpu-b", color: nil, url: "http://gpu-b:8188", monitor: idleMonitor)
        idle.lamp = .live
        idle.lastError = "cannot record finished runs: disk full"
        idle.lastErrorAt = Scene.t0.addingTimeInterval(5)
        func down(_ name: String, _ reason: FleetDownReason, _ wasLive: Bool = false) -> FleetServer {
            var s = FleetServer(
                name: name, color: nil, url: "http://\(name):8188",
                monitor: MonitorState(serverURL: "http://\(name):8188", ownClientID: "x"))
            s.lamp =
                wasLive
                ? .reconnecting(retryAt: now.addingTimeInterval(3), reason: reason)
                : .down(reason: reason, retryAt: now.addingTimeInterval(4))
            s.lastError = reason.words
            return s
        }
        return FleetState(servers: [
            busy, idle, down("refusing", .refused), down("silent", .timeout(seconds: 4)),
            down("proxied", .unauthorized(status: 401)), down("flaky", .other("connection closed"), true),
        ])
    }

    static func model(width: Int = 120, height: Int = 40) -> AppModel {
        let fleet = state()
        var model = AppModel(monitor: fleet.servers[0].monitor, now: now, width: width, height: height)
        model.fleet = FleetModel(state: fleet)
        return model
    }

    static func send(_ model: AppModel, _ keys: Key...) -> AppModel {
        keys.reduce(model) { AppUpdate.update($0, .key($1)).0 }
    }
}

@Suite("The fleet screen")
struct FleetScreenTests {
    func compare(_ canvas: Canvas, _ name: String) throws {
        try ScreenTests().compare(canvas, name)
    }

    @Test("120×40: every server's row says what it is doing or why it is not live; one list of every job")
    func large() throws {
        let c = FleetView.frame(FleetScene.model(), glyphs: Glyphs(ascii: false))
        try compare(c, "fleet-120x40.txt")
        let text = c.lines.joined(separator: "\n")
        #expect(text.contains("2/6 live"))
        #expect(text.contains("gpu-a") && text.contains("0.3.64") && text.contains("KSampler"))
        #expect(text.contains("VRAM 8.0/24.0G"))
        #expect(text.contains("connection refused") && text.contains("down 4s"))
        #expect(text.contains("no answer in 4 s") && text.contains("401 unauthorized"))
        #expect(text.contains("retry 3s"))
        #expect(text.contains("disk full"))
        #expect(text.contains("ours0001") && text.contains("wait0002") && text.contains("brws0001"))
    }

    @Test(
        "80×24 and 20×6 (the compact list), ASCII at 80×24",
        arguments: [(80, 24, false), (20, 6, false), (80, 24, true)])
    func sizes(width: Int, height: Int, ascii: Bool) throws {
        let c = FleetView.frame(FleetScene.model(width: width, height: height), glyphs: Glyphs(ascii: ascii))
        try compare(c, "fleet-\(width)x\(height)\(ascii ? "-ascii" : "").txt")
        let text = c.lines.joined(separator: "\n")
        #expect(text.contains("gpu-a") && text.contains("refusing"))
        if ascii { #expect(c.lines.allSatisfy { $0.unicodeScalars.allSatisfy { $0.isASCII } }) }
    }

    @Test("80×24 styled at 256, 16 and 8 colours and mono", arguments: [ColorDepth.c256, .c16, .c8, .mono])
    func styled(depth: ColorDepth) throws {
        let c = FleetView.frame(FleetScene.model(width: 80, height: 24), glyphs: Glyphs(ascii: false))
        let text = ScreenTests().styled(c, depth).rows.joined(separator: "\n") + "\n"
        let url = ScreenTests.golden.appendingPathComponent("fleet-80x24-\(depth.rawValue).styled.txt")
        if ProcessInfo.processInfo.environment["RECORD_SNAPSHOTS"] != nil
            || !FileManager.default.fileExists(atPath: url.path)
        {
            try text.write(to: url, atomically: true, encoding: .utf8)
            return
        }
        #expect(text == (try String(contentsOf: url, encoding: .utf8)), "styled fleet golden at \(depth) differs")
    }

    @Test("Enter opens the selected server's own screen; Esc comes back to the fleet")
    func enterAndEscape() {
        var m = FleetScene.send(FleetScene.model(), .down, .enter)
        #expect(m.fleet?.focused == 1)
        #expect(m.monitor.serverURL == "http://gpu-b:8188")
        let c = FleetView.frame(m, glyphs: Glyphs(ascii: false))
        #expect(c.lines[0].contains("gpu-b · Esc fleet"))
        #expect(c.lines.joined().contains("wait0002"))
        m = FleetScene.send(m, .escape)
        #expect(m.fleet?.focused == nil)
        #expect(FleetView.frame(m, glyphs: Glyphs(ascii: false)).lines[0].contains("comfytop fleet"))
    }

    @Test("on a server's screen Esc first backs out of what is open (help, a filter), then goes to the fleet")
    func escapeBacksOutFirst() {
        var m = FleetScene.send(FleetScene.model(), .enter, .char("?"))
        #expect(m.app.overlay == .help)
        m = FleetScene.send(m, .escape)
        #expect(m.app.overlay == .none && m.fleet?.focused == 0)
        m = FleetScene.send(m, .char("/"), .char("x"), .enter)
        #expect(m.app.filter == "x")
        m = FleetScene.send(m, .escape)
        #expect(m.app.filter.isEmpty && m.fleet?.focused == 0)
        m = FleetScene.send(m, .escape)
        #expect(m.fleet?.focused == nil)
    }

    @Test("number keys open server n; ] and [ move between servers, also from a server's screen; Tab selects")
    func jumps() {
        var m = FleetScene.send(FleetScene.model(), .char("3"))
        #expect(m.fleet?.focused == 2)
        #expect(m.monitor.serverURL == "http://refusing:8188")
        m = FleetScene.send(m, .char("]"))
        #expect(m.fleet?.focused == 3)
        m = FleetScene.send(m, .char("["), .char("["), .char("["), .char("["))
        #expect(m.fleet?.focused == 5)
        m = FleetScene.send(m, .escape, .tab, .tab)
        #expect(m.fleet?.focused == nil && m.fleet?.selected == 1)
        #expect(FleetScene.send(m, .char("9")).fleet?.focused == nil)
    }

    @Test("the filter works across the fleet: a server's name or a job's id, node or state")
    func filter() {
        let m = FleetScene.send(FleetScene.model(), .char("/"), .char("w"), .char("a"), .char("i"), .char("t"), .enter)
        let fleet = m.fleet ?? FleetModel(state: FleetState(servers: []))
        #expect(fleet.jobs(filter: m.app.filter, now: m.now).map(\.job.id) == ["wait0002-0000"])
        #expect(fleet.servers(filter: m.app.filter, now: m.now) == [1])
        #expect(fleet.selected == 1)
        let byName = fleet.servers(filter: "silent", now: m.now)
        #expect(byName == [3])
        let text = FleetView.frame(m, glyphs: Glyphs(ascii: false)).lines.joined(separator: "\n")
        #expect(!text.contains("refusing") && text.contains("wait0002"))
    }

    @Test("jobs sort by finish time, or by server with o; a new fleet state reaches the open server's screen")
    func sortAndUpdate() {
        var m = FleetScene.model()
        let byFinish = m.fleet?.jobs(filter: "", now: m.now).map(\.server) ?? []
        #expect(byFinish.first == 0)
        m = FleetScene.send(m, .char("o"))
        #expect(m.fleet?.sort == .server)
        m = FleetScene.send(m, .char("2"))
        var next = FleetScene.state()
        next.servers[1].monitor.pendingIDs = []
        m = AppUpdate.update(m, .fleet(next)).0
        #expect(m.monitor.pendingIDs.isEmpty)
        #expect(m.fleet?.state == next)
    }

    @Test("--notify and --log name the server a message is from, once")
    func announcements() {
        var m = FleetScene.model()
        m.notify = true
        m.logging = true
        var next = FleetScene.state()
        next.servers[1].monitor =
            next.servers[1].monitor.reduce(
                .connection(.reconnecting(attempt: 2, delay: 1, reason: "closed")), now: FleetScene.now
            ).0
        let effects = AppUpdate.update(m, .fleet(next)).1
        #expect(effects.contains(.notify("comfytop: gpu-b: connection lost: closed")))
        #expect(
            effects.contains {
                if case .log(let line) = $0 { return line.contains("gpu-b: connection lost: closed") }
                return false
            })
        // Said once.
        let again = AppUpdate.update(AppUpdate.update(m, .fleet(next)).0, .fleet(next)).1
        #expect(again.isEmpty)
    }

    @Test("a click selects a server's row, a second click opens it; a down server's screen says why")
    func mouse() {
        var m = AppUpdate.update(FleetScene.model(), .mouse(x: 5, y: 4, button: .left)).0
        #expect(m.fleet?.selected == 2 && m.fleet?.focused == nil)
        m = AppUpdate.update(m, .mouse(x: 5, y: 4, button: .left)).0
        #expect(m.fleet?.focused == 2)
        let header = FleetView.frame(m, glyphs: Glyphs(ascii: false)).lines[0]
        #expect(header.contains("refusing · connection refused · Esc fleet"))
    }

    @Test("h on the fleet screen opens the history browser over every server; h again comes back to the fleet")
    func history() {
        var m = AppModel(
            monitor: FleetScene.state().servers[0].monitor, now: FleetScene.now, width: 120, height: 40, hasStore: true)
        m.enterFleet(FleetScene.state())
        #expect(m.app.history?.query.server == nil)
        #expect(m.app.history?.serverChoices.count == 6)
        let (opened, effects) = AppUpdate.update(m, .key(.char("h")))
        #expect(opened.app.screen == .history)
        #expect(effects.contains { if case .queryHistory(let q) = $0 { return q.server == nil } else { return false } })
        let back = AppUpdate.update(opened, .key(.char("h"))).0
        #expect(back.app.screen == .monitor && back.fleet?.focused == nil)
        #expect(FleetView.frame(back, glyphs: Glyphs(ascii: false)).lines[0].contains("comfytop fleet"))
    }

    @Test("the server's colour: a name, an index or #RRGGBB picks the nearest hue; none: by position")
    func colours() {
        #expect(FleetRow.role(of: "cyan") == .key)
        #expect(FleetRow.role(of: "#ff2020") == .stateFailed)
        #expect(FleetRow.role(of: "2") == .connOK)
        #expect(FleetRow.role(of: "orange") == .stateInterrupted)
        #expect(FleetRow.role(of: "nonsense") == nil)
        let s = FleetServer(name: "n", color: nil, url: "u", monitor: MonitorState(serverURL: "u", ownClientID: "c"))
        #expect(FleetRow.role(s, index: 1) == FleetRow.palette[1])
    }
}
