import ComfyClient
import Foundation

/// The fleet screen's own state: the fleet as last published, which server row is selected, and which server's
/// single-server screen is open (nil: the fleet screen). Part of `AppModel` when more than one server is watched.
public struct FleetModel: Sendable, Equatable {
    /// How the fleet's job list is ordered.
    public enum Sort: String, Sendable, CaseIterable {
        /// When each job should end (running first, by ETA; then pending, chained; finished last, newest first).
        case finish
        /// Server by server, in the order they were given.
        case server
    }

    public var state: FleetState
    /// The server row under the cursor.
    public var selected = 0
    /// The server whose screen is open (nil: the fleet screen).
    public var focused: Int?
    public var sort: Sort = .finish
    /// Each server's monitor messages up to this time have been announced (`--notify`, `--log`).
    public var seenUntil: [Date]

    public init(state: FleetState) {
        self.state = state
        seenUntil = state.servers.map { $0.monitor.messages.last?.time ?? .distantPast }
    }

    /// The server the single-server parts of the model (`AppModel.monitor`, actions) are about.
    public var current: Int { focused ?? selected }

    /// The fleet's jobs in the chosen order, after the filter: each with its server's index.
    public func jobs(filter: String, now: Date) -> [(server: Int, job: MonitorJob)] {
        var all = state.jobs(now: now)
        if sort == .server {
            all = state.servers.indices.flatMap { i in all.filter { $0.server == i } }
        }
        guard !filter.isEmpty else { return all }
        let needle = filter.lowercased()
        return all.filter { entry in
            state.servers[entry.server].name.lowercased().contains(needle)
                || Self.matches(entry.job, needle: needle)
        }
    }

    /// The single-server filter's test (id, client, source, state, node classes and titles).
    static func matches(_ job: MonitorJob, needle: String) -> Bool {
        job.id.lowercased().contains(needle) || (job.clientID ?? "").lowercased().contains(needle)
            || job.source.rawValue.contains(needle) || job.state.rawValue.contains(needle)
            || job.nodes.contains {
                $0.classType.lowercased().contains(needle) || $0.title.lowercased().contains(needle)
            }
    }

    /// The servers whose name matches the filter (all when it is empty), as indices.
    public func servers(filter: String, now: Date) -> [Int] {
        guard !filter.isEmpty else { return Array(state.servers.indices) }
        let needle = filter.lowercased()
        let jobs = Set(jobs(filter: filter, now: now).map(\.server))
        return state.servers.indices.filter {
            state.servers[$0].name.lowercased().contains(needle) || jobs.contains($0)
        }
    }
}

extension AppModel {
    /// Makes the model a fleet's: the fleet screen first, and a history browser over every server's runs (with a
    /// server column; `s` steps through the fleet's servers).
    public mutating func enterFleet(_ state: FleetState) {
        fleet = FleetModel(state: state)
        if app.history != nil {
            var history = HistoryBrowserState(server: nil)
            history.serverChoices = state.servers.map(\.url)
            app.history = history
        }
    }
}
