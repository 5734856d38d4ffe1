/// What the user asked for with `--images`.
public enum ImageMode: String, CaseIterable, Sendable {
    case auto, kitty, iterm, sixel, symbols, off
}

/// How pictures are drawn once the mode is resolved against the terminal.
public enum GraphicsProtocol: String, CaseIterable, Sendable {
    case kitty, iterm, sixel, symbols, off
}

/// The resolved choice, with what the encoders need to know.
public struct GraphicsChoice: Hashable, Sendable {
    public var graphics: GraphicsProtocol
    /// Inside tmux: graphics sequences go through the passthrough envelope, and kitty pictures are drawn as
    /// Unicode placeholder cells (direct placements would not follow the pane).
    public var tmux: Bool
    /// The terminal's cell size in pixels when known (a sixel needs it; kitty and iTerm2 scale to cells).
    public var cellSize: CellPixelSize?
    /// Why this choice, for `--images auto` diagnostics and the log.
    public var reason: String

    public init(graphics: GraphicsProtocol, tmux: Bool = false, cellSize: CellPixelSize? = nil, reason: String) {
        self.graphics = graphics
        self.tmux = tmux
        self.cellSize = cellSize
        self.reason = reason
    }

    /// Kitty through placeholders (inside tmux) rather than direct placement.
    public var kittyPlaceholders: Bool { graphics == .kitty && tmux }
}
