import ComfyImages
import Foundation

/// What the terminal on stdout can show, asked once per command (`view`, `submit --wait --preview`).
struct PictureTerminal {
    var choice: GraphicsChoice
    var depth: PictureDepth
    var columns: Int
    var rows: Int

    /// Detects from the environment and, with `--images auto` on a terminal, from its replies. When stdout is not
    /// a terminal: symbols, 80×40.
    static func detect(
        mode: ImageMode, color: PictureDepth?,
        environment: [String: String] = ProcessInfo.processInfo
            .environment
    ) -> PictureTerminal {
        let tty = isatty(STDOUT_FILENO) == 1
        let size = tty ? TerminalQuery.windowSize(STDOUT_FILENO) : nil
        let columns = size?.columns ?? 80, rows = size?.rows ?? 42
        // Not a terminal (a file, a pager): 256 colours unless NO_COLOR or COLORTERM say otherwise.
        let depth =
            color ?? GraphicsSupport.symbolDepth(environment: environment, colors: tty ? colours(environment) : 256)
        guard tty else {
            let graphics: GraphicsProtocol = mode == .off ? .off : .symbols
            let reason = "stdout is not a terminal"
            return PictureTerminal(
                choice: GraphicsChoice(graphics: graphics, reason: reason), depth: depth, columns: columns, rows: rows)
        }
        var replies: TerminalReplies?
        if mode == .auto || mode == .sixel, environment["TERM"] != "dumb", isatty(STDIN_FILENO) == 1 {
            let tmux = !(environment["TMUX"] ?? "").isEmpty
            replies = TerminalQuery.run(input: STDIN_FILENO, output: STDOUT_FILENO, tmux: tmux)
        }
        let choice = GraphicsSupport.choose(
            mode: mode, environment: environment, replies: replies, windowPixels: size?.pixels, columns: columns,
            rows: rows)
        return PictureTerminal(choice: choice, depth: depth, columns: columns, rows: rows)
    }

    /// The colours TERM promises, without asking terminfo: 256 for *-256color, 16 for the common xterm family.
    static func colours(_ environment: [String: String]) -> Int {
        let term = environment["TERM"] ?? ""
        if term.isEmpty || term == "dumb" { return 0 }
        if term.contains("256") || term.contains("direct") || term.contains("kitty") || term.contains("ghostty") {
            return 256
        }
        if term == "linux" || term == "vt100" || term == "vt220" { return 8 }
        return 16
    }

    /// Writes bytes to stdout as they are (escape sequences made here from decoded pixels, never server text).
    static func write(_ bytes: [UInt8]) {
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { Glibc.write(STDOUT_FILENO, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                if errno == EPIPE { exit(0) }
                return
            }
            offset += n
        }
    }
}
