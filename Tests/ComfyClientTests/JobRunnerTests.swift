import ComfyJSON
import ComfyMock
import ComfyTestSupport
import Foundation
import Testing

@testable import ComfyClient

/// Collects the runner's updates for assertions.
typealias UpdateLog = LockedLog<JobRunner.Update>

@Suite("Submitting and waiting, against the mock over loopback")
struct JobRunnerTests {
    func api(_ mock: MockHarness, timeout: Double = 10) throws -> ComfyAPI {
        try ComfyAPI(endpoint: try Endpoint(url: mock.baseURL), requestTimeout: timeout)
    }

    @Test("submit and wait: live node progress, completion on executing null, outputs from history")
    func submitAndWait() async throws {
        let mock = try await MockHarness.start()
        defer { Task { await mock.stop() } }
        let api = try api(mock)
        defer { Task { await api.shutdown() } }
        let log = UpdateLog()
        let (tracker, item) = try await JobRunner(api: api).run(prompt: Workflows.slow(steps: 4, delayMS: 30)) {
            log.append($0)
        }
        #expect(item.outcome == .success)
        #expect(item.outputs.map(\.filename) == ["run_00001_.png"])
        #expect(tracker.nodes.map(\.state) == [.done, .done, .done])
        #expect(tracker.outputs == item.outputs)
        let steps = log.all.compactMap { update -> Double? in
            if case .progress(let t) = update, let node = t.node("2"), node.state == .running { return node.value }
            return nil
        }
        #expect(Set(steps).isSuperset(of: [1, 2, 3, 4]))
    }

    @Test("a cached rerun finishes with every node cached and the same outputs")
    func cachedRerun() async throws {
        let mock = try await MockHarness.start()
        defer { Task { await mock.stop() } }
        let api = try api(mock)
        defer { Task { await api.shutdown() } }
        let prompt = Workflows.slow(steps: 2, delayMS: 10)
        let (_, first) = try await JobRunner(api: api).run(prompt: prompt) { _ in }
        let (tracker, second) = try await JobRunner(api: api).run(prompt: prompt) { _ in }
        #expect(second.outcome == .success)
        #expect(tracker.nodes.allSatisfy { $0.state == .cached })
        #expect(second.outputs == first.outputs)
    }

    @Test("a failing node ends the job as failed with the node, type and message")
    func failingNode() async throws {
        let mock = try await MockHarness.start()
        defer { Task { await mock.stop() } }
        let api = try api(mock)
        defer { Task { await api.shutdown() } }
        let prompt: JSONValue = .obj(
            (
                "1",
                .obj(
                    ("class_type", "EmptyImage"),
                    ("inputs", .obj(("width", 8), ("height", 8), ("batch_size", 1), ("color", 0))))
            ),
            (
                "2",
                .obj(
                    ("class_type", "FailAfter"),
                    ("inputs", .obj(("image", ["1", 0]), ("steps", 5), ("fail_at", 2), ("delay_ms", 10))))
            ),
            ("3", .obj(("class_type", "SaveImage"), ("inputs", .obj(("images", ["2", 0]), ("filename_prefix", "x"))))))
        let (tracker, item) = try await JobRunner(api: api).run(prompt: prompt) { _ in }
        #expect(item.outcome == .failed)
        #expect(item.error?.nodeID == "2")
        #expect(item.error?.exceptionType == "RuntimeError")
        #expect(item.error?.exceptionMessage == "FailAfter: deliberate failure after 2 of 5 steps\n")
        #expect(tracker.node("2")?.state == .failed)
    }

    @Test("an interrupt ends the job as interrupted")
    func interrupted() async throws {
        let mock = try await MockHarness.start()
        defer { Task { await mock.stop() } }
        let api = try api(mock)
        defer { Task { await api.shutdown() } }
        let result = try await withThrowingTaskGroup(of: HistoryItem?.self) { group in
            group.addTask {
                try await JobRunner(api: api).run(prompt: Workflows.slow(steps: 100, delayMS: 30)) { _ in }.1
            }
            group.addTask {
                try await waitUntil("running") { !(try await api.queue().running.isEmpty) }
                try await Task.sleep(for: .milliseconds(200))
                try await api.interrupt(promptID: try await api.queue().running.first?.promptID)
                return nil
            }
            var item: HistoryItem?
            for try await value in group { if let value { item = value } }
            return item
        }
        #expect(result?.outcome == .interrupted)
    }

    @Test("a job deleted from the queue is reported as vanished, not waited on forever")
    func deletedFromQueue() async throws {
        let mock = try await MockHarness.start()
        defer { Task { await mock.stop() } }
        let api = try api(mock)
        defer { Task { await api.shutdown() } }
        _ = try await mock.submit(Workflows.slow(steps: 40, delayMS: 50, seed: 99))  // occupies the worker
        var configured = JobRunner(api: api)
        configured.silenceBudget = 1
        let runner = configured
        let outcome = await withTaskGroup(of: String.self) { group in
            group.addTask {
                do {
                    _ = try await runner.run(prompt: Workflows.slow(steps: 1, delayMS: 0, seed: 5)) { _ in }
                    return "finished"
                } catch {
                    return String(describing: error)
                }
            }
            group.addTask {
                try? await waitUntil("pending") { (try await api.queue().pending.count) == 1 }
                if let id = try? await api.queue().pending.first?.promptID { try? await api.deleteFromQueue([id]) }
                return ""
            }
            var message = ""
            for await value in group where !value.isEmpty { message = value }
            return message
        }
        #expect(outcome.contains("left the queue without a history entry"))
    }

    @Test("the server drops every socket mid-run: the client reconnects and the job still ends correctly")
    func droppedSocket() async throws {
        let mock = try await MockHarness.start()
        defer { Task { await mock.stop() } }
        let api = try api(mock)
        defer { Task { await api.shutdown() } }
        let log = UpdateLog()
        let item = try await withThrowingTaskGroup(of: HistoryItem?.self) { group in
            group.addTask {
                try await JobRunner(api: api).run(prompt: Workflows.slow(steps: 30, delayMS: 50)) { log.append($0) }.1
            }
            group.addTask {
                try await waitUntil("running") { !(try await api.queue().running.isEmpty) }
                try await Task.sleep(for: .milliseconds(300))
                _ = try await mock.post("/mock/fault", json: .obj(("drop_websockets", true)))
                return nil
            }
            var item: HistoryItem?
            for try await value in group { if let value { item = value } }
            return item
        }
        #expect(item?.outcome == .success)
        let reconnects = log.all.filter {
            if case .connection(.reconnecting) = $0 { return true }
            return false
        }
        #expect(!reconnects.isEmpty)
    }

    @Test("the server restarts mid-run: the job is reported as vanished")
    func restart() async throws {
        let mock = try await MockHarness.start()
        defer { Task { await mock.stop() } }
        let api = try api(mock)
        defer { Task { await api.shutdown() } }
        let message = await withTaskGroup(of: String.self) { group in
            group.addTask {
                do {
                    _ = try await JobRunner(api: api).run(prompt: Workflows.slow(steps: 60, delayMS: 50)) { _ in }
                    return "finished"
                } catch {
                    return String(describing: error)
                }
            }
            group.addTask {
                try? await waitUntil("running") { !(try await api.queue().running.isEmpty) }
                _ = try? await mock.post("/mock/fault", json: .obj(("restart", true)))
                return ""
            }
            var message = ""
            for await value in group where !value.isEmpty { message = value }
            return message
        }
        #expect(message.contains("the server restarted"))
    }

    @Test("validation errors come back typed and rendered per node; partial graphs as warnings")
    func validation() async throws {
        let mock = try await MockHarness.start()
        defer { Task { await mock.stop() } }
        let api = try api(mock)
        defer { Task { await api.shutdown() } }
        var bad = Workflows.slow()
        bad = bad.setting("2", (bad["2"] ?? .null).setting("inputs", .obj(("image", ["1", 0]))))
        do {
            _ = try await api.submit(prompt: bad, clientID: nil)
            Issue.record("accepted an invalid prompt")
        } catch {
            guard case .validation(_, _, _, let nodes) = error else {
                Issue.record("wrong error \(error)")
                return
            }
            #expect(nodes.first?.rendered == "node 2 SlowSteps: Required input is missing: steps")
        }
        var partial = Workflows.slow(steps: 1, delayMS: 0)
        partial = partial.setting("9", .obj(("class_type", "PreviewImage"), ("inputs", .obj(("images", ["8", 0])))))
        partial = partial.setting(
            "8",
            .obj(
                ("class_type", "ImageScale"),
                (
                    "inputs",
                    .obj(
                        ("image", ["1", 0]), ("upscale_method", "nope"), ("width", 8), ("height", 8),
                        ("crop", "disabled"))
                )))
        let accepted = try await api.submit(prompt: partial, clientID: nil)
        #expect(accepted.warnings.map(\.nodeID) == ["8"])
    }

    @Test("connection refused is typed, says what to do, and is not retried until the deadline")
    func refused() async throws {
        let api = try ComfyAPI(endpoint: try Endpoint(url: "http://127.0.0.1:1"), requestTimeout: 30)
        defer { Task { await api.shutdown() } }
        do {
            _ = try await api.queue()
            Issue.record("expected an error")
        } catch {
            #expect(error == .connectionRefused(url: "http://127.0.0.1:1"))
            #expect(error.isUnreachable)
        }
    }
}
