import ComfyClient
import Foundation

extension MonitorApp {
    /// The screen for a fleet: the fleet screen first, each server's own screen on Enter. Nil when no server of
    /// the fleet could be set up at all.
    public convenience init?(
        fleet: FleetSession, options: MonitorOptions, initial: FleetState, reader: (any HistoryReader)? = nil
    ) {
        guard let first = fleet.sessions.compactMap({ $0 }).first, let monitor = initial.servers.first?.monitor
        else { return nil }
        self.init(session: first, options: options, initial: monitor, reader: reader)
        self.fleet = fleet
        fleetStates = Mailbox(initial, wakeup: wakeup)
    }
}
