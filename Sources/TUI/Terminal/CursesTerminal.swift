import CNCurses
import ComfyClient
import Foundation

/// The only file that talks to curses. One instance, used from one thread.
public final class CursesTerminal: Terminal {
    private var pairs: [ResolvedLook: Int16] = [:]
    var looks: [Role: ResolvedLook] = [:]
    private let theme: Theme
    public private(set) var depth: ColorDepth = .mono
    private let requestedDepth: String?
    private var mouse: Bool

    /// Starts curses. `color` is `--color` (truecolor, 256, 16, 8, mono) or nil to detect.
    /// `headlessTerm` starts curses on other descriptors than the tty with that terminal type (a smoke test without
    /// a tty): `input` and `output` (default /dev/null). Only a curses on the real tty arms the crash restore.
    public init(
        theme: Theme, color: String?, mouse: Bool, headlessTerm: String? = nil, input: Int32? = nil,
        output: Int32? = nil
    ) {
        self.theme = theme
        self.requestedDepth = color
        self.mouse = mouse
        setlocale(LC_ALL, "")
        if let headlessTerm,
            let out = output.flatMap({ fdopen(dup($0), "w") }) ?? fopen("/dev/null", "w"),
            let inp = input.flatMap({ fdopen(dup($0), "r") }) ?? fopen("/dev/null", "r")
        {
            headless = true
            _ = newterm(headlessTerm, out, inp)
            cursesOut = out
        } else {
            headless = false
            ct_crash_restore_save_termios()
            // Curses writes through a descriptor of its own, so that a crash on another thread can silence a
            // frame in progress once the terminal is restored (see `ct_crash_restore_now`).
            let fd = dup(STDOUT_FILENO)
            let out = fd > 0 ? fdopen(fd, "w") : nil
            // One write per frame: buffered here and flushed after each refresh.
            if let out { setvbuf(out, nil, _IOFBF, 1 << 16) }
            if let out, let input = fdopen(dup(STDIN_FILENO), "r"), newterm(nil, out, input) != nil {
                cursesFD = fd
                cursesOut = out
            } else {
                if fd > 0 { close(fd) }
                initscr()
            }
        }
        if let cursesOut { Self.startRunning(cursesOut) }
        cbreak()
        noecho()
        nonl()
        keypad(ct_stdscr(), true)
        curs_set(0)
        // The cursor is hidden: don't spend bytes moving it back after every update.
        leaveok(ct_stdscr(), true)
        set_escdelay(25)
        if mouse { mousemask(ct_mouse_mask(), nil) }
        setupColors()
        if !headless {
            let bytes = Array(Self.restoreSequence(mouse: mouse).utf8).map { CChar(bitPattern: $0) }
            ct_crash_restore_set_bytes(bytes, Int32(bytes.count))
            ct_crash_restore_arm(cursesFD)
        }
    }

    /// ncurses flushes its output after every cursor move until the screen has been through `endwin` once (its
    /// `_endwin` stays "initial" after newterm: lib_mvcur.c), which split each frame into a write per changed spot
    /// (3–4 writes a frame in B3, each a wake-up of the terminal). One endwin and refresh, before any colour is set
    /// up, put it in its running state: one write a frame. The endwin's bytes (leaving the alternate screen) go to
    /// /dev/null, so the terminal sees no flash; the refresh sets the screen up again. Colours come after, so the
    /// refresh sends no palette reset (`oc`, which would undo a palette the user set). And no typeahead check:
    /// curses would poll the keyboard for every changed line of every update; keys are read between frames.
    private static func startRunning(_ out: UnsafeMutablePointer<FILE>) {
        typeahead(-1)
        let fd = fileno(out)
        let saved = dup(fd)
        let null = open("/dev/null", O_WRONLY)
        if saved >= 0, null >= 0, dup2(null, fd) >= 0 {
            endwin()
            dup2(saved, fd)
            refresh()
        }
        if null >= 0 { close(null) }
        if saved >= 0 { close(saved) }
    }

    private let headless: Bool
    /// The descriptor curses writes to (0: stdout), and its stream.
    private var cursesFD: Int32 = 0
    private var cursesOut: UnsafeMutablePointer<FILE>?

    /// What gives the terminal back after a crash, from the terminal's own description: attributes off, mouse
    /// reporting off, the cursor shown, keypad mode off, the normal screen.
    static func restoreSequence(mouse: Bool) -> String {
        func cap(_ name: String) -> String { ct_cap(name).map { String(cString: $0) } ?? "" }
        let mouseOff = mouse ? "\u{1B}[?1006l\u{1B}[?1003l\u{1B}[?1002l\u{1B}[?1000l" : ""
        let normal = cap("rmcup").isEmpty ? "\u{1B}[?1049l" : cap("rmcup")
        return cap("sgr0") + mouseOff + (cap("cnorm").isEmpty ? "\u{1B}[?25h" : cap("cnorm")) + cap("rmkx") + normal
            + "\r\n"
    }

    /// How many colours curses reported.
    public private(set) var colors = 0

    private func setupColors() {
        if has_colors() {
            start_color()
            use_default_colors()
            colors = Int(ct_colors())
        }
        var detected = ColorDepth.detect(
            requested: requestedDepth, colors: colors, environment: ProcessInfo.processInfo.environment)
        if detected == .truecolor && colors < 1 << 24 { detected = colors >= 256 ? .c256 : .c16 }
        if colors == 0 { detected = .mono }
        if detected == .c256 && colors < 256 { detected = colors >= 16 ? .c16 : .c8 }
        if detected == .c16 && colors < 16 { detected = .c8 }
        depth = detected
        looks = theme.resolve(depth)
        pairs = [:]
    }

    /// Restores the terminal.
    public func stop() {
        // Kitty images outlive the text: delete ours before giving the terminal back.
        writeGraphics(shownGraphics.compactMap(\.removal).flatMap { $0 })
        shownGraphics = []
        if mouse { mousemask(0, nil) }
        endwin()
        if let cursesOut { fflush(cursesOut) }
        if !headless { ct_crash_restore_disarm() }
    }

    /// The ncurses version string.
    public static var version: String { String(cString: curses_version()) }

    public var width: Int { Int(ct_cols()) }
    public var height: Int { Int(ct_lines()) }

    private func pair(for look: ResolvedLook) -> Int16 {
        if depth == .mono || (look.fg == -1 && look.bg == -1) { return 0 }
        if let p = pairs[look] { return p }
        let next = Int16(pairs.count + 1)
        guard Int(next) < Int(ct_color_pairs()) else { return 0 }
        if init_extended_pair(Int32(next), Int32(look.fg), Int32(look.bg)) == ct_err() { return 0 }
        pairs[look] = next
        return next
    }

    /// A style as curses attributes and a pair.
    func cellLook(_ style: Style) -> (attributes: attr_t, pair: Int32) {
        let look = looks[style.role] ?? ResolvedLook(fg: -1, bg: -1, attributes: [])
        let a = look.attributes
        var attributes = ct_a_normal()
        if style.bold || a.contains(.bold) { attributes |= ct_a_bold() }
        if a.contains(.dim) { attributes |= ct_a_dim() }
        if style.reverse != a.contains(.reverse) { attributes |= ct_a_reverse() }
        if a.contains(.underline) { attributes |= ct_a_underline() }
        return (attributes, Int32(pair(for: look)))
    }

    /// Colour pairs for pictures (made when a picture is first drawn).
    var picturePool: PicturePairPool?
    /// A question for the terminal, sent after the first frame (`askAfterFirstFrame`), and how long to wait.
    var ask: TerminalAsk?
    var askSeconds = 3.0

    public func draw(_ canvas: Canvas, previous: Canvas?) {
        let rows = canvas.changedRows(from: previous)
        guard !rows.isEmpty || canvas.graphics != shownGraphics else { return }
        let full = previous == nil || previous?.width != canvas.width || previous?.height != canvas.height
        if full { clear() }
        // Cells are written as curses cells (character, attributes, pair) a row at a time, each cell once: the
        // pictures' cells in their own pairs. The window's own attributes must be off, or curses adds them.
        _ = ct_set_style(0, 0, 0, 0, 0)
        let pictures = picturePairs(canvas)
        for y in rows { writeRow(canvas, y, pictures: pictures) }
        // Graphics-protocol pictures that leave: iTerm2 and sixel pixels go when curses repaints their cells.
        let gone = full ? shownGraphics : shownGraphics.filter { !canvas.graphics.contains($0) }
        for graphic in gone where graphic.removal == nil && !full {
            _ = wredrawln(ct_stdscr(), Int32(graphic.y), Int32(graphic.rows))
        }
        _ = ct_set_style(0, 0, 0, 0, 0)
        refresh()
        if let cursesOut { fflush(cursesOut) }
        if !gone.isEmpty || !canvas.graphics.isEmpty { drawGraphics(canvas, gone: gone, full: full, rows: Set(rows)) }
        if ask != nil { sendAsk() }
    }

    /// The graphics-protocol pictures on screen now.
    private var shownGraphics: [CanvasGraphic] = []

    /// After curses' refresh: kitty images that left are deleted, new ones written at their cells (the cursor
    /// saved and put back, so curses' idea of it stays true). An iTerm2 or sixel picture whose rows curses wrote
    /// is written again, since curses may have cleared its cells.
    private func drawGraphics(_ canvas: Canvas, gone: [CanvasGraphic], full: Bool, rows: Set<Int>) {
        var out: [UInt8] = gone.compactMap(\.removal).flatMap { $0 }
        for graphic in canvas.graphics {
            let touched =
                graphic.removal == nil && (graphic.y..<graphic.y + graphic.rows).contains { rows.contains($0) }
            guard full || touched || !shownGraphics.contains(graphic) else { continue }
            out +=
                Array("\u{1B}7\u{1B}[\(graphic.y + 1);\(graphic.x + 1)H".utf8) + graphic.bytes + Array("\u{1B}8".utf8)
        }
        shownGraphics = canvas.graphics
        writeGraphics(out)
    }

    func writeGraphics(_ bytes: [UInt8]) {
        guard !bytes.isEmpty else { return }
        let fd = cursesOut.map { fileno($0) } ?? STDOUT_FILENO
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if n < 0, errno == EINTR { continue }
            guard n > 0 else { return }
            offset += n
        }
    }

    /// A descriptor that, when readable, ends the wait for a key early (the app's `Wakeup`).
    var wakeFD: Int32?

    public func readKey(timeoutMS: Int, wakeable: Bool) -> Key? {
        guard let wakeFD else { return key(getchWaiting: timeoutMS) }
        // Keys curses has already read come first (only when it may hold some: its last read gave a key, or a
        // resize waits for its KEY_RESIZE); then wait on the keyboard (and the wake-up pipe if asked).
        if cursesMayHoldInput || resizePending(), let key = key(getchWaiting: 0) { return key }
        var fds = [
            pollfd(fd: 0, events: Int16(POLLIN), revents: 0), pollfd(fd: wakeFD, events: Int16(POLLIN), revents: 0),
        ]
        // At most a second: SIGWINCH may land on another thread and not end this poll, and an idle screen waits a
        // minute; the next call sees the new size (`resizePending`).
        let ready = poll(&fds, wakeable ? 2 : 1, Int32(clamping: min(timeoutMS, 1000)))
        // Input, or a signal (a resize): let curses read it. The rest of an escape sequence may still be on its way.
        if ready < 0 || fds[0].revents & Int16(POLLIN) != 0 { return key(getchWaiting: 10) }
        // The terminal went away (SIGHUP ends the app): don't spin on a dead descriptor meanwhile.
        if fds[0].revents != 0 { usleep(UInt32(min(timeoutMS, 100)) * 1000) }
        return nil
    }

    /// Whether curses' last read gave something: it may have read more ahead (an escape sequence, a paste).
    private var cursesMayHoldInput = true

    /// The tty's size differs from curses' (a SIGWINCH it has not turned into KEY_RESIZE yet): one ioctl, cheaper
    /// than asking curses for a key (a poll and two sigactions) on every wait.
    private func resizePending() -> Bool {
        guard !headless else { return false }
        var size = winsize()
        guard ioctl(cursesFD > 0 ? cursesFD : STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0 else { return false }
        return Int(size.ws_row) != Int(ct_lines()) || Int(size.ws_col) != Int(ct_cols())
    }

    private func key(getchWaiting timeoutMS: Int) -> Key? {
        timeout(Int32(timeoutMS))
        // Wide characters (accents, CJK, emoji) arrive whole through get_wch; getch would hand out their bytes.
        var code: UInt32 = 0
        let kind = ct_get_wch(&code)
        cursesMayHoldInput = kind != ct_err()
        if kind == ct_err() { return nil }
        if kind == ct_key_code_yes() { return functionKey(Int32(bitPattern: code)) }
        switch code {
        case 127, 8: return .backspace
        case 10, 13: return .enter
        case 9: return .tab
        // While the terminal's answers are awaited, an ESC may begin one: it is read, not handed out as keys.
        case 27: return awaitingReplies && readReply() ? nil : .escape
        // cbreak keeps ^C a signal; should it reach us as a key (raw mode, a terminal that sends it), it is SIGINT.
        case 3: return .controlC
        default:
            guard code >= 32, let scalar = Unicode.Scalar(code), !TerminalText.needsEscape(scalar) else { return nil }
            return .char(Character(scalar))
        }
    }

    private func functionKey(_ c: Int32) -> Key? {
        switch c {
        case KEY_UP: return .up
        case KEY_DOWN: return .down
        case KEY_LEFT: return .left
        case KEY_RIGHT: return .right
        case KEY_PPAGE: return .pageUp
        case KEY_NPAGE: return .pageDown
        case KEY_HOME: return .home
        case KEY_END: return .end
        case KEY_BTAB: return .backTab
        case KEY_BACKSPACE: return .backspace
        case KEY_ENTER: return .enter
        case ct_key_f1(): return .f1
        case ct_key_resize(): return .resize
        case ct_key_mouse():
            var event = MEVENT()
            guard getmouse(&event) == ct_ok() else { return nil }
            if ct_is_wheel_up(event.bstate) != 0 { return .mouse(x: Int(event.x), y: Int(event.y), button: .wheelUp) }
            if ct_is_wheel_down(event.bstate) != 0 {
                return .mouse(x: Int(event.x), y: Int(event.y), button: .wheelDown)
            }
            if ct_is_click(event.bstate) != 0 { return .mouse(x: Int(event.x), y: Int(event.y), button: .left) }
            return nil
        default: return nil
        }
    }

    public func writeRaw(_ text: String) {
        var bytes = Array(text.utf8)
        _ = bytes.withUnsafeMutableBytes { write(1, $0.baseAddress, $0.count) }
    }
}
