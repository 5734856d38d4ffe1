import ComfyImages
import Testing

@Suite struct GraphicsSupportTests {
    func choose(
        _ env: [String: String], _ replies: TerminalReplies? = nil, mode: ImageMode = .auto,
        window: CellPixelSize? = nil
    ) -> GraphicsChoice {
        GraphicsSupport.choose(
            mode: mode, environment: env, replies: replies, windowPixels: window, columns: 100, rows: 50)
    }

    @Test func detectionOrder() {
        #expect(choose(["TERM": "dumb"]).graphics == .off)
        #expect(choose(["TERM": "xterm-kitty"]).graphics == .kitty)
        #expect(choose(["TERM": "xterm-256color", "KITTY_WINDOW_ID": "1"]).graphics == .kitty)
        #expect(choose(["TERM": "xterm-ghostty"]).graphics == .kitty)
        #expect(choose(["TERM": "xterm-256color", "TERM_PROGRAM": "iTerm.app"]).graphics == .iterm)
        #expect(choose(["TERM": "xterm-256color", "TERM_PROGRAM": "WezTerm"]).graphics == .iterm)
        #expect(choose(["TERM": "xterm-256color"]).graphics == .symbols)
        // A kitty reply wins over the environment; a refusal sends us on down the list.
        let kittyOK = TerminalReplies(kittyGraphics: true)
        #expect(choose(["TERM": "xterm-256color"], kittyOK).graphics == .kitty)
        #expect(choose(["TERM": "xterm-kitty"], TerminalReplies(kittyGraphics: false)).graphics == .symbols)
        // Sixel from DA1, only with a cell size (CSI 16 t, or the window's pixels over its cells).
        let da1 = TerminalReplies(primaryAttributes: [62, 4, 22])
        #expect(choose(["TERM": "xterm"], da1).graphics == .symbols)
        let sized = TerminalReplies(primaryAttributes: [62, 4, 22], cellSize: CellPixelSize(width: 9, height: 18))
        #expect(
            choose(["TERM": "xterm"], sized)
                == GraphicsChoice(
                    graphics: .sixel, cellSize: CellPixelSize(width: 9, height: 18),
                    reason: "the terminal reports sixel graphics (DA1 4)"))
        #expect(
            choose(["TERM": "xterm"], da1, window: CellPixelSize(width: 1000, height: 1000)).cellSize
                == CellPixelSize(width: 10, height: 20))
        // 0×0 pixels (SSH): symbols.
        #expect(choose(["TERM": "xterm"], da1, window: CellPixelSize(width: 0, height: 0)).graphics == .symbols)
    }

    @Test func insideTmux() {
        let tmux = ["TERM": "tmux-256color", "TMUX": "/tmp/tmux-0/default,1,0", "KITTY_WINDOW_ID": "3"]
        let kitty = choose(tmux)
        #expect(kitty.graphics == .kitty && kitty.tmux && kitty.kittyPlaceholders)
        // iTerm2 images do not follow a tmux pane: symbols.
        #expect(choose(["TMUX": "x", "TERM_PROGRAM": "iTerm.app"]).graphics == .symbols)
    }

    @Test func explicitModes() {
        #expect(choose(["TERM": "xterm-kitty"], mode: .symbols).graphics == .symbols)
        #expect(choose(["TERM": "xterm"], mode: .kitty).graphics == .kitty)
        #expect(choose(["TERM": "xterm"], mode: .off).graphics == .off)
        #expect(choose(["TERM": "xterm"], mode: .sixel).graphics == .symbols)
        #expect(
            choose(["TERM": "xterm"], TerminalReplies(cellSize: CellPixelSize(width: 8, height: 16)), mode: .sixel)
                .graphics == .sixel)
    }

    @Test func parsesReplies() {
        let bytes = Array("x\u{1B}_Gi=4242;OK\u{1B}\\\u{1B}[6;20;10t\u{1B}[4;800;1000t\u{1B}[?62;4;22cq".utf8)
        let replies = TerminalReplies.parse(bytes)
        #expect(replies.kittyGraphics == true)
        #expect(replies.cellSize == CellPixelSize(width: 10, height: 20))
        #expect(replies.windowPixels == CellPixelSize(width: 1000, height: 800))
        #expect(replies.primaryAttributes == [62, 4, 22] && replies.sixel)
        let refused = TerminalReplies.parse(Array("\u{1B}_Gi=4242;ENOTSUPPORTED:no\u{1B}\\\u{1B}[?1;2c".utf8))
        #expect(refused.kittyGraphics == false && !refused.sixel && refused.cellSize == nil)
        // Truncated and hostile replies parse to nothing rather than trap.
        #expect(TerminalReplies.parse(Array("\u{1B}[6;99999999999999999999;1t\u{1B}[".utf8)) == TerminalReplies())
        #expect(TerminalReplies.parse([0x1B]) == TerminalReplies())
    }

    @Test func depthFromTheEnvironment() {
        #expect(GraphicsSupport.symbolDepth(environment: ["COLORTERM": "truecolor"], colors: 256) == .truecolor)
        #expect(GraphicsSupport.symbolDepth(environment: [:], colors: 256) == .colors256)
        #expect(
            GraphicsSupport.symbolDepth(environment: ["NO_COLOR": "1", "COLORTERM": "truecolor"], colors: 256) == .mono)
        #expect(GraphicsSupport.symbolDepth(environment: [:], colors: 8) == .colors8)
        #expect(GraphicsSupport.symbolDepth(environment: [:], colors: 0) == .mono)
    }
}
