import Foundation
import TOMLKit

/// `$XDG_CONFIG_HOME/comfytop/config.toml`: named servers and a default.
///
/// ```toml
/// default = "gpu"
///
/// [servers.gpu]
/// url = "https://gpu-box.example/comfy"
/// token_env = "GPU_BOX_TOKEN"      # or token = "…"
/// ca_file = "~/.config/comfytop/gpu-ca.pem"
///
/// [servers.lab]
/// url = "http://10.0.0.7:8188"
/// user = "alice"
/// password_env = "LAB_PASSWORD"
/// headers = { "X-API-Key" = "…" }
/// color = "cyan"                  # the fleet screen's colour for it
/// ```
public struct ServerConfig: Sendable, Equatable {
    public struct Server: Sendable, Equatable, Codable {
        public var url: String
        public var token: String?
        public var token_env: String?
        public var user: String?
        public var password: String?
        public var password_env: String?
        public var headers: [String: String]?
        public var token_query_name: String?
        public var token_query_value: String?
        public var ca_file: String?
        public var insecure: Bool?
        /// The fleet screen's colour for this server: an ANSI name, `0`–`255` or `#RRGGBB`.
        public var color: String?
    }

    struct File: Codable {
        var `default`: String?
        var servers: [String: Server]?
    }

    public var defaultServer: String?
    public var servers: [String: Server]
    public var path: String?

    public init(defaultServer: String? = nil, servers: [String: Server] = [:], path: String? = nil) {
        self.defaultServer = defaultServer
        self.servers = servers
        self.path = path
    }

    /// Where the file lives: `$XDG_CONFIG_HOME/comfytop/config.toml`, else `~/.config/comfytop/config.toml`
    /// (see ``Paths``).
    public static func defaultPath(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        Paths(environment: environment).configFile
    }

    /// Reads the file; a missing file is an empty config, a broken one an error that names the line.
    public static func load(path: String) throws(ComfyError) -> ServerConfig {
        guard FileManager.default.fileExists(atPath: path) else { return ServerConfig(path: path) }
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ComfyError.io(path: path, detail: "cannot read the config file: \(error.localizedDescription)")
        }
        return try parse(text, path: path)
    }

    public static func parse(_ text: String, path: String = "config.toml") throws(ComfyError) -> ServerConfig {
        if let line = splitHeader(text) {
            throw ComfyError.io(
                path: path,
                detail: "config file is not valid TOML at line \(line): a [table] header must be on one line")
        }
        do {
            let table = try TOMLTable(string: text)
            let file = try TOMLDecoder().decode(File.self, from: table)
            return ServerConfig(defaultServer: file.default, servers: file.servers ?? [:], path: path)
        } catch let error as TOMLParseError {
            throw ComfyError.io(
                path: path,
                detail:
                    "config file is not valid TOML at line \(error.source.begin.line), column \(error.source.begin.column): \(error.description)"
            )
        } catch {
            throw ComfyError.io(path: path, detail: "config file does not have the expected shape: \(error)")
        }
    }
}

extension ServerConfig {
    /// The line of a table header that does not close on its own line, outside any value: the TOML parser under
    /// TOMLKit asserts on one (the process aborts) instead of reporting it, so it is caught here first.
    static func splitHeader(_ text: String) -> Int? {
        var depth = 0
        for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            var quote: Character?
            var opensHeader = false
            var sawContent = false
            for ch in line {
                if let open = quote {
                    if ch == open { quote = nil }
                    continue
                }
                if ch == "#" { break }
                if ch == "\"" || ch == "'" {
                    quote = ch
                } else if ch == "[" {
                    if depth == 0 && !sawContent { opensHeader = true }
                    depth += 1
                } else if ch == "]" {
                    depth = max(0, depth - 1)
                }
                if !ch.isWhitespace { sawContent = true }
            }
            if opensHeader && depth > 0 { return number + 1 }
        }
        return nil
    }
}

/// What the command line says about the server, before resolution.
public struct ServerOptions: Sendable, Equatable {
    public var url: String?
    public var server: String?
    public var token: String?
    public var user: String?
    public var password: String?
    public var headers: [String] = []
    public var tokenQuery: String?
    public var caFile: String?
    public var insecure = false

    public init() {}

    /// Picks the endpoint: `--url`, else `--server NAME`, else `COMFYUI_URL`, else the config's default,
    /// else `http://127.0.0.1:8188`. Flags override the config's credentials; `COMFYUI_TOKEN` is a fallback token.
    /// An empty environment variable counts as unset (`COMFYUI_TOKEN=` must not send `Authorization: Bearer `).
    public func resolve(config: ServerConfig, environment: [String: String]) throws(ComfyError) -> Endpoint {
        let environment = environment.filter { !$0.value.isEmpty }
        var named: ServerConfig.Server?
        var url: String
        if let given = self.url {
            url = given
        } else if let name = server ?? (environment["COMFYUI_URL"] == nil ? config.defaultServer : nil) {
            guard let entry = config.servers[name] else {
                let known = config.servers.keys.sorted()
                throw ComfyError.invalidURL(
                    name,
                    reason: "no server named \"\(name)\" in \(config.path ?? "the config file")"
                        + (known.isEmpty ? " (it defines none)" : "; known: \(known.joined(separator: ", "))"))
            }
            named = entry
            url = entry.url
        } else if let env = environment["COMFYUI_URL"] {
            url = env
        } else {
            url = "http://127.0.0.1:8188"
        }
        var auth = Auth()
        auth.bearerToken =
            token ?? named?.token ?? named?.token_env.flatMap { environment[$0] } ?? environment["COMFYUI_TOKEN"]
        auth.basicUser = user ?? named?.user
        auth.basicPassword = password ?? named?.password ?? named?.password_env.flatMap { environment[$0] }
        var headers = named?.headers ?? [:]
        for header in self.headers {
            guard let colon = header.firstIndex(of: ":") else {
                throw ComfyError.invalidURL(header, reason: "--header must look like \"Name: value\"")
            }
            headers[String(header[..<colon]).trimmingCharacters(in: .whitespaces)] =
                String(header[header.index(after: colon)...]).trimmingCharacters(in: .whitespaces)
        }
        auth.headers = headers
        if let tokenQuery {
            guard let eq = tokenQuery.firstIndex(of: "=") else {
                throw ComfyError.invalidURL(tokenQuery, reason: "--token-query must look like name=value")
            }
            auth.tokenQuery = (String(tokenQuery[..<eq]), String(tokenQuery[tokenQuery.index(after: eq)...]))
        } else if let name = named?.token_query_name, let value = named?.token_query_value {
            auth.tokenQuery = (name, value)
        }
        let caFile = (caFile ?? named?.ca_file).map { ($0 as NSString).expandingTildeInPath }
        let tls = TLSOptions(caFile: caFile, insecure: insecure || (named?.insecure ?? false))
        return try Endpoint(url: url, auth: auth, tls: tls)
    }
}
