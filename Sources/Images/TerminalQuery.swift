#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// Asks the terminal what it can draw: the kitty graphics query, the cell size (CSI 16 t), the text area in
/// pixels (CSI 14 t) and DA1 (CSI c) last, which every terminal answers, so its reply ends the wait early.
/// Call it before curses starts (or while it is paused): it switches `input` to raw mode for the wait and puts
/// the previous mode back.
public enum TerminalQuery {
    /// The query bytes; inside tmux the kitty query goes through the passthrough envelope.
    public static func queryBytes(tmux: Bool) -> [UInt8] {
        KittyGraphics.supportQuery(tmux: tmux) + Array("\u{1B}[16t\u{1B}[14t\u{1B}[c".utf8)
    }

    /// Writes the queries to `output`, reads `input` until DA1 answers or `timeoutMilliseconds` pass, and parses
    /// what came. Returns nil when `input` is not a terminal (nothing is written then).
    public static func run(input: Int32, output: Int32, tmux: Bool, timeoutMilliseconds: Int = 300)
        -> TerminalReplies?
    {
        guard isatty(input) == 1, isatty(output) == 1 else { return nil }
        var saved = termios()
        guard tcgetattr(input, &saved) == 0 else { return nil }
        var raw = saved
        raw.c_lflag &= ~tcflag_t(ICANON | ECHO)
        withUnsafeMutableBytes(of: &raw.c_cc) { cc in
            cc[Int(VMIN)] = 0
            cc[Int(VTIME)] = 0
        }
        guard tcsetattr(input, TCSANOW, &raw) == 0 else { return nil }
        defer { _ = tcsetattr(input, TCSANOW, &saved) }
        let query = queryBytes(tmux: tmux)
        var written = 0
        while written < query.count {
            let n = query[written...].withUnsafeBytes { write(output, $0.baseAddress, $0.count) }
            if n <= 0 { return nil }
            written += n
        }
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 1024)
        let deadline = monotonicMilliseconds() + timeoutMilliseconds
        while received.count < 65_536 {
            let left = deadline - monotonicMilliseconds()
            if left <= 0 { break }
            var descriptor = pollfd(fd: input, events: Int16(POLLIN), revents: 0)
            let ready = poll(&descriptor, 1, Int32(left))
            if ready < 0 && errno == EINTR { continue }
            if ready <= 0 { break }
            let n = buffer.withUnsafeMutableBytes { read(input, $0.baseAddress, $0.count) }
            if n <= 0 { break }
            received += buffer[0..<n]
            if TerminalReplies.containsPrimaryAttributes(received) { break }
        }
        return TerminalReplies.parse(received)
    }

    /// The terminal's size from TIOCGWINSZ: cells and (when the terminal fills them in) pixels.
    public static func windowSize(_ fd: Int32) -> (columns: Int, rows: Int, pixels: CellPixelSize?)? {
        var size = winsize()
        guard ioctl(fd, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0, size.ws_row > 0 else { return nil }
        let pixels =
            size.ws_xpixel > 0 && size.ws_ypixel > 0
            ? CellPixelSize(width: Int(size.ws_xpixel), height: Int(size.ws_ypixel)) : nil
        return (Int(size.ws_col), Int(size.ws_row), pixels)
    }

    private static func monotonicMilliseconds() -> Int {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return now.tv_sec * 1000 + now.tv_nsec / 1_000_000
    }
}
