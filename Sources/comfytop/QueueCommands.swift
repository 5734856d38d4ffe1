import ArgumentParser
import ComfyClient
import ComfyJSON
import Foundation

struct QueueCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "queue", abstract: "List the running and pending jobs of every client.")

    @OptionGroup var server: ServerFlags
    @Flag(help: "Print JSON.") var json = false

    func run() async throws {
        if try await FleetCalls.command(server, json: json, { await FleetQueue.run($0, json: json) }) { return }
        try await withAPI(server, json: json) { api in
            let queue = try await api.queue()
            if json {
                func item(_ q: QueueItem, _ state: String, _ position: Int) -> JSONValue {
                    let times = ShowTimes.queued(q, running: state == "running")
                    return JSONValue.obj(
                        ("prompt_id", .string(q.promptID)), ("state", .string(state)), ("position", .int(position)),
                        ("number", .double(q.number)), ("client_id", .optional(q.clientID)),
                        ("nodes", .int(q.prompt.objectValue?.count ?? 0)),
                        ("outputs", .array(q.outputNodes.map { .string($0) }))
                    ).appendingPairs(of: times.json)
                }
                let items =
                    queue.running.map { item($0, "running", 0) }
                    + queue.pending.enumerated().map { item($0.element, "pending", $0.offset + 1) }
                printJSON(
                    .obj(
                        ("running", .int(queue.running.count)), ("pending", .int(queue.pending.count)),
                        ("items", .array(items))))
                return 0
            }
            if queue.isEmpty {
                printLine("the queue is empty")
                return 0
            }
            printLine(
                "\(Format.pad("STATE", 9)) \(Format.pad("#", 6)) \(Format.pad("PROMPT_ID", 36)) \(Format.pad("WAITING", 8)) CLIENT"
            )
            for (q, state) in queue.running.map({ ($0, "running") }) + queue.pending.map({ ($0, "pending") }) {
                let number = Format.pad(String(Int(q.number)), 6)
                // How long a pending job has waited (servers that stamp create_time); "-" for the running one.
                let waiting = state == "pending" ? ShowTimes.queued(q, running: false).sinceSeconds : nil
                printLine(
                    "\(Format.pad(state, 9)) \(number) \(Format.pad(q.promptID, 36)) "
                        + "\(Format.pad(waiting.map(Format.duration) ?? "-", 8)) \(q.clientID ?? "(none)")")
            }
            return 0
        }
    }
}

struct InterruptCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "interrupt",
        abstract: "Interrupt the running job (only PROMPT_ID, if given and running).")

    @OptionGroup var server: ServerFlags
    @Argument(help: "Interrupt only if this prompt is the one running.") var promptID: String?
    @Flag(help: "Print JSON.") var json = false

    func run() async throws {
        try await withAPI(server, json: json) { api in
            let queue = try await api.queue()
            let running = queue.running.first?.promptID
            if let promptID, running != promptID {
                report(
                    "\(promptID) is not running\(running.map { " (\($0) is)" } ?? ""); nothing interrupted. "
                        + "To remove a pending job use: comfytop cancel \(promptID)", json: json)
                return Exit.failed
            }
            guard let target = promptID ?? running else {
                if json { printJSON(.obj(("interrupted", .null))) } else { printLine("nothing is running") }
                return 0
            }
            try await api.interrupt(promptID: target)
            if json { printJSON(.obj(("interrupted", .string(target)))) } else { printLine("interrupted \(target)") }
            return 0
        }
    }
}

struct CancelCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cancel",
        abstract: "Remove pending jobs from the queue; a running one is interrupted.")

    @OptionGroup var server: ServerFlags
    @Argument(help: "Prompt ids to cancel.") var promptIDs: [String]
    @Flag(help: "Print JSON.") var json = false

    func validate() throws {
        if promptIDs.isEmpty { throw ValidationError("give at least one PROMPT_ID (see comfytop queue).") }
    }

    func run() async throws {
        try await withAPI(server, json: json) { api in
            let capabilities = try await api.probe()
            let queue = try await api.queue()
            var results: [(String, String)] = []
            for id in promptIDs {
                let wasRunning = queue.running.first?.promptID == id
                if try await api.cancel(promptID: id, capabilities: capabilities) {
                    results.append((id, wasRunning ? "interrupted" : "removed"))
                } else {
                    results.append((id, "not queued"))
                }
            }
            if json {
                printJSON(.array(results.map { .obj(("prompt_id", .string($0.0)), ("result", .string($0.1))) }))
            } else {
                for (id, result) in results { printLine("\(id): \(result)") }
            }
            return results.contains { $0.1 == "not queued" } ? Exit.failed : 0
        }
    }
}

struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status", abstract: "Show the server: version, devices, VRAM and queue counts.")

    @OptionGroup var server: ServerFlags
    @Flag(help: "Print JSON.") var json = false

    func run() async throws {
        if try await FleetCalls.command(server, json: json, { await FleetStatus.run($0, json: json) }) { return }
        try await withAPI(server, json: json) { api in
            let stats = try await api.systemStats()
            let queue = try await api.queue()
            let capabilities = try await api.probe()
            let features = capabilities.features
            let jobs = capabilities.hasJobsAPI
            if json {
                let devices = stats.devices.map {
                    JSONValue.obj(
                        ("name", .string($0.name)), ("type", .string($0.type)), ("vram_total", .int($0.vramTotal)),
                        ("vram_free", .int($0.vramFree)))
                }
                printJSON(
                    .obj(
                        ("url", .string(api.endpoint.displayURL)), ("version", .optional(stats.comfyUIVersion)),
                        ("os", .optional(stats.os)), ("python", .optional(stats.pythonVersion)),
                        ("pytorch", .optional(stats.pytorchVersion)), ("devices", .array(devices)),
                        ("running", .int(queue.running.count)), ("pending", .int(queue.pending.count)),
                        ("features", features ?? .null), ("jobs_api", .bool(jobs))))
                return 0
            }
            printLine("server   \(api.endpoint.displayURL)  ComfyUI \(stats.comfyUIVersion ?? "?")")
            printLine(
                "python   \(stats.pythonVersion?.split(separator: " ").first.map(String.init) ?? "?")  pytorch \(stats.pytorchVersion ?? "?")"
            )
            for device in stats.devices {
                let used = device.vramTotal - device.vramFree
                printLine(
                    "device   \(device.name)  VRAM \(Format.bytes(used)) used of \(Format.bytes(device.vramTotal))")
            }
            printLine("queue    \(queue.running.count) running, \(queue.pending.count) pending")
            return 0
        }
    }
}
