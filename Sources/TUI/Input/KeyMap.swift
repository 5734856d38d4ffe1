/// A key press, already decoded from curses.
public enum Key: Sendable, Equatable, Hashable {
    case char(Character)
    case up, down, left, right, pageUp, pageDown, home, end, enter, escape, tab, backTab, backspace, f1
    case resize
    /// ^C read as a key (it is normally SIGINT): quits as SIGINT does.
    case controlC
    case mouse(x: Int, y: Int, button: MouseButton)

    public enum MouseButton: Sendable, Equatable, Hashable { case left, wheelUp, wheelDown }

    /// How the key is written in hints and help.
    public var label: String {
        switch self {
        case .char(" "): return "Space"
        case .char(let c): return String(c)
        case .up: return "↑"
        case .down: return "↓"
        case .left: return "←"
        case .right: return "→"
        case .pageUp: return "PgUp"
        case .pageDown: return "PgDn"
        case .home: return "Home"
        case .end: return "End"
        case .enter: return "Enter"
        case .escape: return "Esc"
        case .tab: return "Tab"
        case .backTab: return "S-Tab"
        case .backspace: return "Bksp"
        case .f1: return "F1"
        case .resize: return "resize"
        case .controlC: return "^C"
        case .mouse: return "mouse"
        }
    }
}

/// Everything a key can do.
public enum Action: String, Sendable, CaseIterable {
    case quit, help, up, down, pageUp, pageDown, top, bottom, nextPane, previousPane, details
    case interrupt, cancel, download, follow, filter, back
    case history, sort, statusFilter, serverFilter, requeue, requeueNewSeed, copyID, copyPath, deleteHistory
    case preview, viewer
}

/// One row of the key table: it feeds the hint bar, the help overlay and the README.
public struct KeyBinding: Sendable {
    public var action: Action
    public var keys: [Key]
    public var help: String
    public var section: String
    public var showInBar: Bool
    /// Changes the server: asks for confirmation, and is disabled by `--read-only`.
    public var mutatesServer: Bool
}

/// The one key table.
public enum KeyMap {
    public static let bindings: [KeyBinding] = [
        KeyBinding(
            action: .quit, keys: [.char("q")], help: "quit", section: "General", showInBar: true, mutatesServer: false),
        KeyBinding(
            action: .help, keys: [.char("?"), .f1], help: "help", section: "General", showInBar: true,
            mutatesServer: false),
        KeyBinding(
            action: .back, keys: [.escape], help: "close, back out", section: "General", showInBar: false,
            mutatesServer: false),
        KeyBinding(
            action: .up, keys: [.up, .char("k")], help: "move up", section: "Move", showInBar: false,
            mutatesServer: false),
        KeyBinding(
            action: .down, keys: [.down, .char("j")], help: "move down", section: "Move", showInBar: false,
            mutatesServer: false),
        KeyBinding(
            action: .pageUp, keys: [.pageUp], help: "page up", section: "Move", showInBar: false, mutatesServer: false),
        KeyBinding(
            action: .pageDown, keys: [.pageDown], help: "page down", section: "Move", showInBar: false,
            mutatesServer: false),
        KeyBinding(
            action: .top, keys: [.home, .char("g")], help: "first", section: "Move", showInBar: false,
            mutatesServer: false),
        KeyBinding(
            action: .bottom, keys: [.end, .char("G")], help: "last", section: "Move", showInBar: false,
            mutatesServer: false),
        KeyBinding(
            action: .nextPane, keys: [.tab], help: "next pane", section: "Move", showInBar: true, mutatesServer: false),
        KeyBinding(
            action: .previousPane, keys: [.backTab], help: "previous pane", section: "Move", showInBar: false,
            mutatesServer: false),
        KeyBinding(
            action: .details, keys: [.enter], help: "details of the job (error, traceback)", section: "Jobs",
            showInBar: true, mutatesServer: false),
        KeyBinding(
            action: .follow, keys: [.char("f")], help: "follow the running job", section: "Jobs", showInBar: true,
            mutatesServer: false),
        KeyBinding(
            action: .filter, keys: [.char("/")], help: "filter jobs by id, client or node", section: "Jobs",
            showInBar: true, mutatesServer: false),
        KeyBinding(
            action: .download, keys: [.char("d")], help: "download the job's outputs", section: "Jobs", showInBar: true,
            mutatesServer: false),
        KeyBinding(
            action: .interrupt, keys: [.char("i")], help: "interrupt the running job", section: "Server",
            showInBar: true, mutatesServer: true),
        KeyBinding(
            action: .cancel, keys: [.char("x"), .char("c")], help: "cancel the selected pending job", section: "Server",
            showInBar: true, mutatesServer: true),
        KeyBinding(
            action: .history, keys: [.char("h")], help: "history browser (again: back to the monitor)",
            section: "History", showInBar: true, mutatesServer: false),
        KeyBinding(
            action: .sort, keys: [.char("o")], help: "history: sort order (newest, oldest, longest, shortest)",
            section: "History", showInBar: false, mutatesServer: false),
        KeyBinding(
            action: .statusFilter, keys: [.char("t")], help: "history: show all, failed, success, interrupted, removed",
            section: "History", showInBar: false, mutatesServer: false),
        KeyBinding(
            action: .serverFilter, keys: [.char("s")], help: "history: every server, or one (steps through them)",
            section: "History", showInBar: false, mutatesServer: false),
        KeyBinding(
            action: .requeue, keys: [.char("r")], help: "history: queue the run again", section: "History",
            showInBar: false, mutatesServer: true),
        KeyBinding(
            action: .requeueNewSeed, keys: [.char("R")], help: "history: queue again with new random seeds",
            section: "History", showInBar: false, mutatesServer: true),
        KeyBinding(
            action: .copyID, keys: [.char("y")], help: "copy the prompt_id (OSC 52, works over SSH)",
            section: "History", showInBar: false, mutatesServer: false),
        KeyBinding(
            action: .copyPath, keys: [.char("Y")], help: "copy the first output's path", section: "History",
            showInBar: false, mutatesServer: false),
        KeyBinding(
            action: .deleteHistory, keys: [.char("D")], help: "history: delete the run from the server's history",
            section: "History", showInBar: false, mutatesServer: true),
        KeyBinding(
            action: .preview, keys: [.char("p")], help: "show or hide the live preview pane", section: "Pictures",
            showInBar: false, mutatesServer: false),
        KeyBinding(
            action: .viewer, keys: [.char("v")],
            help: "view the job's images full screen (Enter on an output too; ←/→ step, d download, y copy path)",
            section: "Pictures", showInBar: false, mutatesServer: false),
    ]

    public static func action(for key: Key) -> Action? {
        bindings.first { $0.keys.contains(key) }?.action
    }

    public static func binding(_ action: Action) -> KeyBinding? { bindings.first { $0.action == action } }

    /// The README's key table, generated from the same rows.
    public static var markdownTable: String {
        var lines = ["| keys | action |", "| --- | --- |"]
        for b in bindings {
            let keys = b.keys.map { "`\($0.label)`" }.joined(separator: " ")
            lines.append("| \(keys) | \(b.help)\(b.mutatesServer ? " (asks first; off with `--read-only`)" : "") |")
        }
        return lines.joined(separator: "\n")
    }
}
