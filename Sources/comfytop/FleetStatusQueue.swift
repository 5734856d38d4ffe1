import ComfyClient
import ComfyJSON
import Foundation

/// `status --all` (or `--server a,b`): one line a server.
enum FleetStatus {
    struct Answer: Sendable {
        var stats: SystemStats
        var queue: QueueSnapshot
    }

    static func run(_ members: [FleetMember], json: Bool) async -> Int32 {
        let results = await FleetCalls.each(members) { _, api throws(ComfyError) in
            Answer(stats: try await api.systemStats(), queue: try await api.queue())
        }
        if json {
            printJSON(.obj(("servers", .array(zip(members, results).map(Self.json)))))
            return FleetCalls.exitCode(results)
        }
        let width = FleetCalls.nameWidth(members)
        printLine(
            "\(Format.pad("SERVER", width)) \(Format.pad("STATE", 5)) \(Format.pad("VERSION", 8)) "
                + "\(Format.pad("RUN", 3)) \(Format.pad("PEND", 4)) \(Format.pad("VRAM USED", 20)) URL")
        for (member, result) in zip(members, results) {
            let name = Format.pad(member.name, width)
            let url = member.endpoint.displayURL
            switch result {
            case .success(let a):
                let total = a.stats.devices.reduce(0) { $0 + $1.vramTotal }
                let used = a.stats.devices.reduce(0) { $0 + $1.vramTotal - $1.vramFree }
                let vram = total > 0 ? "\(Format.bytes(used)) of \(Format.bytes(total))" : "-"
                printLine(
                    "\(name) \(Format.pad("up", 5)) \(Format.pad(a.stats.comfyUIVersion ?? "?", 8)) "
                        + "\(Format.pad(String(a.queue.running.count), 3)) \(Format.pad(String(a.queue.pending.count), 4)) "
                        + "\(Format.pad(vram, 20)) \(url)")
            case .failure(let error):
                printLine("\(name) \(Format.pad("down", 5)) \(FleetCalls.reason(error))  (\(url))")
            }
        }
        return FleetCalls.exitCode(results)
    }

    static func json(_ pair: (FleetMember, Result<Answer, ComfyError>)) -> JSONValue {
        let (member, result) = pair
        var fields: [(String, JSONValue)] = [
            ("server", .string(member.name)), ("url", .string(member.endpoint.displayURL)),
        ]
        switch result {
        case .success(let a):
            let devices = a.stats.devices.map {
                JSONValue.obj(
                    ("name", .string($0.name)), ("type", .string($0.type)), ("vram_total", .int($0.vramTotal)),
                    ("vram_free", .int($0.vramFree)))
            }
            fields += [
                ("reachable", true), ("version", .optional(a.stats.comfyUIVersion)), ("devices", .array(devices)),
                ("running", .int(a.queue.running.count)), ("pending", .int(a.queue.pending.count)), ("error", .null),
            ]
        case .failure(let error):
            fields += [
                ("reachable", .bool(!error.isUnreachable)), ("version", .null), ("devices", []), ("running", .null),
                ("pending", .null), ("error", .string(FleetCalls.reason(error))),
            ]
        }
        return .object(fields)
    }
}

/// `queue --all`: every server's running and pending jobs, with a server column.
enum FleetQueue {
    static func run(_ members: [FleetMember], json: Bool) async -> Int32 {
        let results = await FleetCalls.each(members) { _, api throws(ComfyError) in try await api.queue() }
        if json {
            var items: [JSONValue] = []
            var servers: [JSONValue] = []
            for (member, result) in zip(members, results) {
                switch result {
                case .success(let queue):
                    let rows =
                        queue.running.map { ($0, "running", 0) }
                        + queue.pending.enumerated().map { ($0.element, "pending", $0.offset + 1) }
                    for (q, state, position) in rows {
                        items.append(
                            .obj(
                                ("server", .string(member.name)), ("prompt_id", .string(q.promptID)),
                                ("state", .string(state)), ("position", .int(position)), ("number", .double(q.number)),
                                ("client_id", .optional(q.clientID)), ("nodes", .int(q.prompt.objectValue?.count ?? 0)),
                                ("outputs", .array(q.outputNodes.map { .string($0) }))))
                    }
                    servers.append(
                        .obj(
                            ("server", .string(member.name)), ("running", .int(queue.running.count)),
                            ("pending", .int(queue.pending.count)), ("error", .null)))
                case .failure(let error):
                    servers.append(
                        .obj(
                            ("server", .string(member.name)), ("running", .null), ("pending", .null),
                            ("error", .string(FleetCalls.reason(error)))))
                }
            }
            printJSON(.obj(("servers", .array(servers)), ("items", .array(items))))
            return FleetCalls.exitCode(results)
        }
        let width = FleetCalls.nameWidth(members)
        var lines: [String] = []
        var down: [String] = []
        for (member, result) in zip(members, results) {
            switch result {
            case .success(let queue):
                for (q, state) in queue.running.map({ ($0, "running") }) + queue.pending.map({ ($0, "pending") }) {
                    lines.append(
                        "\(Format.pad(member.name, width)) \(Format.pad(state, 9)) \(Format.pad(String(Int(q.number)), 6)) "
                            + "\(Format.pad(q.promptID, 36)) \(q.clientID ?? "(none)")")
                }
            case .failure(let error):
                down.append("\(member.name): \(FleetCalls.reason(error)) (\(member.endpoint.displayURL))")
            }
        }
        if lines.isEmpty {
            printLine(down.count == members.count ? "no server answered" : "every queue is empty")
        } else {
            printLine(
                "\(Format.pad("SERVER", width)) \(Format.pad("STATE", 9)) \(Format.pad("#", 6)) "
                    + "\(Format.pad("PROMPT_ID", 36)) CLIENT")
            for line in lines { printLine(line) }
        }
        for line in down { Output.error("comfytop: \(line)\n") }
        return FleetCalls.exitCode(results)
    }
}
