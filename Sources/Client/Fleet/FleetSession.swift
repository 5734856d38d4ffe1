import Foundation
import NIOCore
import NIOPosix

/// Watches a fleet: one `MonitorSession` a server, each with its own connections, socket event loop and backoff,
/// and a probe for servers that are not live (a typed reason, and a verdict on a host that accepts a connection
/// and never answers). Every change is published as a whole `FleetState` through `onState`.
///
/// Isolation: no server waits on another. Each session runs in a task of its own; states cross into this actor
/// through a per-server box that keeps only the latest (a burst from one busy server is one update here), and the
/// first state (every server `connecting`) is published before anything is read, so a first frame never waits
/// for a slow host.
public actor FleetSession {
    /// The event loop of the whole fleet: every server's socket is read on it, every session and this actor run on
    /// it. A burst of messages from many servers is one wake-up of one thread, and a state goes from a session to
    /// the fleet without a thread hop or a task (B8). Nothing on it blocks: HTTP reads are awaited, not waited for.
    public nonisolated let loop: any EventLoop
    public nonisolated var unownedExecutor: UnownedSerialExecutor { loop.executor.asUnownedSerialExecutor() }
    public nonisolated let members: [FleetMember]
    /// One session a member (nil where the member could not be set up, e.g. an unreadable CA file).
    public nonisolated let sessions: [MonitorSession?]
    let apis: [ComfyAPI?]
    public private(set) var state: FleetState
    private var onState: @Sendable (FleetState) -> Void = { _ in }
    private let boxes: [LatestBox]
    private var probeErrors: [ComfyError?]
    private var nextProbe: [Date?]
    /// The budget of one probe: a host that has not answered by then is "no answer".
    public nonisolated let probeTimeout: Double
    /// The wait between two probes of a server that is not live.
    public nonisolated let probePeriod: Double

    /// Sets up one session a member; nothing is connected before `run`. `store`: where every server's finished
    /// runs are recorded (each under its own URL). `requestTimeout`: the HTTP budget of each server's reads.
    public init(
        members: [FleetMember], store: LocalHistory? = nil, learnsFromHistory: Bool = true,
        requestTimeout: Double = 10, probeTimeout: Double = 4, probePeriod: Double = 5
    ) {
        let loop = MultiThreadedEventLoopGroup.singleton.next()
        self.loop = loop
        self.members = members
        self.probeTimeout = probeTimeout
        self.probePeriod = probePeriod
        var apis: [ComfyAPI?] = []
        var sessions: [MonitorSession?] = []
        var servers: [FleetServer] = []
        var errors: [ComfyError?] = []
        for member in members {
            var server = FleetServer(
                name: member.name, color: member.color, url: member.endpoint.displayURL,
                monitor: MonitorState(serverURL: member.endpoint.displayURL, ownClientID: ""))
            do {
                let api = try ComfyAPI(endpoint: member.endpoint, requestTimeout: requestTimeout)
                let clientID = EventStream.newClientID()
                let session = MonitorSession(
                    api: api, clientID: clientID, store: store, learnsFromHistory: learnsFromHistory, loop: loop)
                apis.append(api)
                sessions.append(session)
                server.monitor = MonitorState(serverURL: member.endpoint.displayURL, ownClientID: clientID)
                errors.append(nil)
            } catch {
                apis.append(nil)
                sessions.append(nil)
                errors.append(error)
                server.lamp = .down(reason: FleetDownReason(error), retryAt: nil)
                server.lastError = error.description
            }
            servers.append(server)
        }
        self.apis = apis
        self.sessions = sessions
        probeErrors = errors
        nextProbe = Array(repeating: nil, count: members.count)
        boxes = members.map { _ in LatestBox() }
        state = FleetState(servers: servers)
    }

    /// The session of the server at `index` (for its actions: interrupt, cancel, download…).
    public nonisolated func session(at index: Int) -> MonitorSession? {
        sessions.indices.contains(index) ? sessions[index] : nil
    }

    /// Runs every server until the task is cancelled; then closes their connection pools.
    public func run(onState: @escaping @Sendable (FleetState) -> Void) async {
        self.onState = onState
        onState(state)
        await withTaskGroup(of: Void.self) { group in
            for index in members.indices {
                guard let session = sessions[index], let api = apis[index] else { continue }
                let box = boxes[index]
                group.addTask { [loop] in
                    await session.run { monitor in
                        // On the loop already (the session runs there): the pull is queued behind this read's other
                        // messages, so a burst from many servers is taken once each.
                        if box.put(monitor) { loop.execute { self.assumeIsolated { $0.pull(index) } } }
                    }
                }
                group.addTask { await self.probeLoop(index, api: api) }
            }
            await group.waitForAll()
        }
        for case let api? in apis { await api.shutdown() }
    }

    /// Takes the server's latest monitor state from its box.
    private func pull(_ index: Int) {
        guard let monitor = boxes[index].take() else { return }
        var server = state.servers[index]
        server.monitor = monitor
        if case .connected = monitor.connection {
            server.wasLive = true
            probeErrors[index] = nil
        }
        if let message = monitor.messages.last(where: { $0.level == .error }) {
            server.lastError = message.text
            server.lastErrorAt = message.time
        }
        publish(index, server, changed: true)
    }

    /// Probes a server that is not live: `/system_stats` within `probeTimeout`. Runs until cancelled.
    private func probeLoop(_ index: Int, api: ComfyAPI) async {
        while !Task.isCancelled {
            if !state.servers[index].lamp.isLive {
                let error = await Self.probe(api, seconds: probeTimeout)
                nextProbe[index] = Date().addingTimeInterval(probePeriod)
                probed(index, error)
            }
            try? await Task.sleep(for: .milliseconds(Int(probePeriod * 1000)))
        }
    }

    private func probed(_ index: Int, _ error: ComfyError?) {
        probeErrors[index] = error
        var server = state.servers[index]
        if let error {
            server.lastError = FleetDownReason(error).words
            server.lastErrorAt = Date()
        }
        publish(index, server, changed: false)
    }

    /// Recomputes the server's lamp and hands the fleet on when the server changed. `changed`: its monitor state
    /// is new (no need to compare it, which costs a look at every job).
    private func publish(_ index: Int, _ updated: FleetServer, changed: Bool) {
        var server = updated
        if sessions[index] != nil {
            server.lamp = FleetLamp.of(
                connection: server.monitor.connection, probeError: probeErrors[index], wasLive: server.wasLive,
                nextProbe: nextProbe[index])
            if server.lamp.isLive, server.lastError != nil,
                server.monitor.messages.last(where: { $0.level == .error })?.text != server.lastError
            {
                // Back to live: the probe's complaint is history.
                server.lastError = nil
                server.lastErrorAt = nil
            }
        }
        let old = state.servers[index]
        guard changed || server.lamp != old.lamp || server.lastError != old.lastError else { return }
        server.revision += 1
        state.servers[index] = server
        onState(state)
    }

    /// The error `/system_stats` answered within `seconds` (nil: it answered as ComfyUI does).
    public static func probe(_ api: ComfyAPI, seconds: Double) async -> ComfyError? {
        await withTaskGroup(of: ComfyError?.self) { group in
            group.addTask {
                do throws(ComfyError) {
                    _ = try await api.systemStats()
                    return nil
                } catch {
                    return error
                }
            }
            group.addTask {
                try? await Task.sleep(for: .milliseconds(Int(seconds * 1000)))
                return .timeout(url: api.endpoint.displayURL, seconds: seconds)
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first
        }
    }
}

/// The latest state of one server, between its session's thread and the fleet actor: `put` says whether a pull
/// must be scheduled (none is pending), so a burst of states costs one hop.
final class LatestBox: @unchecked Sendable {
    private let lock = NSLock()
    private var value: MonitorState?
    private var pending = false

    func put(_ state: MonitorState) -> Bool {
        lock.withLock {
            value = state
            defer { pending = true }
            return !pending
        }
    }

    func take() -> MonitorState? {
        lock.withLock {
            pending = false
            defer { value = nil }
            return value
        }
    }
}
