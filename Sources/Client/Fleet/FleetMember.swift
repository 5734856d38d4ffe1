import Foundation

/// One server of a fleet: the name it is shown under, how to reach it, and its colour.
public struct FleetMember: Sendable, Equatable {
    /// The config's `[servers.NAME]` name, or `host:port` for a server given as a URL.
    public var name: String
    public var endpoint: Endpoint
    /// The config's `color` (an ANSI name, `0`–`255` or `#RRGGBB`); nil: the screen picks one by position.
    public var color: String?

    public init(name: String, endpoint: Endpoint, color: String? = nil) {
        self.name = name
        self.endpoint = endpoint
        self.color = color
    }
}

/// Which servers the command line asks for: `--server a,b,c` (names from the config, or URLs), `--url` (one or
/// several, comma-separated), `--all` (every `[servers.NAME]` of the config, by name).
public struct FleetSelection: Sendable, Equatable {
    public var names: [String] = []
    public var urls: [String] = []
    public var all = false

    public init(names: [String] = [], urls: [String] = [], all: Bool = false) {
        self.names = names
        self.urls = urls
        self.all = all
    }

    /// Reads `--server` and `--url` values: each may list several, separated by commas.
    public init(server: String?, url: String?, all: Bool) {
        self.init(names: Self.split(server), urls: Self.split(url), all: all)
    }

    static func split(_ text: String?) -> [String] {
        (text ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    /// True for `--all`, several `--server` items or several `--url`s: the fleet, not the single-server path.
    /// (One `--url` beside one `--server` stays what it always was: the URL wins.)
    public var isFleet: Bool { all || names.count > 1 || urls.count > 1 }

    /// The members, in the order given: `--all`'s servers by name, then `--server`'s, then `--url`'s (a server
    /// named twice is kept once). A `--server` item with `://` is a URL. Credentials and TLS flags (`options`)
    /// apply to servers given as URLs; a named server uses its own config entry (flags still override it, as for
    /// one server).
    public func members(
        options: ServerOptions, config: ServerConfig, environment: [String: String]
    ) throws(ComfyError) -> [FleetMember] {
        var out: [FleetMember] = []
        var seen: Set<String> = []
        func add(_ member: FleetMember) {
            var member = member
            let key = member.endpoint.displayURL
            guard !seen.contains(key) else { return }
            seen.insert(key)
            let base = member.name
            var n = 2
            while out.contains(where: { $0.name == member.name }) {
                member.name = "\(base)#\(n)"
                n += 1
            }
            out.append(member)
        }
        if all && config.servers.isEmpty {
            throw ComfyError.invalidURL(
                "--all", reason: "\(config.path ?? "the config file") defines no [servers.NAME] entries")
        }
        let named = (all ? config.servers.keys.sorted() : []) + names.filter { !$0.contains("://") }
        for name in named {
            var one = options
            one.url = nil
            one.server = name
            add(
                FleetMember(
                    name: name, endpoint: try one.resolve(config: config, environment: environment),
                    color: config.servers[name]?.color))
        }
        for url in names.filter({ $0.contains("://") }) + urls {
            var one = options
            one.url = url
            one.server = nil
            let endpoint = try one.resolve(config: config, environment: environment)
            add(FleetMember(name: Self.shortName(endpoint), endpoint: endpoint))
        }
        return out
    }

    /// `host:port` (and the sub-path, if any): how a server given as a URL is named.
    static func shortName(_ endpoint: Endpoint) -> String {
        "\(endpoint.host):\(endpoint.port)\(endpoint.basePath)"
    }
}
