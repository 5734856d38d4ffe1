import ArgumentParser
import ComfyClient
import ComfyJSON
import Foundation

struct FleetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fleet",
        abstract: "Manage the config file's fleet of servers.",
        subcommands: [FleetImportCommand.self])
}

struct FleetImportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Add a ComfyUI-Distributed master and its workers to the config file (GET /distributed/config).",
        discussion: """
            The master becomes a [servers.NAME] entry at the URL given, each worker one at its own URL (a worker \
            on the master's machine, at localhost, is at the master's host). Names come from ComfyUI-Distributed's, \
            made into plain keys (letters, digits, - and _). A server whose URL is already in the config is not \
            added again; a name already taken gets a suffix (-2). Workers disabled in ComfyUI-Distributed are \
            skipped unless --include-disabled. The entries are appended to the config file (created if missing); \
            what is there stays as it is. Credentials are never written: a master that wants \
            ComfyUI-Distributed's token takes --header "X-Distributed-Token: TOKEN".
            Then: comfytop --all, or comfytop --server NAME,NAME.
            """)

    @Argument(help: "The master's URL (else --url, --server or the default server).")
    var master: String?
    @OptionGroup var server: ServerFlags
    @Option(help: "Put this before every name (studio: studio-master, studio-worker-1).")
    var prefix: String?
    @Flag(name: .customLong("include-disabled"), help: "Also import the workers ComfyUI-Distributed has disabled.")
    var includeDisabled = false
    @Flag(name: .customLong("dry-run"), help: "Print the TOML that would be appended (stdout); write nothing.")
    var dryRun = false
    @Flag(help: "Print JSON.") var json = false

    func run() async throws {
        var flags = server
        if let master {
            flags.url = master
            flags.server = nil
        }
        if flags.all { throw ValidationError("fleet import reads one master: give its URL, not --all") }
        let env = ProcessInfo.processInfo.environment
        let path = flags.config.map { ($0 as NSString).expandingTildeInPath } ?? Paths(environment: env).configFile
        try await mapErrors(json: json) {
            let text = try ConfigFileEditor.read(path)
            let existing = try ServerConfig.parse(text, path: path)
            let endpoint = try flags.endpoint()
            let api = try ComfyAPI(endpoint: endpoint, requestTimeout: 10)
            let fetched: DistributedConfig
            do throws(DistributedConfigError) {
                fetched = try await DistributedConfig.fetch(from: api)
                await api.shutdown()
            } catch {
                await api.shutdown()
                report(error.description, json: json)
                return error.isUnreachable ? Exit.unreachable : Exit.failed
            }
            let plan = FleetImport.plan(
                config: fetched, master: endpoint, existing: existing.servers, prefix: prefix,
                includeDisabled: includeDisabled)
            let block = plan.toml(source: endpoint.displayURL, date: Date())
            if !plan.added.isEmpty && !dryRun {
                try Self.append(block, to: text, path: path, expecting: plan.added)
            }
            if json {
                printJSON(Self.json(plan, path: path, master: endpoint.displayURL, block: block, written: !dryRun))
            } else {
                Self.say(plan, path: path, block: block, dryRun: dryRun)
                var unwritten = endpoint.auth.summary == "none" ? [] : [endpoint.auth.summary]
                if endpoint.tls.caFile != nil { unwritten.append("--ca-file") }
                if endpoint.tls.insecure { unwritten.append("--insecure") }
                if !unwritten.isEmpty && !plan.added.isEmpty {
                    Output.error(
                        "comfytop: what was used to reach the master (\(unwritten.joined(separator: ", "))) was not "
                            + "written; add it to the entries that need it (token_env, user, password_env, headers, "
                            + "ca_file, insecure)\n")
                }
            }
            return 0
        }
    }

    /// Appends the block, after checking that the file with it still reads and names every entry as planned
    /// (a config that writes `servers = { … }` inline cannot take `[servers.NAME]` tables).
    static func append(_ block: String, to text: String, path: String, expecting added: [FleetImport.Entry]) throws {
        let combined = ConfigFileEditor.appending(block, to: text)
        let check: ServerConfig
        do {
            check = try ServerConfig.parse(combined, path: path)
        } catch {
            throw ComfyError.io(
                path: path,
                detail: "the entries cannot be appended to this file (\(error.description)); nothing was written. "
                    + "--dry-run prints them, to add by hand")
        }
        guard added.allSatisfy({ check.servers[$0.name]?.url == $0.url }) else {
            throw ComfyError.io(
                path: path, detail: "appending did not give the expected entries; nothing was written (see --dry-run)")
        }
        try ConfigFileEditor.write(combined, to: path)
    }

    static func say(_ plan: FleetImport, path: String, block: String, dryRun: Bool) {
        let width = plan.added.map(\.name.count).max() ?? 0
        let urlWidth = (plan.added.map(\.url.count) + plan.skipped.compactMap { $0.url?.count }).max() ?? 0
        func pad(_ s: String, _ n: Int) -> String { s + String(repeating: " ", count: max(0, n - s.count)) }
        if dryRun {
            Output.out(String(block.drop(while: { $0 == "\n" })))
        }
        var lines: [String] = []
        let count = "\(plan.added.count) server\(plan.added.count == 1 ? "" : "s")"
        if plan.added.isEmpty {
            lines.append("nothing to add to \(path)")
        } else {
            lines.append(dryRun ? "would add \(count) to \(path):" : "added \(count) to \(path):")
        }
        for entry in plan.added {
            var about = entry.isMaster ? "master" : "worker"
            if entry.label != entry.name { about += " \"\(entry.label)\"" }
            if let type = entry.type, !type.isEmpty { about += " (\(type))" }
            if entry.disabled { about += ", disabled in ComfyUI-Distributed" }
            lines.append("  \(pad(entry.name, width))  \(pad(entry.url, urlWidth))  \(about)")
        }
        if !plan.skipped.isEmpty { lines.append("skipped:") }
        for skip in plan.skipped {
            lines.append("  \"\(skip.label)\"  \(skip.url.map { pad($0, urlWidth) + "  " } ?? "")\(skip.reason)")
        }
        if !plan.added.isEmpty && !dryRun {
            lines.append("watch them: comfytop --server \(plan.added.map(\.name).joined(separator: ","))")
        }
        // With --dry-run stdout is the TOML alone (to append by hand); the summary goes to stderr.
        for line in lines {
            if dryRun { Output.error(TerminalText.sanitize(line) + "\n") } else { printLine(line) }
        }
    }

    static func json(_ plan: FleetImport, path: String, master: String, block: String, written: Bool) -> JSONValue {
        .obj(
            ("config", .string(path)),
            ("master", .string(master)),
            ("written", .bool(written && !plan.added.isEmpty)),
            (
                "added",
                .array(
                    plan.added.map { entry in
                        .obj(
                            ("name", .string(entry.name)), ("url", .string(entry.url)),
                            ("role", .string(entry.isMaster ? "master" : "worker")), ("label", .string(entry.label)),
                            ("type", entry.type.map(JSONValue.string) ?? .null), ("disabled", .bool(entry.disabled)))
                    })
            ),
            (
                "skipped",
                .array(
                    plan.skipped.map { skip in
                        .obj(
                            ("label", .string(skip.label)), ("url", skip.url.map(JSONValue.string) ?? .null),
                            ("reason", .string(skip.reason)))
                    })
            ),
            ("toml", .string(block)))
    }
}
