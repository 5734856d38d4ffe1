/// Chooses how to draw pictures: a pure function of the environment, the terminal's replies and its pixel size.
///
/// Order for `auto`: nothing on a dumb terminal; kitty when the terminal answered the kitty query, or when the
/// environment names a kitty-protocol terminal (kitty, Ghostty); iTerm2 inline images when it names iTerm2 or
/// WezTerm (outside tmux only: tmux does not move such images with the pane); sixel when DA1 lists 4 and the
/// cell size in pixels is known (a sixel is sized in pixels); symbols otherwise, and symbols whenever the
/// terminal reports a 0×0 pixel window with no cell size (common over SSH), except kitty, which sizes in cells.
/// An explicit mode is taken as asked, except sixel without a known cell size (symbols, with the reason).
public enum GraphicsSupport {
    public static func choose(
        mode: ImageMode, environment: [String: String], replies: TerminalReplies? = nil,
        windowPixels: CellPixelSize? = nil, columns: Int = 0, rows: Int = 0
    ) -> GraphicsChoice {
        let tmux = !(environment["TMUX"] ?? "").isEmpty
        let cell = cellSize(replies: replies, windowPixels: windowPixels, columns: columns, rows: rows)
        func choice(_ graphics: GraphicsProtocol, _ reason: String) -> GraphicsChoice {
            GraphicsChoice(graphics: graphics, tmux: tmux, cellSize: cell, reason: reason)
        }
        switch mode {
        case .off: return choice(.off, "--images off")
        case .symbols: return choice(.symbols, "--images symbols")
        case .kitty: return choice(.kitty, "--images kitty")
        case .iterm: return choice(.iterm, "--images iterm")
        case .sixel:
            return cell == nil
                ? choice(.symbols, "--images sixel, but the terminal's cell size in pixels is unknown")
                : choice(.sixel, "--images sixel")
        case .auto: break
        }
        let term = environment["TERM"] ?? ""
        let program = environment["TERM_PROGRAM"] ?? ""
        if term == "dumb" { return choice(.off, "TERM=dumb") }
        if let kitty = replies?.kittyGraphics {
            if kitty { return choice(.kitty, "the terminal answered the kitty graphics query") }
        } else if !(environment["KITTY_WINDOW_ID"] ?? "").isEmpty || term.contains("kitty") {
            return choice(.kitty, "kitty (KITTY_WINDOW_ID/TERM)")
        } else if term.contains("ghostty") || program.lowercased() == "ghostty" {
            return choice(.kitty, "Ghostty speaks the kitty graphics protocol")
        }
        let lcTerminal = environment["LC_TERMINAL"] ?? ""
        if !tmux, program == "iTerm.app" || program == "WezTerm" || lcTerminal == "iTerm2" {
            return choice(.iterm, "\(program.isEmpty ? lcTerminal : program) shows iTerm2 inline images")
        }
        if replies?.sixel ?? false {
            if cell != nil { return choice(.sixel, "the terminal reports sixel graphics (DA1 4)") }
            return choice(.symbols, "sixel reported, but the cell size in pixels is unknown (0×0 over SSH?)")
        }
        return choice(.symbols, "no graphics protocol detected")
    }

    /// The cell size from the CSI 16 t reply, else the window's pixels (TIOCGWINSZ or CSI 14 t) over its cells.
    public static func cellSize(
        replies: TerminalReplies?, windowPixels: CellPixelSize?, columns: Int, rows: Int
    ) -> CellPixelSize? {
        if let cell = replies?.cellSize, cell.width > 0, cell.height > 0 { return cell }
        for window in [windowPixels, replies?.windowPixels] {
            if let window, window.width > 0, window.height > 0, columns > 0, rows > 0,
                window.width / columns > 0, window.height / rows > 0
            {
                return CellPixelSize(width: window.width / columns, height: window.height / rows)
            }
        }
        return nil
    }

    /// The symbols' colour depth the environment suggests: truecolor when COLORTERM says so, else 256 when the
    /// terminal has 256 colours, 16 or 8 from `colors`, mono without colour or with NO_COLOR.
    public static func symbolDepth(environment: [String: String], colors: Int) -> PictureDepth {
        if environment["NO_COLOR"].map({ !$0.isEmpty }) ?? false { return .mono }
        let colorterm = (environment["COLORTERM"] ?? "").lowercased()
        if colors >= 8, colorterm == "truecolor" || colorterm == "24bit" { return .truecolor }
        if colors >= 256 { return .colors256 }
        if colors >= 16 { return .colors16 }
        if colors >= 8 { return .colors8 }
        return .mono
    }
}
