import Foundation

/// What `comfytop fleet import` adds to the config from a ComfyUI-Distributed master: the master and each worker
/// as a `[servers.NAME]` entry. Pure: the master's config and the user's entries in, the entries to append and
/// the ones left out (with why) out.
public struct FleetImport: Sendable, Equatable {
    public struct Entry: Sendable, Equatable {
        /// The config key (a bare TOML key, unique in the config).
        public var name: String
        public var url: String
        public var isMaster: Bool
        /// What ComfyUI-Distributed calls it (server text: for comments and output, sanitised there).
        public var label: String
        /// `local`, `remote` or `cloud`, as the master says.
        public var type: String?
        /// Disabled in ComfyUI-Distributed (imported only with `includeDisabled`).
        public var disabled: Bool
    }

    public struct Skipped: Sendable, Equatable {
        public var label: String
        public var url: String?
        public var reason: String
    }

    public var added: [Entry] = []
    public var skipped: [Skipped] = []

    /// Plans the import.
    /// - Parameters:
    ///   - config: the master's `/distributed/config`.
    ///   - master: how this client reaches the master (its URL becomes the master's entry; local workers are
    ///     resolved against its host).
    ///   - existing: the config's servers; an entry with the same URL is not added again, and a name already
    ///     taken by another URL gets a suffix (`-2`, `-3`…).
    ///   - prefix: put before every name (`studio` → `studio-master`).
    ///   - includeDisabled: import the workers ComfyUI-Distributed has disabled (else they are skipped, said why).
    public static func plan(
        config: DistributedConfig, master: Endpoint, existing: [String: ServerConfig.Server], prefix: String? = nil,
        includeDisabled: Bool = false
    ) -> FleetImport {
        var plan = FleetImport()
        var names = Set(existing.keys)
        var urls: [String: String] = [:]
        for (name, server) in existing.sorted(by: { $0.key < $1.key }) where urls[key(server.url)] == nil {
            urls[key(server.url)] = name
        }
        let keyPrefix = prefix.map(TOMLText.bareKey).flatMap { $0.isEmpty ? nil : $0 + "-" } ?? ""
        let masterLabel = config.master?.name.flatMap { $0.isEmpty ? nil : $0 } ?? "master"

        func consider(label: String, url: String, isMaster: Bool, type: String?, disabled: Bool, fallback: String) {
            if let already = urls[key(url)] {
                let reason =
                    existing[already] != nil ? "already in the config as \(already)" : "the same URL as \(already)"
                plan.skipped.append(Skipped(label: label, url: url, reason: reason))
                return
            }
            if disabled && !includeDisabled {
                plan.skipped.append(
                    Skipped(
                        label: label, url: url,
                        reason: "disabled in ComfyUI-Distributed (--include-disabled imports it)"))
                return
            }
            let base = keyPrefix + (TOMLText.bareKey(label).isEmpty ? fallback : TOMLText.bareKey(label))
            var name = base
            var n = 2
            while names.contains(name) {
                name = "\(base)-\(n)"
                n += 1
            }
            names.insert(name)
            urls[key(url)] = name
            plan.added.append(
                Entry(name: name, url: url, isMaster: isMaster, label: label, type: type, disabled: disabled))
        }

        consider(
            label: masterLabel, url: master.displayURL, isMaster: true, type: nil, disabled: false, fallback: "master")
        for (index, worker) in config.workers.enumerated() {
            let fallback =
                "worker-" + (worker.id.map(TOMLText.bareKey).flatMap { $0.isEmpty ? nil : $0 } ?? "\(index + 1)")
            let label = worker.name.flatMap { $0.isEmpty ? nil : $0 } ?? fallback
            do {
                let url = try worker.workerURL(master: master)
                consider(
                    label: label, url: url, isMaster: false, type: worker.type, disabled: !worker.enabled,
                    fallback: fallback)
            } catch {
                plan.skipped.append(Skipped(label: label, url: nil, reason: error.description))
            }
        }
        for problem in config.problems {
            plan.skipped.append(Skipped(label: "?", url: nil, reason: problem))
        }
        return plan
    }

    /// The entries as TOML to append to a config file, after a comment that says where they came from.
    public func toml(source: String, date: Date) -> String {
        guard !added.isEmpty else { return "" }
        let day = ISO8601DateFormatter.string(from: date, timeZone: .current, formatOptions: [.withFullDate])
        var lines = [
            "",
            "# From the ComfyUI-Distributed master at \(TOMLText.comment(source, limit: 200)) on \(day) "
                + "(comfytop fleet import)",
        ]
        for entry in added {
            var about = entry.isMaster ? "master" : "worker"
            about += " " + TOMLText.basicString(TOMLText.comment(entry.label, limit: 60))
            if let type = entry.type, !type.isEmpty { about += " (\(TOMLText.comment(type, limit: 20)))" }
            if entry.disabled { about += ", disabled in ComfyUI-Distributed" }
            lines += ["# \(about)", "[servers.\(entry.name)]", "url = \(TOMLText.basicString(entry.url))", ""]
        }
        return lines.joined(separator: "\n")
    }

    /// A URL as compared for duplicates: scheme, host and port normalised, no trailing slash.
    static func key(_ url: String) -> String {
        if let endpoint = try? Endpoint(url: url) { return endpoint.displayURL.lowercased() }
        var s = url.trimmingCharacters(in: .whitespaces).lowercased()
        while s.hasSuffix("/") { s.removeLast() }
        return s
    }
}
