import ComfyClient
import ComfyJSON
import Foundation

/// `watch --all` (or `--server a,b`): one stream for the fleet. Every server is watched by its own
/// `MonitorSession` inside a `FleetSession`; each server's events are the changes between its states (the same
/// projection as `watch`), and each event says its `server`. A server going up or down is an event too
/// (`"event": "server"`, with `state` live, connecting, reconnecting or down, and the reason).
enum FleetWatch {
    static func run(_ members: [FleetMember], json: Bool) async throws -> Int32 {
        // Fail fast, as `watch` does, when no server is there at all; the first server that answers starts the
        // stream (a silent host does not hold it back).
        if let errors = await noneAnswers(members) {
            for (member, error) in zip(members, errors) { report("\(member.name): \(error.description)", json: json) }
            return Exit.unreachable
        }
        let signal = InterruptSignal { Foundation.exit(Exit.interrupted) }
        defer { signal.cancel() }
        let fleet = FleetSession(members: members, store: nil, learnsFromHistory: false)
        let printer = FleetEventPrinter(json: json, initial: await fleet.state)
        await fleet.run { printer.next($0) }
        return 0
    }
}

extension FleetWatch {
    /// Each server's error when none can be reached; nil as soon as one answers (or answers an error: it is there).
    static func noneAnswers(_ members: [FleetMember]) async -> [ComfyError]? {
        await withTaskGroup(of: (Int, ComfyError?).self) { group in
            for (index, member) in members.enumerated() {
                group.addTask {
                    let result = await FleetCalls.one(member, budget: FleetCalls.budget) { _, api throws(ComfyError) in
                        try await api.queueRemaining()
                    }
                    if case .failure(let error) = result, error.isUnreachable { return (index, error) }
                    return (index, nil)
                }
            }
            var errors = [ComfyError?](repeating: nil, count: members.count)
            for await (index, error) in group {
                guard let error else {
                    group.cancelAll()
                    return nil
                }
                errors[index] = error
            }
            return errors.compactMap { $0 }
        }
    }
}

/// Projects each new fleet state to events, server by server (only the servers whose revision moved), and prints
/// them. States arrive one at a time from the fleet's actor; the lock only keeps the compiler's promise.
final class FleetEventPrinter: @unchecked Sendable {
    private let lock = NSLock()
    private let json: Bool
    private var previous: [FleetServer]
    private var projectors: [JobEventProjector]

    init(json: Bool, initial: FleetState) {
        self.json = json
        previous = initial.servers
        projectors = initial.servers.map { _ in JobEventProjector() }
    }

    func next(_ fleet: FleetState) {
        let now = Date()
        let lines: [String] = lock.withLock {
            var lines: [String] = []
            for (i, server) in fleet.servers.enumerated() where i < previous.count {
                let old = previous[i]
                guard server.revision != old.revision else { continue }
                if Self.kind(server.lamp) != Self.kind(old.lamp) {
                    lines.append(lampLine(server, now: now))
                }
                for event in projectors[i].events(from: old.monitor, to: server.monitor, now: now) {
                    lines.append(
                        json
                            ? JSONValue.object([("server", .string(server.name))] + (event.json.objectValue ?? []))
                                .pythonJSON
                            : "\(Format.pad(server.name, 12)) " + EventPrinter.line(event))
                }
                previous[i] = server
            }
            return lines
        }
        for line in lines { printLine(line) }
    }

    private func lampLine(_ server: FleetServer, now: Date) -> String {
        let state = Self.kind(server.lamp)
        let reason = server.lamp.reason?.words
        if json {
            return JSONValue.obj(
                ("server", .string(server.name)), ("event", "server"), ("state", .string(state)),
                ("url", .string(server.url)), ("reason", .optional(reason)),
                (
                    "time",
                    .string(
                        JobEvent(event: "server", promptID: "", source: .anonymous, via: .live, time: now)
                            .json["time"]?.stringValue ?? "")
                )
            ).pythonJSON
        }
        return "\(Format.pad(server.name, 12)) \(JobEvent.stampForHumans(now))  server \(state)"
            + (reason.map { "  \($0)" } ?? "")
    }

    static func kind(_ lamp: FleetLamp) -> String {
        switch lamp {
        case .connecting: return "connecting"
        case .live: return "live"
        case .reconnecting: return "reconnecting"
        case .down: return "down"
        }
    }
}
