import ArgumentParser
import ComfyClient
import ComfyTUI
import Foundation

extension MonitorCommand {
    /// The monitor over several servers: no preflight (a server that is down is a row that says why, not a reason
    /// to refuse the others), the fleet screen first.
    func runFleet(_ members: [FleetMember]) async throws {
        guard isatty(STDOUT_FILENO) == 1, isatty(STDIN_FILENO) == 1 else {
            throw CommandFailure(
                "the monitor needs a terminal (stdin and stdout are not one). For scripts use: comfytop watch --json")
        }
        let fleet = FleetSession(members: members, store: try? store.open())
        let initial = await fleet.state
        guard let app = MonitorApp(fleet: fleet, options: try screen.options(), initial: initial) else {
            let reasons = initial.servers.compactMap { server in server.lastError.map { "\(server.name): \($0)" } }
            throw CommandFailure("no server could be set up: " + reasons.joined(separator: "; "))
        }
        let status = await app.run()
        if status != 0 { throw ExitCode(status) }
    }
}
