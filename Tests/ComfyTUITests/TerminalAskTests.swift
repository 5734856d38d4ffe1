import ComfyClient
import ComfyImages
import Foundation
import Testing

@testable import ComfyTUI

/// `--images auto` asks the terminal for sixel after the first frame; the answers come in with the keys.
extension CursesTests {
    @Test("the question goes out once, after the first frame; the answers are read out of the keys, never as keys")
    func sixelQueryAfterFirstFrame() throws {
        var keys: [Key?] = []
        var answered: [TerminalReplies] = []
        let bytes = try Self.withCurses { terminal, input in
            terminal.askAfterFirstFrame(CursesTerminal.sixelQuery) { answered.append($0) }
            var canvas = Canvas(width: 40, height: 10)
            canvas.put(0, 0, "first frame")
            terminal.draw(canvas, previous: nil)
            canvas.put(0, 1, "second frame")
            terminal.draw(canvas, previous: nil)
            // The terminal answers (cell size, then DA1 with sixel), and the user types x, Esc, q and an arrow (in
            // keypad mode, as the terminal sends it).
            let typed = Array("\u{1B}[6;20;10t\u{1B}[?62;4;22cx\u{1B}q\u{1B}OA".utf8)
            _ = typed.withUnsafeBytes { write(input, $0.baseAddress, $0.count) }
            for _ in 0..<8 { keys.append(terminal.readKey(timeoutMS: 300, wakeable: false)) }
        }
        let text = String(decoding: bytes, as: UTF8.self)
        #expect(text.components(separatedBy: "\u{1B}[16t\u{1B}[c").count - 1 == 1)
        if let frame = text.range(of: "first frame"), let query = text.range(of: "\u{1B}[16t") {
            #expect(frame.upperBound <= query.lowerBound)
        }
        #expect(keys.compactMap { $0 } == [.char("x"), .escape, .char("q"), .up])
        #expect(answered.count == 1)
        #expect(answered.first?.sixel == true)
        #expect(answered.first?.cellSize == CellPixelSize(width: 10, height: 20))
    }

    @Test("nobody answers (pyte, a dumb pipe): keys read as usual, nothing is handed on")
    func sixelQueryUnanswered() throws {
        var keys: [Key?] = []
        var answered = 0
        _ = try Self.withCurses { terminal, input in
            terminal.askAfterFirstFrame(CursesTerminal.sixelQuery, seconds: 0.2) { _ in answered += 1 }
            terminal.draw(Canvas(width: 20, height: 5), previous: nil)
            let typed = Array("\u{1B}x".utf8)
            _ = typed.withUnsafeBytes { write(input, $0.baseAddress, $0.count) }
            for _ in 0..<3 { keys.append(terminal.readKey(timeoutMS: 300, wakeable: false)) }
        }
        #expect(keys.compactMap { $0 } == [.escape, .char("x")])
        #expect(answered == 0)
    }
}

@Suite("Sixel from the terminal's answers")
struct SixelChoiceTests {
    @Test("DA1 with 4 and a cell size: sixel; without 4 or without a size: symbols stay")
    func choice() {
        let env = ["TERM": "xterm-256color"]
        let cell = CellPixelSize(width: 10, height: 20)
        let yes = MonitorApp.sixel(TerminalReplies(primaryAttributes: [62, 4, 22], cellSize: cell), environment: env)
        #expect(yes?.graphics == .sixel && yes?.cellSize == cell)
        #expect(
            MonitorApp.sixel(TerminalReplies(primaryAttributes: [62, 22], cellSize: cell), environment: env) == nil)
        #expect(MonitorApp.sixel(TerminalReplies(cellSize: cell), environment: env) == nil)
    }
}
