import ComfyJSON
import ComfyMock
import ComfyTestSupport
import Foundation
import Testing

@testable import ComfyClient

#if canImport(Glibc)
    import Glibc
#endif

@Suite("The fleet: which servers, lamps and reasons, isolation")
struct FleetTests {
    static let config = """
        default = "gpu"

        [servers.gpu]
        url = "http://10.0.0.5:8188"
        token = "t-gpu"
        color = "cyan"

        [servers.lab]
        url = "https://lab.example/comfy"
        user = "alice"
        password = "pw"

        [servers.attic]
        url = "http://attic:8188"
        """

    func members(_ selection: FleetSelection, options: ServerOptions = ServerOptions()) throws -> [FleetMember] {
        try selection.members(options: options, config: try ServerConfig.parse(Self.config), environment: [:])
    }

    @Test("--all: every [servers.NAME] by name, each with its own URL, auth and colour")
    func all() throws {
        let fleet = try members(FleetSelection(server: nil, url: nil, all: true))
        #expect(fleet.map(\.name) == ["attic", "gpu", "lab"])
        #expect(
            fleet.map(\.endpoint.displayURL) == [
                "http://attic:8188", "http://10.0.0.5:8188", "https://lab.example/comfy",
            ])
        #expect(fleet[1].endpoint.auth.bearerToken == "t-gpu")
        #expect(fleet[2].endpoint.auth.basicUser == "alice")
        #expect(fleet[1].color == "cyan")
        #expect(fleet[0].color == nil)
    }

    @Test("--server a,b,URL: names and URLs in the order given; a server named twice is kept once")
    func namesAndURLs() throws {
        let selection = FleetSelection(server: "lab, gpu,http://127.0.0.1:9000,gpu", url: nil, all: false)
        #expect(selection.isFleet)
        let fleet = try members(selection)
        #expect(fleet.map(\.name) == ["lab", "gpu", "127.0.0.1:9000"])
    }

    @Test("several --url values are a fleet named host:port; flags' credentials apply to them")
    func urls() throws {
        var options = ServerOptions()
        options.token = "flag-token"
        let fleet = try members(
            FleetSelection(server: nil, url: "http://127.0.0.1:1,http://127.0.0.1:2/sub", all: false),
            options: options)
        #expect(fleet.map(\.name) == ["127.0.0.1:1", "127.0.0.1:2/sub"])
        #expect(fleet.allSatisfy { $0.endpoint.auth.bearerToken == "flag-token" })
    }

    @Test("one server is not a fleet; an unknown name is an error that lists the known ones")
    func single() throws {
        #expect(!FleetSelection(server: "gpu", url: nil, all: false).isFleet)
        #expect(!FleetSelection(server: "gpu", url: "http://x:1", all: false).isFleet)
        #expect(throws: ComfyError.self) { try members(FleetSelection(server: "gpu,nope", url: nil, all: false)) }
        let empty = FleetSelection(server: nil, url: nil, all: true)
        #expect(throws: ComfyError.self) {
            try empty.members(options: ServerOptions(), config: ServerConfig(), environment: [:])
        }
    }

    @Test(
        "lamps: live, connecting, down with the probe's typed reason, reconnecting once it was live",
        arguments: [
            (ComfyError.connectionRefused(url: "u"), FleetDownReason.refused, "connection refused"),
            (.timeout(url: "u", seconds: 4), .timeout(seconds: 4), "no answer in 4 s"),
            (.unauthorized(url: "u", status: 401, authSummary: "none"), .unauthorized(status: 401), "401 unauthorized"),
            (.unauthorized(url: "u", status: 403, authSummary: "none"), .unauthorized(status: 403), "403 forbidden"),
            (.hostNotFound(url: "u"), .dns, "host not found (DNS)"),
        ])
    func lamps(error: ComfyError, reason: FleetDownReason, words: String) {
        let at = Date(timeIntervalSince1970: 100)
        #expect(
            FleetLamp.of(connection: .connected(sid: "s"), probeError: error, wasLive: false, nextProbe: at) == .live)
        #expect(FleetLamp.of(connection: .connecting, probeError: nil, wasLive: false, nextProbe: at) == .connecting)
        #expect(
            FleetLamp.of(connection: .connecting, probeError: error, wasLive: false, nextProbe: at)
                == .down(reason: reason, retryAt: at))
        let retry = Date(timeIntervalSince1970: 200)
        let dropped = ConnectionStatus.reconnecting(attempt: 2, retryAt: retry, reason: "connection closed")
        #expect(
            FleetLamp.of(connection: dropped, probeError: error, wasLive: true, nextProbe: at)
                == .reconnecting(retryAt: retry, reason: reason))
        #expect(reason.words == words)
    }

    @Test("the socket's sentence is classified when no probe has failed")
    func streamReasons() {
        #expect(FleetDownReason(streamReason: "connection refused (is ComfyUI running at x?)") == .refused)
        #expect(
            FleetDownReason(streamReason: "the server refused the WebSocket upgrade at x/ws (a proxy…)") != .refused)
        #expect(FleetDownReason(streamReason: "TLS handshake failed") == .tls("TLS handshake failed"))
        #expect(FleetDownReason(streamReason: "connection closed") == .other("connection closed"))
        #expect(
            FleetDownReason(streamReason: "no answer from http://h:8188 within 10 s") == .timeout(seconds: 10))
        // A URL whose port or host reads like another reason does not change the verdict.
        #expect(
            FleetDownReason(streamReason: "no answer from http://ssl-gpu:4013 within 10 s") == .timeout(seconds: 10))
        #expect(
            FleetDownReason(streamReason: "no answer to a ping within 2 s (the connection was closed)")
                == .timeout(seconds: 2))
    }

    @Test("a fleet of a live mock, a refusing port, a silent host and a 401 proxy: each row says why, none waits")
    func isolation() async throws {
        let mock = try await MockHarness.start()
        defer { Task { await mock.stop() } }
        let silent = try SilentListener()
        defer { silent.close() }
        let proxy = try LoopbackServer { _ in .http("401 Unauthorized", body: "no") }
        defer { proxy.stop() }
        let refusedPort = try SilentListener.freePort()
        let members = try [
            FleetMember(name: "live", endpoint: Endpoint(url: mock.baseURL)),
            FleetMember(name: "refused", endpoint: Endpoint(url: "http://127.0.0.1:\(refusedPort)")),
            FleetMember(name: "silent", endpoint: Endpoint(url: "http://127.0.0.1:\(silent.port)")),
            FleetMember(name: "proxy", endpoint: Endpoint(url: "http://127.0.0.1:\(proxy.port)")),
        ]
        let fleet = FleetSession(members: members, learnsFromHistory: false, probeTimeout: 1.5, probePeriod: 1)
        let seen = StateLog()
        let task = Task { await fleet.run { seen.set($0) } }
        defer { task.cancel() }
        // The first state comes at once, every row present.
        let first = try await seen.wait(deadline: 5) { $0.servers.count == 4 }
        #expect(first.servers.map(\.name) == ["live", "refused", "silent", "proxy"])
        let settled = try await seen.wait(deadline: 30) { s in
            s.servers[0].lamp == .live && s.servers[0].version != nil
                && s.servers[1].lamp.reason == .refused
                && s.servers[2].lamp.reason == .timeout(seconds: 1.5)
                && s.servers[3].lamp.reason == .unauthorized(status: 401)
        }
        #expect(settled.servers[1].lastError == "connection refused")
        #expect(settled.servers[2].lastError == "no answer in 1.5 s")
        #expect(settled.servers[0].lastError == nil)
        if case .down(_, let at) = settled.servers[1].lamp { #expect(at != nil) } else { Issue.record("not down") }
        // A job on the live server shows in its row and in the fleet's queue, with its server.
        _ = try await mock.post("/prompt", json: .obj(("prompt", Workflows.slow(steps: 30, delayMS: 50))))
        let busy = try await seen.wait(deadline: 20) { $0.servers[0].runningID != nil }
        #expect(busy.servers[0].running == 1)
        #expect(busy.jobs(now: Date()).first?.server == 0)
    }

    @Test("a live server that goes away is reconnecting with its reason and a countdown; the others stay live")
    func reconnecting() async throws {
        let leaving = try await MockHarness.start()
        let staying = try await MockHarness.start()
        defer { Task { await staying.stop() } }
        let members = try [
            FleetMember(name: "leaving", endpoint: Endpoint(url: leaving.baseURL)),
            FleetMember(name: "staying", endpoint: Endpoint(url: staying.baseURL)),
        ]
        let fleet = FleetSession(members: members, learnsFromHistory: false, probeTimeout: 1.5, probePeriod: 1)
        let seen = StateLog()
        let task = Task { await fleet.run { seen.set($0) } }
        defer { task.cancel() }
        _ = try await seen.wait(deadline: 20) { $0.servers.allSatisfy { $0.lamp == .live } }
        await leaving.stop()
        let after = try await seen.wait(deadline: 20) { s in
            if case .reconnecting(let at, .refused) = s.servers[0].lamp { return at != nil }
            return false
        }
        #expect(after.servers[1].lamp == .live)
        #expect(after.servers[0].wasLive)
        #expect(after.servers[0].lastError != nil)
    }
}

/// The states a fleet published, for tests that wait on a condition.
final class StateLog: @unchecked Sendable {
    private let lock = NSLock()
    private var latest: FleetState?
    func set(_ state: FleetState) { lock.withLock { latest = state } }

    func wait(deadline seconds: Double, until condition: (FleetState) -> Bool) async throws -> FleetState {
        let end = Date().addingTimeInterval(seconds)
        while Date() < end {
            if let state = lock.withLock({ latest }), condition(state) { return state }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw FleetTestError(
            "condition not met in \(seconds) s; last: \(String(describing: lock.withLock { latest?.servers.map { ($0.name, $0.lamp) } }))"
        )
    }
}

struct FleetTestError: Error, CustomStringConvertible {
    var description: String
    init(_ text: String) { description = text }
}

/// A TCP listener that never accepts: the kernel completes the handshake and the peer waits forever.
final class SilentListener: @unchecked Sendable {
    let fd: Int32
    let port: Int

    init() throws {
        (fd, port) = try loopbackSocket()
    }

    func close() { _ = Glibc.close(fd) }

    /// A port nothing listens on (bound, then closed).
    static func freePort() throws -> Int {
        let (fd, port) = try loopbackSocket(listen: false)
        _ = Glibc.close(fd)
        return port
    }
}
