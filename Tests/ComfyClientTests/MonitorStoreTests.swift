import ComfyJSON
import ComfyTestSupport
import Foundation
import Testing

@testable import ComfyClient

/// A monitor left open while other people's and scripts' jobs run back to back keeps every one of them.
@Suite("A monitor left open keeps every job")
struct MonitorStoreTests {
    struct Expected: Sendable {
        var id: String
        var status: JobState
        var source: JobSource
    }

    @Test(
        "own, foreign and anonymous jobs; success, failure, interrupt, cache hits; back to back; a restart in the middle"
    )
    func mixedWorkload() async throws {
        let mock = try await MockHarness.start()
        defer { Task { await mock.stop() } }
        let api = try ComfyAPI(endpoint: try Endpoint(url: mock.baseURL), requestTimeout: 10)
        defer { Task { await api.shutdown() } }
        let store = try LocalHistory(path: ":memory:")
        // No timer reads: the reads that events and queue reads trigger must find every job by themselves.
        let session = MonitorSession(api: api, store: store, periodicReads: false)
        let running = Task { await session.run { _ in } }
        defer { running.cancel() }
        try await waitUntil("the monitor's socket") {
            if case .connected = await session.state.connection { return true }
            return false
        }
        var expected: [Expected] = []
        // Back to back, queued at once: two clients' and two scripts' jobs, two of them failing, a cache hit.
        let same = Workflows.slow(steps: 3, delayMS: 20, seed: 2)
        expected.append(
            Expected(
                id: try await mock.submit(Workflows.slow(steps: 3, delayMS: 20, seed: 1), clientID: "browser-1"),
                status: .success, source: .foreign))
        expected.append(Expected(id: try await mock.submit(same), status: .success, source: .anonymous))
        expected.append(Expected(id: try await mock.submit(same), status: .success, source: .anonymous))
        expected.append(Expected(id: try await mock.submit(Workflows.failing()), status: .failed, source: .anonymous))
        expected.append(
            Expected(
                id: try await mock.submit(Workflows.failing(color: 0x00AA00), clientID: "browser-2"), status: .failed,
                source: .foreign))
        expected.append(
            Expected(
                id: try await mock.submit(Workflows.slow(steps: 2, delayMS: 10, seed: 3), clientID: "browser-1"),
                status: .success, source: .foreign))
        for job in expected { _ = try await mock.waitForHistory(job.id) }
        // An interrupted script.
        let long = try await mock.submit(Workflows.slow(steps: 200, delayMS: 20, seed: 4))
        try await waitUntil("running") { (try await api.queue().running.first?.promptID) == long }
        try await api.interrupt(promptID: long)
        _ = try await mock.waitForHistory(long)
        expected.append(Expected(id: long, status: .interrupted, source: .anonymous))
        // The monitor's own job: a run queued again from the store.
        let firstID = expected[1].id
        try await waitUntil("the first run in the store", seconds: 20) {
            (try? store.record(server: mock.baseURL, promptID: firstID)) != nil
        }
        let before = Set(try await api.history().map(\.promptID))
        let requeued = await session.requeue(firstID, newSeed: true)
        guard case .requeued = requeued else { throw HarnessError("requeue: \(requeued)") }
        try await waitUntil("the requeued run") {
            try await api.history().contains { !before.contains($0.promptID) }
        }
        let own = try #require(try await api.history().first { !before.contains($0.promptID) }?.promptID)
        expected.append(Expected(id: own, status: .success, source: .own))
        // A restart under a running job with one queued behind it: both are lost with the server's memory.
        let doomed = try await mock.submit(Workflows.slow(steps: 200, delayMS: 20, seed: 5), clientID: "browser-1")
        let behind = try await mock.submit(Workflows.slow(steps: 2, delayMS: 10, seed: 6))
        try await waitUntil("running") { (try await api.queue().running.first?.promptID) == doomed }
        try await waitUntil("the monitor saw both") {
            let state = await session.state
            return state.jobs[doomed]?.state == .running && state.jobs[behind] != nil
        }
        _ = try await mock.post("/mock/fault", json: .obj(("restart", true)))
        expected.append(Expected(id: doomed, status: .interrupted, source: .foreign))
        expected.append(Expected(id: behind, status: .removed, source: .anonymous))
        // After the restart, back to back again.
        try await waitUntil("reconnected") {
            if case .connected = await session.state.connection { return true }
            return false
        }
        let after = [
            Expected(
                id: try await mock.submit(Workflows.slow(steps: 2, delayMS: 10, seed: 7)), status: .success,
                source: .anonymous),
            Expected(
                id: try await mock.submit(Workflows.slow(steps: 2, delayMS: 10, seed: 8), clientID: "browser-3"),
                status: .success, source: .foreign),
        ]
        for job in after { _ = try await mock.waitForHistory(job.id) }
        expected += after

        let server = mock.baseURL
        let all = expected
        // Every job has ended on the server: the triggered reads have it in the store within moments.
        let stored = try? await waitUntil("every job in the store", seconds: 10) {
            all.allSatisfy { (try? store.record(server: server, promptID: $0.id)) != nil }
        }
        if stored == nil {
            let state = await session.state
            for job in all where (try? store.record(server: server, promptID: job.id)) == nil {
                let seen = state.jobs[job.id].map { "\($0.state) \($0.source)" } ?? "never seen"
                Issue.record("not in the store: \(job.id) (\(job.status) \(job.source)); the monitor: \(seen)")
            }
        }
        for job in expected {
            let record = try #require(try store.record(server: server, promptID: job.id))
            #expect(record.status == job.status, "\(job.id): \(record.status) instead of \(job.status)")
            #expect(record.source == job.source, "\(job.id): \(record.source) instead of \(job.source)")
        }
        // The cache hit: every node of the rerun came from the cache.
        let rerun = try #require(try store.record(server: server, promptID: expected[2].id))
        #expect(Set(rerun.cachedNodes) == ["1", "2", "3"])
        // Timings are kept for what the monitor saw run: the anonymous job's broadcast steps.
        #expect(try store.record(server: server, promptID: expected[1].id)?.nodeSeconds["2"] != nil)
    }
}
