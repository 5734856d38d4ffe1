import ComfyJSON
import Foundation
import Testing

@testable import ComfyClient

/// The one job model: the monitor, `submit --wait` and `watch` see the same jobs the same way.
@Suite("One job model")
struct JobModelTests {
    static let t0 = Date(timeIntervalSince1970: 1_800_000_000)

    static func graph(_ classes: [String]) -> JSONValue {
        var pairs: [(String, JSONValue)] = []
        for (index, cls) in classes.enumerated() {
            var inputs: [(String, JSONValue)] = [("seed", .int(index))]
            if index > 0 { inputs.append(("image", [.string("\(index)"), 0])) }
            pairs.append(("\(index + 1)", .obj(("class_type", .string(cls)), ("inputs", .object(inputs)))))
        }
        return .object(pairs)
    }

    static func entry(
        _ id: String, graph: JSONValue, status: String = "success", cached: [String] = [], client: String? = nil,
        start: Int = 1_800_000_000_000, end: Int = 1_800_000_003_000, last: (String, JSONValue)? = nil
    ) throws -> HistoryItem {
        let extra: JSONValue = client.map { .obj(("client_id", .string($0))) } ?? .object([])
        let ending = last ?? ("execution_success", .obj(("prompt_id", .string(id)), ("timestamp", .int(end))))
        let json = JSONValue.obj(
            ("prompt", .array([3, .string(id), graph, extra, ["3"]])),
            (
                "outputs",
                .obj(("3", .obj(("images", [.obj(("filename", "x.png"), ("subfolder", ""), ("type", "output"))]))))
            ),
            (
                "status",
                .obj(
                    ("status_str", .string(status)), ("completed", .bool(status == "success")),
                    (
                        "messages",
                        [
                            ["execution_start", .obj(("prompt_id", .string(id)), ("timestamp", .int(start)))],
                            [
                                "execution_cached",
                                .obj(
                                    ("nodes", .array(cached.map { .string($0) })), ("prompt_id", .string(id)),
                                    ("timestamp", .int(start))),
                            ],
                            [.string(ending.0), ending.1],
                        ]
                    ))
            ))
        return HistoryItem(promptID: id, json: json)
    }

    @Test("an anonymous job whose first node came from the cache ends with that node cached, not pending")
    func anonymousCachedNode() throws {
        let g = Self.graph(["EmptyImage", "SlowSteps", "SaveImage"])
        var state = MonitorState(serverURL: "x", ownClientID: "me")
        // Broadcast progress names node 2 only; node 1 was served from the cache and sends nothing.
        _ = state.ingest(.event(.progress(promptID: "anon", node: "2", value: 1, max: 2)), now: Self.t0)
        _ = state.ingest(.event(.progress(promptID: "anon", node: "2", value: 2, max: 2)), now: Self.t0 + 1)
        let effects = state.ingest(
            .queue(QueueSnapshot(running: [], pending: [])), now: Self.t0 + 2)
        #expect(effects.contains(.lookupHistory("anon")))
        _ = state.ingest(
            .history(promptID: "anon", try Self.entry("anon", graph: g, cached: ["1"])), now: Self.t0 + 3)
        let job = try #require(state.jobs["anon"])
        #expect(job.state == .success)
        #expect(job.node("1")?.state == .cached)
        #expect(job.node("2")?.state == .done)
        #expect(job.node("3")?.state == .done)
        #expect(job.node("1")?.classType == "EmptyImage", "the placeholder learned its graph from the entry")
        // The history's own timestamps, not the moment we heard.
        #expect(job.startedAt == Date(timeIntervalSince1970: 1_800_000_000))
        #expect(job.endedAt == Date(timeIntervalSince1970: 1_800_000_003))
    }

    @Test("another client's failed job: executed nodes done, the failing node failed, the rest not run")
    func foreignFailure() throws {
        let g = Self.graph(["EmptyImage", "SlowSteps", "FailAfter", "SaveImage"])
        var state = MonitorState(serverURL: "x", ownClientID: "me")
        let queued = try #require(QueueItem(.array([3, "f", g, .obj(("client_id", "browser")), ["4"]])))
        _ = state.ingest(.queue(QueueSnapshot(running: [queued], pending: [])), now: Self.t0)
        #expect(state.jobs["f"]?.nodes.allSatisfy { $0.state == .unknown } == true)
        let error: JSONValue = .obj(
            ("prompt_id", "f"), ("node_id", "3"), ("node_type", "FailAfter"), ("executed", ["2"]),
            ("exception_message", "boom\n"), ("exception_type", "RuntimeError"), ("traceback", []),
            ("timestamp", 1_800_000_002_000))
        let item = try Self.entry("f", graph: g, status: "error", cached: ["1"], last: ("execution_error", error))
        _ = state.ingest(.queue(QueueSnapshot(running: [], pending: [])), now: Self.t0 + 1)
        _ = state.ingest(.history(promptID: "f", item), now: Self.t0 + 2)
        let job = try #require(state.jobs["f"])
        #expect(job.state == .failed)
        #expect(job.nodes.map(\.state) == [.cached, .done, .failed, .pending])
        #expect(job.error?.summary == "node 3 FailAfter: boom")
    }

    @Test("back to back anonymous jobs: the one that stopped sending is looked up when the next starts")
    func backToBack() {
        var state = MonitorState(serverURL: "x", ownClientID: "me")
        _ = state.ingest(.event(.progress(promptID: "a", node: "2", value: 1, max: 2)), now: Self.t0)
        let effects = state.ingest(.event(.progress(promptID: "b", node: "2", value: 1, max: 2)), now: Self.t0 + 1)
        #expect(effects.contains(.lookupHistory("a")))
        #expect(state.runningID == "b")
        // Any queue read also asks for every job still thought active that it does not list.
        let read = state.ingest(.queue(QueueSnapshot(running: [], pending: [])), now: Self.t0 + 2)
        #expect(read.contains(.lookupHistory("a")) && read.contains(.lookupHistory("b")))
    }

    @Test("a job that came and went between two queue reads is found in recent history")
    func cameAndWent() throws {
        var state = MonitorState(serverURL: "x", ownClientID: "me")
        let first = state.ingest(.queue(QueueSnapshot(running: [], pending: [])), now: Self.t0)
        #expect(first.contains(.syncHistory))
        let g = Self.graph(["EmptyImage", "SaveImage"])
        let old = try Self.entry("old", graph: g, start: 1_799_999_000_000, end: 1_799_999_001_000)
        let unseen = try Self.entry(
            "unseen", graph: g, client: "browser", start: 1_800_000_001_000, end: 1_800_000_002_000)
        _ = state.ingest(.recentHistory([old, unseen]), now: Self.t0 + 5)
        #expect(state.jobs["old"] == nil, "a run that ended before the monitor started is learned from, not shown")
        let job = try #require(state.jobs["unseen"])
        #expect(job.state == .success && job.source == .foreign)
        #expect(state.finishedIDs.first == "unseen")
    }

    @Test("recent history is read when the queue skips a number or drains after activity, not on every read")
    func syncTriggers() throws {
        func item(_ n: Double) throws -> QueueItem {
            try #require(QueueItem(.array([.double(n), .string("p\(Int(n))"), Self.graph(["A"]), .object([]), []])))
        }
        var state = MonitorState(serverURL: "x", ownClientID: "me")
        #expect(
            state.ingest(.queue(QueueSnapshot(running: [try item(1)], pending: [])), now: Self.t0).contains(
                .syncHistory))
        let next = state.ingest(.queue(QueueSnapshot(running: [try item(2)], pending: [try item(3)])), now: Self.t0)
        #expect(!next.contains(.syncHistory))
        // 4 never showed up: it ran between two reads (or was rejected).
        #expect(
            state.ingest(.queue(QueueSnapshot(running: [try item(5)], pending: [])), now: Self.t0).contains(
                .syncHistory))
        #expect(state.ingest(.queue(QueueSnapshot(running: [], pending: [])), now: Self.t0).contains(.syncHistory))
        #expect(!state.ingest(.queue(QueueSnapshot(running: [], pending: [])), now: Self.t0).contains(.syncHistory))
        // A restart numbers from the start again: no gap.
        #expect(
            !state.ingest(.queue(QueueSnapshot(running: [try item(0)], pending: [])), now: Self.t0).contains(
                .syncHistory))
    }

    @Test("a stale empty queue read that answers after a busy broadcast does not end the busy period")
    func staleReadKeepsBusy() {
        var state = MonitorState(serverURL: "x", ownClientID: "me")
        _ = state.ingest(.queue(QueueSnapshot(running: [], pending: [])), now: Self.t0)
        // A cached job is queued: the server announces it, and finishes it before any read names it.
        _ = state.ingest(.event(.status(queueRemaining: 1, sid: nil)), now: Self.t0 + 1)
        // The answer to a read asked for before that broadcast: empty, and early (the job is not in history yet).
        #expect(state.ingest(.queue(QueueSnapshot(running: [], pending: [])), now: Self.t0 + 1).contains(.syncHistory))
        // The drain must read history again: only now is the job in it (the server wrote it before the broadcast).
        #expect(state.ingest(.event(.status(queueRemaining: 0, sid: nil)), now: Self.t0 + 2).contains(.syncHistory))
        #expect(!state.ingest(.queue(QueueSnapshot(running: [], pending: [])), now: Self.t0 + 2).contains(.syncHistory))
        #expect(!state.ingest(.queue(QueueSnapshot(running: [], pending: [])), now: Self.t0 + 3).contains(.syncHistory))
    }

    @Test("a job that comes and goes while a queue read is under way: the drain's broadcast reads history itself")
    func drainWhileReadInFlight() {
        var state = MonitorState(serverURL: "x", ownClientID: "me")
        _ = state.ingest(.queue(QueueSnapshot(running: [], pending: [])), now: Self.t0)
        // Another client's job is queued, runs and ends (3 broadcasts) while one queue read is under way; the
        // session folds the three reads they ask for into one more, which may answer late or fail.
        #expect(state.ingest(.event(.status(queueRemaining: 1, sid: nil)), now: Self.t0 + 1) == [.refreshQueue])
        #expect(state.ingest(.event(.status(queueRemaining: 1, sid: nil)), now: Self.t0 + 1) == [.refreshQueue])
        let drained = state.ingest(.event(.status(queueRemaining: 0, sid: nil)), now: Self.t0 + 2)
        #expect(drained == [.refreshQueue, .syncHistory], "the entry is written before the broadcast: read it now")
        // Whatever the reads answer then (an empty one, before or after the job): one history read per drain.
        #expect(!state.ingest(.queue(QueueSnapshot(running: [], pending: [])), now: Self.t0 + 2).contains(.syncHistory))
        // The greeting of a new socket on an idle server reads nothing.
        #expect(state.ingest(.event(.status(queueRemaining: 0, sid: "me")), now: Self.t0 + 3) == [.refreshQueue])
    }

    @Test("a job still thought running when the queue reads empty is read from history, busy period or not")
    func unsettledJobOnEmptyQueue() {
        var state = MonitorState(serverURL: "x", ownClientID: "me")
        _ = state.ingest(.queue(QueueSnapshot(running: [], pending: [])), now: Self.t0)
        // Broadcast progress of a script's job, its broadcasts missed (a socket that was away for them).
        _ = state.ingest(.event(.progress(promptID: "anon", node: "2", value: 1, max: 2)), now: Self.t0 + 1)
        let read = state.ingest(.queue(QueueSnapshot(running: [], pending: [])), now: Self.t0 + 2)
        #expect(read.contains(.lookupHistory("anon")) && read.contains(.syncHistory))
        // Likewise a broadcast that says the queue is empty.
        _ = state.ingest(.event(.progress(promptID: "anon2", node: "2", value: 1, max: 2)), now: Self.t0 + 3)
        #expect(state.ingest(.event(.status(queueRemaining: 0, sid: nil)), now: Self.t0 + 4).contains(.syncHistory))
    }

    @Test("a reconnect reads recent history: `connecting` comes between the drop and the greeting")
    func reconnectReadsHistory() {
        var state = MonitorState(serverURL: "x", ownClientID: "me")
        #expect(!state.ingest(.connection(.connecting(attempt: 1)), now: Self.t0).contains(.syncHistory))
        #expect(!state.ingest(.connection(.connected(sid: "me")), now: Self.t0).contains(.syncHistory))
        _ = state.ingest(.connection(.reconnecting(attempt: 2, delay: 0.5, reason: "closed")), now: Self.t0 + 1)
        // The stream announces every attempt: the state is `connecting`, not `reconnecting`, at the greeting. Jobs
        // that came and went while the socket was away sent their broadcasts to nobody.
        _ = state.ingest(.connection(.connecting(attempt: 2)), now: Self.t0 + 2)
        let back = state.ingest(.connection(.connected(sid: "me")), now: Self.t0 + 2)
        #expect(back.contains(.syncHistory) && back.contains(.refreshQueue))
        #expect(state.lastMessage?.text == "reconnected")
    }

    @Test("one record from a job and its entry: the live timings and source; the entry's outcome and files")
    func record() throws {
        let g = Self.graph(["EmptyImage", "SlowSteps", "SaveImage"])
        var state = MonitorState(serverURL: "x", ownClientID: "me")
        state.track("p", number: 1, prompt: g, now: Self.t0)
        _ = state.ingest(.event(.executionStart(promptID: "p", timestamp: nil)), now: Self.t0)
        _ = state.ingest(.event(.executing(promptID: "p", node: "2", displayNode: nil)), now: Self.t0)
        _ = state.ingest(.event(.executing(promptID: "p", node: nil, displayNode: nil)), now: Self.t0 + 2)
        _ = state.ingest(.history(promptID: "p", try Self.entry("p", graph: g, client: "me")), now: Self.t0 + 3)
        let job = try #require(state.jobs["p"])
        let record = try #require(RunRecord(server: "s", job: job, item: nil))
        #expect(record.source == .own && record.status == .success)
        #expect(record.nodeSeconds == ["2": 2])
        #expect(record.outputs.map(\.filename) == ["x.png"])
        // A job the server kept no entry of is kept too, as it ended.
        var lost = MonitorState(serverURL: "x", ownClientID: "me")
        lost.track("q", number: 2, prompt: g, now: Self.t0)
        _ = lost.ingest(.history(promptID: "q", nil), now: Self.t0 + 1)
        #expect(RunRecord(server: "s", job: try #require(lost.jobs["q"]))?.status == .removed)
        // Absurd timestamps from a server are not turned into dates.
        #expect(WireNumber.date(ms: Int.max) == nil && WireNumber.date(ms: -5) == nil)
        // An estimate from a absurd step rate (a custom node's 1e-300 steps) is words, not a trap.
        #expect(MonitorFormat.duration(1e300) == ">99d" && MonitorFormat.duration(.nan) == "?")
        #expect(MonitorFormat.duration(.infinity) == ">99d" && MonitorFormat.duration(61) == "1:01")
    }

    /// What `watch --json` prints for one recorded scenario, as "event source/via".
    static func watched(_ scenario: String, client: String, own: Bool = false) throws -> [String] {
        var projector = JobEventProjector()
        var lines: [String] = []
        _ = try TranscriptFeed(transcript: try Fixtures.load(scenario), client: client).run(own: own) {
            before, after, now in
            for event in projector.events(from: before, to: after, now: now) {
                let json = event.json
                #expect(!json.pythonJSON.contains("NaN") && !json.pythonJSON.contains("Infinity"))
                lines.append("\(event.event) \(event.source.rawValue)/\(event.via.rawValue)")
            }
        }
        return lines
    }

    @Test("watch over the transcripts: every job's start, steps and end, from the shared model")
    func watchTranscripts() throws {
        let anonymous = try Self.watched("h_no_client_id", client: "C")
        #expect(anonymous.first == "started anonymous/polled")
        #expect(anonymous.contains("progress anonymous/live"))
        #expect(anonymous.last == "finished anonymous/polled")
        let foreign = try Self.watched("g_second_client", client: "B")
        #expect(foreign.contains("finished foreign/polled"))
        #expect(!foreign.contains { $0.hasPrefix("progress") }, "no invented progress for another client's job")
        let failed = try Self.watched("c_execution_error", client: "A", own: true)
        #expect(failed.last == "failed own/polled")
        let queue = try Self.watched("e_queue_pending", client: "A", own: true)
        #expect(queue.filter { $0.hasPrefix("finished") }.count == 3)
        #expect(queue.filter { $0.hasPrefix("removed") }.count == 1)
        // Each job ends once.
        for scenario in ["a_normal_run", "b_cached_rerun", "d_interrupt"] {
            let lines = try Self.watched(scenario, client: "A", own: true)
            #expect(
                lines.filter { ["finished", "failed", "interrupted", "removed"].contains($0.split(separator: " ")[0]) }
                    .count == 1, "\(scenario)")
        }
    }

    @Test("submit --wait's view over the transcripts: a run of our own, node by node, through the shared model")
    func submitTranscript() throws {
        let state = try TranscriptFeed(transcript: try Fixtures.load("b_cached_rerun"), client: "A").run()
        let job = try #require(state.jobs.values.first { $0.source == .own })
        #expect(job.state == .success)
        #expect(job.nodes.allSatisfy { $0.state == .cached || $0.state == .done })
        #expect(job.nodes.contains { $0.state == .cached })
    }
}
