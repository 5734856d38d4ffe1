import ComfyJSON
import ComfyMock
import ComfyTestSupport
import Foundation
import Testing

@testable import ComfyClient

/// Collects the follower's updates for assertions.
final class FollowerLog: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [JobFollower.Update] = []
    func append(_ u: JobFollower.Update) { lock.withLock { items.append(u) } }
    var finished: [JobFollower.Outcome] {
        lock.withLock {
            items.compactMap { if case .finished(let o) = $0 { return o } else { return nil } }
        }
    }
    var summary: String {
        lock.withLock {
            items.map { update -> String in
                switch update {
                case .progress(let state):
                    let jobs = state.jobs.values.map { "\($0.id.prefix(4)):\($0.state):\($0.node("2")?.value ?? -1)" }
                    return "p(" + jobs.sorted().joined(separator: ",") + ")"
                case .connection(let c): return "c(\(c))"
                case .accepted: return "a"
                case .rejected: return "r"
                case .finished(let o): return "f(\(o.status))"
                case .polling: return "poll"
                }
            }.joined(separator: " ")
        }
    }
    /// The socket did not come up in time: the jobs were followed by polling.
    var polled: Bool {
        lock.withLock { items.contains { if case .polling = $0 { return true } else { return false } } }
    }
    var runningSteps: [Double] {
        lock.withLock {
            items.compactMap { update -> Double? in
                guard case .progress(let state) = update else { return nil }
                return state.jobs.values.compactMap { $0.node("2")?.value }.max()
            }
        }
    }
}

@Suite("Several jobs on one socket (batches and wait), and uploads, against the mock over loopback")
struct JobFollowerTests {
    func api(_ mock: MockHarness) throws -> ComfyAPI {
        try ComfyAPI(endpoint: try Endpoint(url: mock.baseURL), requestTimeout: 10)
    }

    @Test("a batch: every job followed to its end in order, a refused one rejected, live steps for our own jobs")
    func batch() async throws {
        let mock = try await MockHarness.start()
        defer { Task { await mock.stop() } }
        let api = try api(mock)
        defer { Task { await api.shutdown() } }
        let log = FollowerLog()
        let refused: JSONValue = .obj(("1", .obj(("class_type", "SlowSteps"), ("inputs", .object([])))))
        let prompts = [
            Workflows.slow(steps: 3, delayMS: 20, seed: 1), refused, Workflows.failing(),
            Workflows.slow(steps: 3, delayMS: 20, seed: 2),
        ]
        // A generous wait for the socket: under the whole suite's load on two cores it can take more than 5 s,
        // and without it the batch is followed by polling (no per-node steps).
        var follower = JobFollower(api: api)
        follower.socketWait = 60
        let outcomes = try await follower.submit(prompts, wait: true) { log.append($0) }
        #expect(outcomes.map(\.status) == [.success, .rejected, .failed, .success])
        #expect(outcomes[1].promptID == nil && outcomes[1].problem?.contains("rejected") == true)
        #expect(outcomes[2].item?.error?.nodeID == "2")
        #expect(outcomes[3].item?.outputs.count == 1)
        #expect(log.finished.count == 3)
        if !log.polled {
            #expect(log.runningSteps.contains(3), "per-node steps reach the batch's own socket: \(log.summary)")
        }
    }

    @Test("wait: jobs queued elsewhere, one already done, one unknown, in the order given")
    func follow() async throws {
        let mock = try await MockHarness.start()
        defer { Task { await mock.stop() } }
        let api = try api(mock)
        defer { Task { await api.shutdown() } }
        let done = try await JobFollower(api: api).submit([Workflows.slow(steps: 1, delayMS: 5, seed: 7)], wait: true) {
            _ in
        }
        let queued = try await api.submit(prompt: Workflows.slow(steps: 4, delayMS: 30, seed: 8), clientID: "someone")
        let unknown = UUID().uuidString.lowercased()
        let ids = [queued.promptID, unknown, done[0].promptID ?? ""]
        var follower = JobFollower(api: api)
        follower.pollInterval = 0.5
        let outcomes = try await follower.follow(ids) { _ in }
        #expect(outcomes.map(\.promptID) == ids)
        #expect(outcomes.map(\.status) == [.success, .unknown, .success])
    }

    @Test("a job still running at the timeout is reported as timedOut")
    func timeout() async throws {
        let mock = try await MockHarness.start()
        defer { Task { await mock.stop() } }
        let api = try api(mock)
        defer { Task { await api.shutdown() } }
        let slow = try await api.submit(prompt: Workflows.slow(steps: 50, delayMS: 100, seed: 9), clientID: nil)
        var follower = JobFollower(api: api, timeout: 0.5)
        follower.pollInterval = 0.2
        let outcomes = try await follower.follow([slow.promptID]) { _ in }
        #expect(outcomes.first?.status == .timedOut)
        try await api.interrupt()
    }

    @Test("uploads: the stored name, a rename for different bytes, reuse for the same, a mask, a refused subfolder")
    func uploads() async throws {
        let mock = try await MockHarness.start()
        defer { Task { await mock.stop() } }
        let api = try api(mock)
        defer { Task { await api.shutdown() } }
        let first = try await api.upload(filename: "p.png", bytes: [1, 2, 3])
        #expect(first == .init(name: "p.png", subfolder: "", type: "input"))
        #expect(try await api.upload(filename: "p.png", bytes: [1, 2, 3]).name == "p.png")
        #expect(try await api.upload(filename: "p.png", bytes: [4]).name == "p (1).png")
        #expect(try await api.upload(filename: "p.png", bytes: [5], overwrite: true).name == "p.png")
        let temp = try await api.upload(filename: "t.png", bytes: [6], type: "temp", subfolder: "s")
        #expect(temp.inputValue == "s/t.png [temp]")
        let mask = try await api.upload(
            filename: "m.png", bytes: [7], subfolder: "clipspace",
            maskFor: OutputFile(filename: "p.png", subfolder: "", type: "input", nodeID: ""))
        #expect(mask.name == "m.png" && mask.subfolder == "clipspace")
        await #expect(throws: ComfyError.self) {
            try await api.upload(filename: "x.png", bytes: [1], subfolder: "../..")
        }
    }
}
