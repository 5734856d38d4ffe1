import ComfyJSON
import ComfyMock
import ComfyTestSupport
import Foundation
import Testing

@testable import ComfyClient

/// ComfyUI after 0.3.64: capability detection, the jobs API, idempotent submission, `progress_text` and
/// `activity`, against both mock versions and a loopback server that drops connections.
@Suite("Newer servers: capabilities, jobs API, idempotent submit")
struct NewerServerTests {
    func api(_ url: String, timeout: Double = 10) throws -> ComfyAPI {
        try ComfyAPI(endpoint: try Endpoint(url: url), requestTimeout: timeout)
    }

    // MARK: Capabilities

    @Test("probe against 0.3.64: /features with two flags, no jobs API, one device")
    func probeOld() async throws {
        let mock = try await MockHarness.start()
        defer { Task { await mock.stop() } }
        let api = try api(mock.baseURL)
        defer { Task { await api.shutdown() } }
        let caps = try await api.probe()
        #expect(caps.hasFeatures && caps.previewMetadata)
        #expect(!caps.hasJobsAPI && !caps.assets && !caps.managerV4)
        #expect(caps.maxUploadSize == 104_857_600)
        #expect(caps.devices.count == 1 && caps.deployEnvironment == nil)
        #expect(caps.clientPromptID == .unknown)
    }

    @Test("probe against current: the flags of feature_flags.py, jobs API, every device, deploy environment")
    func probeCurrent() async throws {
        let mock = try await MockHarness.start(serverVersion: .current)
        defer { Task { await mock.stop() } }
        let api = try api(mock.baseURL)
        defer { Task { await api.shutdown() } }
        let caps = try await api.probe()
        #expect(caps.hasJobsAPI && caps.assets && caps.managerV4 && caps.nodeReplacements && caps.modelTypeTags)
        // A float on the wire (args.max_upload_size is a float).
        #expect(caps.maxUploadSize == 104_857_600)
        #expect(caps.devices.map(\.name).count == 2 && caps.os == "linux" && caps.deployEnvironment == "local-git")
        #expect(caps.clientPromptID == .honoured)
        #expect(caps.declaredFlags.map(\.name).contains("extension.manager.supports_v4"))
        // Decisions never read the version: a fork that says "0.1" with these routes is treated the same.
        var renamed = caps
        renamed.version = "0.1"
        #expect(renamed.hasJobsAPI && renamed.targetedInterrupt)
    }

    @Test("flags that are not booleans do not read as true; an absurd max_upload_size is nil")
    func hostileFlags() {
        let caps = ServerCapabilities(
            version: nil,
            features: .obj(
                ("assets", "yes"), ("supports_preview_metadata", 1), ("max_upload_size", .double(.infinity)),
                ("extension", "manager")),
            hasJobsAPI: false)
        #expect(!caps.assets && !caps.previewMetadata && !caps.managerV4)
        #expect(caps.maxUploadSize == nil)
        let negative = ServerCapabilities(version: nil, features: .obj(("max_upload_size", -5)), hasJobsAPI: false)
        #expect(negative.maxUploadSize == nil)
    }

    // MARK: Jobs API decoding

    @Test("jobs decode with their times; hostile numbers read as unknown, never trap")
    func jobsDecoding() throws {
        let json = try JSONValue.parse(
            Array(
                """
                {"jobs": [
                  {"id": "a", "status": "completed", "priority": 3, "create_time": 1760250000000,
                   "execution_start_time": 1760250002500, "execution_end_time": 1760250010000,
                   "outputs_count": 2, "previewable_outputs_count": 1, "workflow_id": "wf"},
                  {"id": "b", "status": "failed", "priority": NaN, "create_time": 1e300,
                   "execution_start_time": -5, "execution_end_time": Infinity, "outputs_count": -3,
                   "execution_error": {"node_id": "3", "node_type": "KSampler", "exception_message": "boom",
                                       "exception_type": "RuntimeError", "traceback": [], "executed": []}},
                  {"id": "c", "status": "paused", "priority": 1.5, "create_time": "soon",
                   "execution_start_time": 1760250010000, "execution_end_time": 1760250000000},
                  {"status": "pending"}
                ], "pagination": {"offset": 0, "limit": 3, "total": 1e400, "has_more": true}}
                """.utf8))
        let page = JobPage(json)
        #expect(page.jobs.map(\.id) == ["a", "b", "c"])
        let a = page.jobs[0]
        #expect(a.status == .completed && a.queueSeconds == 2.5 && a.runSeconds == 7.5)
        #expect(a.outputsCount == 2 && a.previewableOutputsCount == 1 && a.workflowID == "wf")
        let b = page.jobs[1]
        #expect(b.priority == 0 && b.createTime == nil && b.startTime == nil && b.endTime == nil)
        #expect(b.outputsCount == 0 && b.queueSeconds == nil && b.runSeconds == nil)
        #expect(b.error?.exceptionMessage == "boom" && b.error?.promptID == "b")
        let c = page.jobs[2]
        #expect(c.status == .other && c.rawStatus == "paused" && c.priority == 1.5)
        #expect(c.runSeconds == nil)  // ends before it starts
        // A total that is not a plausible count falls back to what the page holds.
        #expect(page.total == 3 && page.hasMore && page.limit == 3)
    }

    @Test("jobPage and job against the current mock; nil and .noJobsAPI against 0.3.64")
    func jobsRoutes() async throws {
        let current = try await MockHarness.start(serverVersion: .current)
        defer { Task { await current.stop() } }
        let api = try api(current.baseURL)
        defer { Task { await api.shutdown() } }
        let done = try await api.submit(prompt: Workflows.slow(steps: 1, delayMS: 0, seed: 1), clientID: nil)
        let long = try await api.submit(prompt: Workflows.slow(steps: 200, delayMS: 20, seed: 2), clientID: nil)
        let waiting = try await api.submit(prompt: Workflows.slow(steps: 1, delayMS: 0, seed: 3), clientID: nil)
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline, try await api.history(promptID: done.promptID) == nil {
            try await Task.sleep(for: .milliseconds(50))
        }
        let page = try #require(try await api.jobPage(limit: 2))
        #expect(page.total == 3 && page.jobs.count == 2 && page.hasMore)
        let finished = try #require(try await api.jobPage(statuses: [.completed]))
        #expect(finished.jobs.map(\.id) == [done.promptID])
        #expect(finished.jobs.first?.runSeconds != nil && finished.jobs.first?.createTime != nil)
        guard case .found(let pending) = try await api.job(waiting.promptID) else {
            Issue.record("the pending job is not found")
            return
        }
        #expect(pending.status == .pending && pending.createTime != nil && pending.startTime == nil)
        #expect(try await api.job(ComfyAPI.newPromptID()) == .notFound)
        // Cancel through the jobs route: the pending one is dequeued, a finished one is a no-op.
        #expect(try await api.cancelJob(waiting.promptID) == true)
        #expect(try await api.cancelJob(done.promptID) == false)
        let caps = try await api.probe()
        #expect(try await api.cancel(promptID: long.promptID, capabilities: caps))

        let old = try await MockHarness.start()
        defer { Task { await old.stop() } }
        let oldAPI = try self.api(old.baseURL)
        defer { Task { await oldAPI.shutdown() } }
        #expect(try await oldAPI.jobPage() == nil)
        #expect(try await oldAPI.job(ComfyAPI.newPromptID()) == .noJobsAPI)
        #expect(try await oldAPI.cancelJob(ComfyAPI.newPromptID()) == nil)
    }

    // MARK: Submission

    @Test("submit chooses a canonical lowercase UUID, sends Comfy-Usage-Source, and learns the server keeps it")
    func clientPromptID() async throws {
        for version in MockServerVersion.allCases {
            let mock = try await MockHarness.start(serverVersion: version)
            defer { Task { await mock.stop() } }
            let api = try api(mock.baseURL)
            defer { Task { await api.shutdown() } }
            let accepted = try await api.submit(prompt: Workflows.slow(steps: 1, delayMS: 0), clientID: "me")
            #expect(ComfyAPI.isCanonicalPromptID(accepted.promptID))
            #expect(api.clientPromptIDSupport == .honoured)
            let queue = try await mock.get("/api/jobs/\(accepted.promptID)")
            if version == .current {
                #expect(queue.json?["workflow"]?["extra_data"]?["comfy_usage_source"]?.stringValue == "comfytop")
            }
        }
        #expect(!ComfyAPI.isCanonicalPromptID("ABCDEF00-0000-4000-8000-000000000000"))
        #expect(!ComfyAPI.isCanonicalPromptID("abcdef000000400080000000000000000000"))
        #expect(ComfyAPI.isCanonicalPromptID("abcdef00-0000-4000-8000-000000000000"))
    }

    @Test("the current mock refuses a non-canonical prompt_id with invalid_prompt_id; 0.3.64 keeps any")
    func invalidPromptID() async throws {
        let current = try await MockHarness.start(serverVersion: .current)
        defer { Task { await current.stop() } }
        let body = JSONValue.obj(
            ("prompt", Workflows.slow(steps: 1, delayMS: 0)), ("prompt_id", "ABCDEF00-0000-4000-8000-000000000000"))
        let refused = try await current.post("/prompt", json: body)
        #expect(refused.status == 400 && refused.json?["error"]?["type"]?.stringValue == "invalid_prompt_id")
        let api = try api(current.baseURL)
        defer { Task { await api.shutdown() } }
        await #expect(throws: ComfyError.self) {
            _ = try await api.submit(prompt: Workflows.slow(steps: 1, delayMS: 0), clientID: nil, promptID: "job-1")
        }
        let old = try await MockHarness.start()
        defer { Task { await old.stop() } }
        let kept = try await old.post("/prompt", json: body)
        #expect(kept.status == 200 && kept.json?["prompt_id"]?.stringValue == "ABCDEF00-0000-4000-8000-000000000000")
    }

    /// A fake ComfyUI whose `POST /prompt` is answered by `onPost` (queue the id and drop, or answer); `/api/jobs`
    /// (when `jobsAPI`), `/queue` and `/history/{id}` answer from what was queued.
    final class DroppingServer: @unchecked Sendable {
        private let lock = NSLock()
        private var queued: [String] = []
        private var posts = 0
        let jobsAPI: Bool
        let onPost: @Sendable (Int) -> (queue: Bool, answer: Bool, ownID: Bool)

        init(jobsAPI: Bool, onPost: @escaping @Sendable (Int) -> (queue: Bool, answer: Bool, ownID: Bool)) {
            self.jobsAPI = jobsAPI
            self.onPost = onPost
        }

        var jobs: [String] { lock.withLock { queued } }

        func handle(_ request: LoopbackServer.Request) -> LoopbackServer.Reply {
            let path = request.path
            if request.method == "POST", path.hasSuffix("/prompt") {
                let n = lock.withLock {
                    posts += 1
                    return posts
                }
                let plan = onPost(n)
                let asked = (try? JSONValue.parse(request.body))?["prompt_id"]?.stringValue
                let id = plan.ownID ? UUID().uuidString.lowercased() : (asked ?? UUID().uuidString.lowercased())
                if plan.queue { lock.withLock { queued.append(id) } }
                guard plan.answer else { return .drop }
                return .http("200 OK", body: #"{"prompt_id": "\#(id)", "number": \#(n), "node_errors": {}}"#)
            }
            if path.hasPrefix("/api/jobs/") {
                guard jobsAPI else { return .http("404 Not Found", body: "404: Not Found") }
                let id = String(path.dropFirst("/api/jobs/".count))
                if jobs.contains(id) {
                    return .http("200 OK", body: #"{"id": "\#(id)", "status": "pending", "priority": 7}"#)
                }
                return .http("404 Not Found", body: #"{"error": "Job not found"}"#)
            }
            if path.hasPrefix("/queue") {
                let items = jobs.enumerated().map { #"[\#($0.offset), "\#($0.element)", {}, {}, []]"# }
                return .http(
                    "200 OK", body: #"{"queue_running": [], "queue_pending": [\#(items.joined(separator: ", "))]}"#)
            }
            if path.hasPrefix("/history/") { return .http("200 OK", body: "{}") }
            return .http("404 Not Found", body: "404: Not Found")
        }
    }

    func start(_ fake: DroppingServer) throws -> (LoopbackServer, ComfyAPI) {
        let server = try LoopbackServer { fake.handle($0) }
        return (server, try api("http://127.0.0.1:\(server.port)", timeout: 5))
    }

    @Test("a POST that queued the job and then lost its connection: found by its id, never posted again")
    func droppedAfterQueueing() async throws {
        for jobsAPI in [true, false] {
            let fake = DroppingServer(jobsAPI: jobsAPI) { _ in (queue: true, answer: false, ownID: false) }
            let (server, api) = try start(fake)
            defer {
                server.stop()
                Task { await api.shutdown() }
            }
            let accepted = try await api.submit(prompt: Workflows.slow(steps: 1, delayMS: 0), clientID: "me")
            #expect(fake.jobs == [accepted.promptID], "exactly one job (jobs API: \(jobsAPI))")
            #expect(server.requests.filter { $0.method == "POST" }.count == 1)
            #expect(server.requests.first?.header("Comfy-Usage-Source") == "comfytop")
            if jobsAPI { #expect(accepted.number == 7) }
        }
    }

    @Test("a POST lost before it queued anything: posted again with the same id, once, on a server that keeps ids")
    func droppedBeforeQueueing() async throws {
        let fake = DroppingServer(jobsAPI: true) { n in (queue: n > 1, answer: n > 1, ownID: false) }
        let (server, api) = try start(fake)
        defer {
            server.stop()
            Task { await api.shutdown() }
        }
        let accepted = try await api.submit(prompt: Workflows.slow(steps: 1, delayMS: 0), clientID: "me")
        #expect(fake.jobs == [accepted.promptID])
        let posted = server.requests.filter { $0.method == "POST" }.compactMap {
            (try? JSONValue.parse($0.body))?["prompt_id"]?.stringValue
        }
        #expect(posted == [accepted.promptID, accepted.promptID])
    }

    @Test("an older server (no jobs API, ids not yet known to be kept): the lost POST is reported, not repeated")
    func droppedOnOldServer() async throws {
        let fake = DroppingServer(jobsAPI: false) { n in (queue: n > 1, answer: n > 1, ownID: false) }
        let (server, api) = try start(fake)
        defer {
            server.stop()
            Task { await api.shutdown() }
        }
        await #expect(throws: ComfyError.self) {
            _ = try await api.submit(prompt: Workflows.slow(steps: 1, delayMS: 0), clientID: "me")
        }
        #expect(fake.jobs.isEmpty)
        #expect(server.requests.filter { $0.method == "POST" }.count == 1)
    }

    @Test("a server that mints its own ids: learned, and later submissions send none")
    func serverIgnoresIDs() async throws {
        let fake = DroppingServer(jobsAPI: false) { _ in (queue: true, answer: true, ownID: true) }
        let (server, api) = try start(fake)
        defer {
            server.stop()
            Task { await api.shutdown() }
        }
        _ = try await api.submit(prompt: Workflows.slow(steps: 1, delayMS: 0), clientID: "me")
        #expect(api.clientPromptIDSupport == .ignored)
        _ = try await api.submit(prompt: Workflows.slow(steps: 1, delayMS: 0), clientID: "me")
        let sent = server.requests.filter { $0.method == "POST" }.map {
            (try? JSONValue.parse($0.body))?["prompt_id"] != nil
        }
        #expect(sent == [true, false])
        #expect(fake.jobs.count == 2)
    }

    // MARK: The model

    @Test("progress_text lands on the named node of the running job, a foreign one included; activity is kept")
    func progressTextAndActivity() throws {
        var state = MonitorState(serverURL: "http://x", ownClientID: "me")
        let prompt = Workflows.slow(steps: 5, delayMS: 10)
        let item = try #require(
            QueueItem(
                .array([
                    .int(1), "p1", prompt, .obj(("client_id", "browser"), ("create_time", 1_760_250_000_000)), ["3"],
                ])))
        _ = state.ingest(.queue(QueueSnapshot(running: [item], pending: [])), now: Date())
        _ = state.ingest(.progressText(nodeID: "2", text: "step 1/5\nstep 2/5"), now: Date())
        let job = try #require(state.jobs["p1"])
        #expect(job.source == .foreign && job.node("2")?.progressText == "step 1/5\nstep 2/5")
        #expect(job.createdAt == Date(timeIntervalSince1970: 1_760_250_000))
        // First seen running: its start is the time of that read, so no queue wait is claimed.
        #expect(job.queueSeconds(now: Date()) == nil)
        _ = state.ingest(.progressText(nodeID: "no-such-node", text: "lost"), now: Date())
        #expect(state.jobs["p1"]?.nodes.allSatisfy { $0.progressText != "lost" } == true)
        _ = state.ingest(.progressText(nodeID: "2", text: String(repeating: "x", count: 5000)), now: Date())
        #expect(state.jobs["p1"]?.node("2")?.progressText?.count == 500)

        let frame =
            #"{"type": "progress_state", "data": {"prompt_id": "p1", "nodes": {"1": {"value": 0.0, "max": 1.0, "state": "running", "node_id": "1", "prompt_id": "p1", "display_node_id": "1", "parent_node_id": null, "real_node_id": "1", "activity": "loading"}}}}"#
        let event = EventDecoder.decode(text: frame)
        guard case .progressState(_, let nodes) = event else {
            Issue.record("not decoded: \(event)")
            return
        }
        #expect(nodes.first?.activity == "loading")
        var fast = FrameDecoder()
        #expect(fast.decode(bytes: Array(frame.utf8)) == event)
        _ = state.ingest(event, now: Date())
        #expect(state.jobs["p1"]?.node("1")?.activity == "loading")

        // Seen pending, then running: the wait is known to a queue read.
        let waiting = try #require(
            QueueItem(.array([.int(2), "p2", prompt, .obj(("create_time", 1_760_250_000_000)), ["3"]])))
        let seen = Date(timeIntervalSince1970: 1_760_250_003)
        _ = state.ingest(.queue(QueueSnapshot(running: [item], pending: [waiting])), now: seen)
        #expect(state.jobs["p2"]?.queueSeconds(now: seen) == 3)
        _ = state.ingest(.queue(QueueSnapshot(running: [waiting], pending: [])), now: seen.addingTimeInterval(2))
        #expect(state.jobs["p2"]?.queueSeconds(now: seen.addingTimeInterval(9)) == 5)
    }

    @Test("the store keeps when the server accepted a run: queue wait in history rows, kept when seen again")
    func storedQueueWait() throws {
        let store = try LocalHistory(path: ":memory:")
        let prompt = Workflows.slow(steps: 1, delayMS: 0)
        let queued = try #require(
            QueueItem(.array([.int(1), "p1", prompt, .obj(("create_time", 1_760_250_000_000)), ["3"]])))
        let item = HistoryItem(
            promptID: "p1", queue: queued, outputs: .object([]),
            status: .obj(
                ("status_str", "success"), ("completed", true),
                (
                    "messages",
                    .array([
                        .array(["execution_start", .obj(("prompt_id", "p1"), ("timestamp", 1_760_250_004_000))]),
                        .array(["execution_success", .obj(("prompt_id", "p1"), ("timestamp", 1_760_250_009_000))]),
                    ])
                )))
        let record = try #require(RunRecord(server: "s", item: item))
        #expect(record.createdAt == 1_760_250_000_000)
        try store.upsert([record])
        var again = record
        again.createdAt = nil
        try store.upsert([again])
        let (rows, _) = try store.search(HistoryQuery(server: "s"))
        #expect(rows.first?.queueSeconds == 4 && rows.first?.duration == 5)
    }

    @Test("unknown message types (assets.*, crystools.*, watcher.*) change nothing and post no message")
    func unknownMessages() {
        var state = MonitorState(serverURL: "http://x", ownClientID: "me")
        let before = state
        for text in [
            #"{"type": "assets.seed.started", "data": {"roots": ["models"]}}"#,
            #"{"type": "crystools.monitor", "data": {"cpu_utilization": 12.5}}"#,
            #"{"type": "watcher.node", "data": {"host": "gpu-1"}}"#,
        ] {
            let event = EventDecoder.decode(text: text)
            guard case .unknown = event else {
                Issue.record("\(text) decoded as \(event)")
                continue
            }
            #expect(state.ingest(event, now: Date()).isEmpty)
        }
        #expect(state == before && state.messages.isEmpty)
    }
}
