import ComfyTestSupport
import Foundation
import NIOCore
import NIOEmbedded
import Testing

@testable import ComfyClient

@Suite("The greeting deadline: a host that accepts and never answers is retried, not waited on forever")
struct GreetingDeadlineTests {
    /// The events a stream yielded so far, for waiting on a condition.
    typealias EventLog = LockedLog<ClientEvent>

    static func reasons(_ events: [ClientEvent]) -> [String] {
        events.compactMap { event in
            if case .connection(.reconnecting(_, _, let reason)) = event { return reason }
            return nil
        }
    }

    static func isConnected(_ event: ClientEvent) -> Bool {
        if case .connection(.connected) = event { return true }
        return false
    }

    @Test("a silent host fails each attempt with \"no answer from HOST within T s\"; once it answers, one connects")
    func silentThenAnswering() async throws {
        let mock = try await MockHarness.start()
        defer { Task { await mock.stop() } }
        let host = try WakingListener()
        defer { host.stop() }
        var stream = EventStream(
            endpoint: try Endpoint(url: "http://127.0.0.1:\(host.port)"),
            policy: ReconnectPolicy(initialDelay: 0.1, maxDelay: 0.2))
        // Short, yet long enough for an upgrade through the relay on a loaded machine (the whole suite at once).
        stream.greetingTimeout = .seconds(2)
        let log = EventLog()
        let reader = Task {
            for await event in stream.events() { log.append(event) }
        }
        defer { reader.cancel() }
        let expected = "no answer from http://127.0.0.1:\(host.port) within 2 s"
        try await log.wait(deadline: 60) { Self.reasons($0).contains(expected) }
        #expect(!log.all.contains(where: Self.isConnected))
        host.wake(relayingTo: mock.port)
        try await log.wait(deadline: 60) { $0.contains(where: Self.isConnected) }
        // The stream goes on as any other: server messages follow the greeting.
        try await log.wait(deadline: 30) { events in
            events.contains { if case .server(.status) = $0 { return true } else { return false } }
        }
    }

    @Test("cancelling closes the attempt's channel whether or not the server greeted; finishing forgets it")
    func cancelCloses() throws {
        for greetFirst in [false, true] {
            let channel = EmbeddedChannel()
            try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
            let deadline = GreetingDeadline(budget: .seconds(600))
            deadline.attach(channel)
            if greetFirst { deadline.greeted() }
            deadline.cancel()
            #expect(!channel.isActive)
            #expect(!deadline.expired)
        }
        let kept = EmbeddedChannel()
        try kept.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
        let finished = GreetingDeadline(budget: .seconds(600))
        finished.attach(kept)
        finished.greeted()
        finished.finish()
        finished.cancel()
        #expect(kept.isActive)
    }

    @Test("the default budget is 10 s; a task-local budget reaches the streams made inside it")
    func budget() throws {
        let endpoint = try Endpoint(url: "http://127.0.0.1:1")
        #expect(EventStream(endpoint: endpoint).greetingTimeout == .seconds(10))
        let short = EventStream.$greetingBudget.withValue(.milliseconds(250)) { EventStream(endpoint: endpoint) }
        #expect(short.greetingTimeout == .milliseconds(250))
        #expect(GreetingDeadline(budget: .milliseconds(2500)).seconds == 2.5)
    }

    @Test("cancelling a stream whose attempt hangs on a silent host ends it (nothing left waiting on the socket)")
    func cancelWhileSilent() async throws {
        let host = try WakingListener()
        defer { host.stop() }
        var stream = EventStream(endpoint: try Endpoint(url: "http://127.0.0.1:\(host.port)"))
        stream.greetingTimeout = .seconds(600)
        let log = EventLog()
        let runner = Task {
            await stream.run { log.append($0) }
        }
        try await log.wait(deadline: 60) { _ in host.acceptedCount >= 1 }
        runner.cancel()
        try await log.wait(deadline: 60) { events in
            events.contains { if case .connection(.offline) = $0 { return true } else { return false } }
        }
    }

    @Test("through a fleet: a silent host's lamp is down (\"no answer\"), then live once the host answers")
    func fleetLampWakes() async throws {
        let mock = try await MockHarness.start()
        defer { Task { await mock.stop() } }
        let host = try WakingListener()
        defer { host.stop() }
        let members = [FleetMember(name: "sleepy", endpoint: try Endpoint(url: "http://127.0.0.1:\(host.port)"))]
        let fleet = EventStream.$greetingBudget.withValue(.seconds(2)) {
            FleetSession(members: members, learnsFromHistory: false, probeTimeout: 1, probePeriod: 0.5)
        }
        let seen = StateLog()
        let task = Task { await fleet.run { seen.set($0) } }
        defer { task.cancel() }
        let down = try await seen.wait(deadline: 60) { $0.servers[0].lamp.reason == .timeout(seconds: 1) }
        #expect(down.servers[0].lastError == "no answer in 1 s")
        host.wake(relayingTo: mock.port)
        let live = try await seen.wait(deadline: 60) { $0.servers[0].lamp == .live }
        #expect(live.servers[0].lamp.reason == nil)
    }
}
