import Foundation

/// One server as the fleet sees it: its name and colour, the lamp, and its monitor's whole state.
public struct FleetServer: Sendable, Equatable {
    public var name: String
    public var color: String?
    public var url: String
    public var lamp: FleetLamp = .connecting
    /// Everything the server's `MonitorSession` knows (jobs, queue, version, devices, messages).
    public var monitor: MonitorState
    /// The last thing that went wrong: a failed probe, a dropped connection, an error message of the monitor.
    public var lastError: String?
    /// When `lastError` happened.
    public var lastErrorAt: Date?
    /// It was live at some point of this session (a later failure is "reconnecting", not "down").
    public var wasLive = false
    /// Counts this server's changes: a consumer compares it to skip the servers that did not change.
    public var revision = 0

    public init(name: String, color: String?, url: String, monitor: MonitorState) {
        self.name = name
        self.color = color
        self.url = url
        self.monitor = monitor
    }

    public var version: String? { monitor.version }
    public var runningID: String? { monitor.runningID }
    public var running: Int { monitor.runningID == nil ? 0 : 1 }
    public var pending: Int { monitor.pendingIDs.count }

    /// VRAM in use and in all over the server's devices (nil: no stats yet, or no GPU reported).
    public var vram: (used: Int, total: Int)? {
        let total = monitor.devices.reduce(0) { $0 + $1.vramTotal }
        guard total > 0 else { return nil }
        let free = monitor.devices.reduce(0) { $0 + $1.vramFree }
        return (max(0, total - free), total)
    }
}

/// The whole fleet: one entry a server, in the order they were given. A value; `FleetSession` makes the next.
public struct FleetState: Sendable, Equatable {
    public var servers: [FleetServer]

    public init(servers: [FleetServer]) { self.servers = servers }

    public var liveCount: Int { servers.filter { $0.lamp.isLive }.count }

    /// The index of the server named `name`.
    public func index(of name: String) -> Int? { servers.firstIndex { $0.name == name } }

    /// Every server's jobs as the queue lists them (running, pending, lingering finished), each with its server's
    /// index, ordered by when they should end: running first by the server's ETA, then pending by chained ETA,
    /// unknown last; finished last, newest first.
    public func jobs(now: Date) -> [(server: Int, job: MonitorJob)] {
        var out: [(server: Int, position: Int, job: MonitorJob, finish: Double)] = []
        let unknown = 1e15
        for (i, server) in servers.enumerated() {
            let m = server.monitor
            let times = m.finishTimes(now: now)
            for (position, job) in Self.queue(of: m, now: now).enumerated() {
                let finish: Double
                switch job.state {
                case .running: finish = times[job.id]?.timeIntervalSince(now) ?? unknown
                case .pending: finish = times[job.id]?.timeIntervalSince(now) ?? 2 * unknown
                default: finish = 3 * unknown - (job.endedAt ?? now).timeIntervalSince(now)
                }
                out.append((i, position, job, finish))
            }
        }
        out.sort { a, b in
            if a.finish != b.finish { return a.finish < b.finish }
            return a.server != b.server ? a.server < b.server : a.position < b.position
        }
        return out.map { ($0.server, $0.job) }
    }

    /// What the server's queue pane lists (running, pending, finished jobs still lingering), looking at the newest
    /// 32 finished jobs only (ids are newest first; a job lingers 8 s), not at the server's last 200.
    static func queue(of m: MonitorState, now: Date) -> [MonitorJob] {
        var out: [MonitorJob] = []
        if let id = m.runningID, let job = m.jobs[id] { out.append(job) }
        for id in m.pendingIDs { if let job = m.jobs[id] { out.append(job) } }
        for id in m.finishedIDs.prefix(32) {
            if let job = m.jobs[id], (job.lingerUntil ?? .distantPast) > now { out.append(job) }
        }
        return out
    }
}
