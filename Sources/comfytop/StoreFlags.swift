import ArgumentParser
import ComfyClient
import Foundation

/// `--data-dir`: where the local history store lives. The one set of store flags of every command that reads or
/// writes the store (the monitor, `submit --wait`, `history`, `history import`); add it with
/// `@OptionGroup var store: StoreFlags` and open the store with ``open()`` or ``openForRecording()``.
struct StoreFlags: ParsableArguments {
    @Option(
        name: .customLong("data-dir"),
        help: "Folder of the local history store (default: $XDG_DATA_HOME/comfytop, i.e. ~/.local/share/comfytop).")
    var dataDir: String?

    /// The folders, with `--data-dir` applied.
    var paths: Paths { Paths(dataDir: dataDir) }

    /// Opens the store (creating it); an error when it cannot be opened. For commands whose answer is the store
    /// (`history`, `history import`).
    func open() throws(ComfyError) -> LocalHistory {
        try LocalHistory(path: paths.historyStore)
    }

    /// Opens the store for a command that records runs on the side (the monitor, `submit --wait`): when the store
    /// cannot be opened, it says so on stderr and answers nil, and the command goes on without it. With an explicit
    /// `--data-dir`, the user asked for that store: the failure is an error.
    func openForRecording() throws(ComfyError) -> LocalHistory? {
        do {
            return try open()
        } catch {
            if dataDir != nil { throw error }
            Output.error("comfytop: warning: runs are not recorded: \(error.description)\n")
            return nil
        }
    }
}
