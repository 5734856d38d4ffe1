import ComfyJSON
import Foundation
import Testing

@testable import ComfyClient

/// Feeds a recorded transcript through `reduce`, as one client saw it: its frames, the `/queue` and `/history`
/// answers the recorder got, and the history lookups the reducer asks for.
struct TranscriptFeed {
    let transcript: JSONValue
    let client: String

    /// `inPlace`: as the monitor runs, one `FrameDecoder` for the stream and `ingest` in place; otherwise a fresh
    /// decoder per frame and the pure `reduce`.
    /// `onStep` sees every state change (before, after, the moment), as `watch` does.
    func run(
        own: Bool = true, inPlace: Bool = false, onStep: (MonitorState, MonitorState, Date) -> Void = { _, _, _ in }
    ) throws -> MonitorState {
        let clients = transcript["clients"] ?? .null
        let clientID = clients[client]?["server_sid"]?.stringValue ?? "x"
        var state = MonitorState(serverURL: "http://mock", ownClientID: own ? clientID : "someone-else")
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        var histories: [String: HistoryItem] = [:]
        var wanted: [String] = []
        var decoder = FrameDecoder()
        for event in transcript["events"]?.arrayValue ?? [] {
            let now = start.addingTimeInterval((event["t_ms"]?.doubleValue ?? 0) / 1000)
            var input: MonitorInput?
            if event["kind"] == "ws_recv", event["client"]?.stringValue == client {
                if let text = event["text"]?.stringValue {
                    input = .event(inPlace ? decoder.decode(text: text) : EventDecoder.decode(text: text))
                }
            } else if event["kind"] == "http", event["method"] == "GET", let path = event["path"]?.stringValue,
                let body = event["response_json"]
            {
                if path == "/queue" { input = .queue(QueueSnapshot(body)) }
                if path.hasPrefix("/history/") {
                    for item in HistoryItem.list(body) { histories[item.promptID] = item }
                }
                if path.hasPrefix("/history?") {
                    for item in HistoryItem.list(body) { histories[item.promptID] = item }
                }
            }
            guard let input else { continue }
            let before = state
            let effects: [MonitorEffect]
            if inPlace {
                effects = state.ingest(input, now: now)
            } else {
                let next: MonitorState
                (next, effects) = state.reduce(input, now: now)
                state = next
            }
            onStep(before, state, now)
            for case .lookupHistory(let id) in effects { wanted.append(id) }
        }
        // The lookups the reducer asked for, answered from the recorded history (nil: none recorded).
        let end = start.addingTimeInterval(60)
        // Sorted: a Set's order differs from one instance to the next.
        for id in (Set(wanted) + state.jobs.values.filter({ !$0.state.isFinished }).map(\.id)).sorted() {
            let before = state
            state = state.reduce(.history(promptID: id, histories[id]), now: end).0
            onStep(before, state, end)
        }
        return state
    }
}

@Suite("Monitor model over the real transcripts")
struct MonitorReducerTests {
    @Test("a: our own run — every node done in order, outputs from executed and history, success")
    func ownRun() throws {
        let state = try TranscriptFeed(transcript: try Fixtures.load("a_normal_run"), client: "A").run()
        #expect(state.jobs.count == 1)
        let job = try #require(state.jobs.values.first)
        #expect(job.source == .own)
        #expect(job.state == .success)
        #expect(job.nodes.map(\.id) == ["1", "2", "3", "4", "5", "6", "7"])
        #expect(job.nodes.allSatisfy { $0.state == .done })
        #expect(job.node("2")?.value == 5 && job.node("2")?.max == 5)
        #expect(Set(job.outputs.map(\.filename)) == ["run_00001_.png", "ComfyUI_temp_ulmku_00001_.png"])
        #expect(state.lastMessage?.level == .success)
        #expect(state.classSeconds["SlowSteps"]?.count == 2)
    }

    @Test("c: a failing node — the job failed, the node is marked, the error is kept")
    func failure() throws {
        let state = try TranscriptFeed(transcript: try Fixtures.load("c_execution_error"), client: "A").run()
        let job = try #require(state.jobs.values.first)
        #expect(job.state == .failed)
        #expect(job.node("3")?.state == .failed)
        #expect(job.node("1")?.state == .done && job.node("2")?.state == .done)
        #expect(job.error?.nodeType == "FailAfter")
        #expect(
            state.lastMessage?.text.contains("node 3 FailAfter: FailAfter: deliberate failure after 2 of 5 steps")
                == true)
    }

    @Test("d: an interrupt — the job is interrupted at node 2")
    func interrupt() throws {
        let state = try TranscriptFeed(transcript: try Fixtures.load("d_interrupt"), client: "A").run()
        let job = try #require(state.jobs.values.first)
        #expect(job.state == .interrupted)
        #expect(job.node("2")?.state == .failed)
        #expect(job.node("2")?.value == 4)
    }

    @Test("e: four queued, one deleted — three succeed, the deleted one is removed, cached nodes are cached")
    func queue() throws {
        let state = try TranscriptFeed(transcript: try Fixtures.load("e_queue_pending"), client: "A").run()
        let states = state.jobs.values.map(\.state)
        #expect(states.filter { $0 == .success }.count == 3)
        #expect(states.filter { $0 == .removed }.count == 1)
        #expect(state.jobs.values.filter { $0.state == .success }.allSatisfy { $0.node("1")?.state == .cached })
    }

    @Test("g: another client's job — seen through the queue, nodes unknown, never invented; success from history")
    func foreign() throws {
        let state = try TranscriptFeed(transcript: try Fixtures.load("g_second_client"), client: "B").run()
        let job = try #require(state.jobs.values.first)
        #expect(job.source == .foreign)
        #expect(job.state == .success)
        #expect(job.outputs.count == 2)
    }

    @Test("g mid-run: a foreign job's progress is unknown, not 0 %")
    func foreignUnknown() throws {
        var state = MonitorState(serverURL: "x", ownClientID: "me")
        let item = try #require(
            QueueItem(
                .array([0, "p", .obj(("1", .obj(("class_type", "KSampler")))), .obj(("client_id", "browser")), ["1"]])))
        state = state.reduce(.queue(QueueSnapshot(running: [item], pending: [])), now: Date()).0
        let job = try #require(state.jobs["p"])
        #expect(job.overallFraction == nil)
        #expect(job.nodes.first?.state == .unknown)
        #expect(state.jobRemaining(job, now: Date()) == nil)
        state =
            state.reduce(
                .event(.logs([LogEntry(time: "", message: "\r 45%|████▌     | 9/20 [00:03<00:04,  2.61it/s]")])),
                now: Date()
            ).0
        #expect(state.jobs["p"]?.logStep?.value == 9)
        #expect(state.jobRemaining(state.jobs["p"]!, now: Date()).map { abs($0 - 11 / 2.61) < 0.01 } == true)
    }

    @Test("h: an anonymous prompt — broadcast progress builds its nodes; completion from history")
    func anonymous() throws {
        let state = try TranscriptFeed(transcript: try Fixtures.load("h_no_client_id"), client: "C").run()
        let job = try #require(state.jobs.values.first)
        #expect(job.source == .anonymous)
        #expect(job.state == .success)
        #expect(job.nodes.count == 4)
    }

    @Test("ETA: the live step rate for the running node, earlier runs for the rest; unknown without data")
    func eta() throws {
        let t0 = Date(timeIntervalSince1970: 1_800_000_000)
        var state = MonitorState(serverURL: "x", ownClientID: "me")
        let prompt: JSONValue = .obj(("1", .obj(("class_type", "KSampler"))), ("2", .obj(("class_type", "VAEDecode"))))
        let item = try #require(QueueItem(.array([0, "p", prompt, .obj(("client_id", "me")), ["2"]])))
        state = state.reduce(.queue(QueueSnapshot(running: [item], pending: [])), now: t0).0
        state = state.reduce(.event(.executing(promptID: "p", node: "1", displayNode: "1")), now: t0).0
        for step in 1...5 {
            state =
                state.reduce(
                    .event(.progress(promptID: "p", node: "1", value: Double(step), max: 20)),
                    now: t0.addingTimeInterval(Double(step) * 0.5)
                ).0
        }
        let now = t0.addingTimeInterval(2.5)
        let node = try #require(state.jobs["p"]?.node("1"))
        #expect(state.nodeRemaining(node, now: now).map { abs($0 - 7.5) < 0.001 } == true)
        #expect(state.jobRemaining(try #require(state.jobs["p"]), now: now) == nil, "VAEDecode never seen: unknown")
        state.classSeconds["VAEDecode"] = [1, 3]
        #expect(state.jobRemaining(try #require(state.jobs["p"]), now: now).map { abs($0 - 9.5) < 0.001 } == true)
        #expect(state.finishTimes(now: now)["p"] != nil)
    }

    @Test("a reconnect asks for a queue read and the log subscription; a lost connection is announced")
    func reconnect() {
        var state = MonitorState(serverURL: "x", ownClientID: "me")
        var effects: [MonitorEffect]
        (state, effects) = state.reduce(.connection(.connected(sid: "me")), now: Date())
        #expect(effects == [.refreshQueue, .subscribeLogs])
        (state, _) = state.reduce(
            .connection(.reconnecting(attempt: 2, delay: 1, reason: "connection closed")), now: Date())
        #expect(state.lastMessage?.text == "connection lost: connection closed")
        (state, effects) = state.reduce(.event(.status(queueRemaining: 2, sid: nil)), now: Date())
        #expect(effects == [.refreshQueue])
    }

    @Test(
        "in place with one decoder for the stream (as the monitor runs) ends in the same state as the pure reduce",
        arguments: [
            "a_normal_run", "b_cached_rerun", "c_execution_error", "d_interrupt", "e_queue_pending", "h_no_client_id",
        ])
    func inPlaceEqualsPure(scenario: String) throws {
        let feed = TranscriptFeed(transcript: try Fixtures.load(scenario), client: "A")
        #expect(try feed.run(inPlace: true) == feed.run(inPlace: false))
    }

    @Test("the cached job index survives the table growing, copies of the state, and jobs leaving")
    func jobIndexCache() {
        var state = MonitorState(serverURL: "x", ownClientID: "me")
        let t0 = Date(timeIntervalSince1970: 1_800_000_000)
        func progress(_ id: String, _ step: Int) -> MonitorInput {
            .event(.progress(promptID: id, node: "1", value: Double(step), max: 40))
        }
        _ = state.ingest(progress("a", 1), now: t0)
        // 300 new jobs: the table is rebuilt several times over.
        let pending = (0..<300).compactMap { QueueItem(.array([.int($0), .string("p\($0)")])) }
        _ = state.ingest(.queue(QueueSnapshot(running: [], pending: pending)), now: t0)
        _ = state.ingest(progress("a", 2), now: t0)
        // A copy shares the table until one side changes it.
        var copy = state
        _ = copy.ingest(progress("a", 3), now: t0)
        _ = state.ingest(progress("a", 4), now: t0)
        _ = state.ingest(.history(promptID: "p7", nil), now: t0)
        state.jobs["p8"] = nil
        _ = state.ingest(progress("a", 5), now: t0)
        _ = state.ingest(progress("p9", 1), now: t0)
        _ = state.ingest(progress("a", 6), now: t0)
        #expect(copy.jobs["a"]?.node("1")?.value == 3)
        #expect(state.jobs["a"]?.node("1")?.value == 6)
        #expect(state.jobs["p9"]?.state == .running)
        #expect(state.jobs["p8"] == nil)
    }
}
