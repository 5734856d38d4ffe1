import Foundation

/// Where comfytop keeps its files, after the XDG Base Directory specification:
///
/// | what | path |
/// | --- | --- |
/// | config file | `$XDG_CONFIG_HOME/comfytop/config.toml` (default `~/.config/comfytop/config.toml`) |
/// | user themes | `$XDG_CONFIG_HOME/comfytop/themes/` |
/// | data (history store) | `$XDG_DATA_HOME/comfytop/` (default `~/.local/share/comfytop/`), or `--data-dir` |
/// | the mock's files | `$XDG_DATA_HOME/comfytop/mock/` |
/// | output thumbnails | `$XDG_CACHE_HOME/comfytop/thumbnails/` (default `~/.cache/...`), 64 MiB at most |
///
/// As the specification says, an `XDG_*` variable that is empty or not an absolute path is ignored.
public struct Paths: Sendable, Equatable {
    /// `$XDG_CONFIG_HOME`, or `~/.config`.
    public var configHome: String
    /// `$XDG_DATA_HOME`, or `~/.local/share`.
    public var dataHome: String
    /// `$XDG_CACHE_HOME`, or `~/.cache`.
    public var cacheHome: String
    /// A `--data-dir` given on the command line (`~` expanded): it replaces `dataDirectory`.
    public var dataDirOverride: String?

    /// - Parameters:
    ///   - environment: the variables to read (`XDG_CONFIG_HOME`, `XDG_DATA_HOME`).
    ///   - home: the home folder for the defaults.
    ///   - dataDir: a `--data-dir` override; `~` is expanded.
    public init(
        environment: [String: String] = ProcessInfo.processInfo.environment, home: String = NSHomeDirectory(),
        dataDir: String? = nil
    ) {
        func base(_ variable: String, _ fallback: String) -> String {
            if let value = environment[variable], value.hasPrefix("/") { return value }
            return (home as NSString).appendingPathComponent(fallback)
        }
        configHome = base("XDG_CONFIG_HOME", ".config")
        dataHome = base("XDG_DATA_HOME", ".local/share")
        cacheHome = base("XDG_CACHE_HOME", ".cache")
        dataDirOverride = dataDir.map { ($0 as NSString).expandingTildeInPath }
    }

    /// `$XDG_CONFIG_HOME/comfytop`.
    public var configDirectory: String { (configHome as NSString).appendingPathComponent("comfytop") }
    /// `$XDG_CONFIG_HOME/comfytop/config.toml`: named servers and a default.
    public var configFile: String { (configDirectory as NSString).appendingPathComponent("config.toml") }
    /// `$XDG_CONFIG_HOME/comfytop/themes`: the user's `.theme` files.
    public var themesDirectory: String { (configDirectory as NSString).appendingPathComponent("themes") }
    /// `--data-dir`, else `$XDG_DATA_HOME/comfytop`.
    public var dataDirectory: String {
        dataDirOverride ?? (dataHome as NSString).appendingPathComponent("comfytop")
    }
    /// The local history store, `history.sqlite` in the data directory.
    public var historyStore: String { (dataDirectory as NSString).appendingPathComponent("history.sqlite") }
    /// Output thumbnails fetched for the screen (`$XDG_CACHE_HOME/comfytop/thumbnails`), kept under a size cap.
    public var thumbnailDirectory: String {
        ((cacheHome as NSString).appendingPathComponent("comfytop") as NSString).appendingPathComponent("thumbnails")
    }
    /// The mock server's default data folder (`input/`, `output/`, `temp/`, `models/`).
    public var mockDataDirectory: String {
        ((dataHome as NSString).appendingPathComponent("comfytop") as NSString).appendingPathComponent("mock")
    }
}
