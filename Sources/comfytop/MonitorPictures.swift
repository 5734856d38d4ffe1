import ComfyImages
import Foundation

extension ImageFlags {
    /// Whether the monitor makes pictures at all (`--images off`: none).
    var picturesOn: Bool { images != .off }

    /// The monitor's graphics protocol, from `--images` and the environment alone (no terminal query, so the
    /// screen opens as fast as before): kitty by direct placement outside tmux and by Unicode placeholders inside
    /// it (drawn as curses cells), iTerm2, or sixel when the cell size is known. Nil: symbols through curses (also
    /// with `--images off`, where no picture is made at all).
    func monitorGraphics(environment: [String: String] = ProcessInfo.processInfo.environment) -> GraphicsChoice? {
        guard images != .off, images != .symbols else { return nil }
        let size = TerminalQuery.windowSize(STDOUT_FILENO)
        let choice = GraphicsSupport.choose(
            mode: images, environment: environment, replies: nil, windowPixels: size?.pixels,
            columns: size?.columns ?? 0, rows: size?.rows ?? 0)
        switch choice.graphics {
        case .kitty, .iterm: return choice
        case .sixel: return choice.cellSize == nil ? nil : choice
        case .symbols, .off: return nil
        }
    }

    /// Whether the monitor asks the terminal, after its first frame, whether it draws sixel (`--images auto`, a
    /// terminal that is not dumb): the answers come with the keys and are read out of them.
    func probesTerminal(environment: [String: String] = ProcessInfo.processInfo.environment) -> Bool {
        images == .auto && environment["TERM"] != "dumb" && !(environment["TERM"] ?? "").isEmpty
    }
}
