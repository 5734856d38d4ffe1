import CNCurses
import ComfyImages
import Foundation

/// A question put to the terminal after the first frame (`--images auto` found no graphics protocol in the
/// environment): its bytes, how long to listen, and what to do with the answers once DA1 (which every terminal
/// sends, and sends last) has come.
final class TerminalAsk {
    let query: [UInt8]
    let handler: (TerminalReplies) -> Void
    var deadline: Date?
    var replies = TerminalReplies()

    init(query: [UInt8], handler: @escaping (TerminalReplies) -> Void) {
        self.query = query
        self.handler = handler
    }
}

extension CursesTerminal {
    /// The cell size (CSI 16 t) and DA1 (CSI c): what `--images auto` needs to choose sixel.
    public static let sixelQuery = Array("\u{1B}[16t\u{1B}[c".utf8)

    /// Asks the terminal `query` once the first frame is on screen (so start-up does not wait for it, and a
    /// terminal that never answers costs nothing), and hands the parsed answers to `handler` when DA1 comes,
    /// within `seconds`. The answers are read from the key input and never reach the app as keys.
    public func askAfterFirstFrame(_ query: [UInt8], seconds: Double = 3, handler: @escaping (TerminalReplies) -> Void)
    {
        ask = TerminalAsk(query: query, handler: handler)
        askSeconds = seconds
    }

    /// After a frame: the question goes out once.
    func sendAsk() {
        guard let ask, ask.deadline == nil else { return }
        ask.deadline = Date().addingTimeInterval(askSeconds)
        writeGraphics(ask.query)
    }

    /// Whether answers are awaited now.
    var awaitingReplies: Bool {
        guard let deadline = ask?.deadline else { return false }
        if Date() < deadline { return true }
        ask = nil
        return false
    }

    /// Called after an ESC was read while answers are awaited: reads the rest of a reply (`[ digits;… t` or
    /// `[ ? digits;… c`) and keeps it; true when one was read. Anything else is put back (in order) so the ESC and
    /// what followed are keys as usual.
    func readReply() -> Bool {
        var got: [(code: UInt32, key: Bool)] = []
        func next() -> UInt32? {
            timeout(50)
            var code: UInt32 = 0
            let kind = ct_get_wch(&code)
            if kind == ct_err() { return nil }
            got.append((code, kind == ct_key_code_yes()))
            return kind == ct_key_code_yes() ? nil : code
        }
        if next() == 0x5B {
            while let c = next() {
                let digitOrSemicolon = (0x30...0x39).contains(c) || c == 0x3B
                if digitOrSemicolon || (c == 0x3F && got.count == 2) { continue }
                let body = got.dropFirst().dropLast().map { UInt8(truncatingIfNeeded: $0.code) }
                let isDA1 = c == 0x63 && body.first == 0x3F
                guard c == 0x74 || isDA1 else { break }
                take(TerminalReplies.parse([0x1B, 0x5B] + body + [UInt8(c)]))
                return true
            }
        }
        for (code, key) in got.reversed() {
            if key { _ = ungetch(Int32(bitPattern: code)) } else { _ = unget_wch(wchar_t(bitPattern: code)) }
        }
        return false
    }

    /// Keeps what a reply said; DA1 ends the wait and hands all the answers on.
    private func take(_ reply: TerminalReplies) {
        guard let ask else { return }
        if let cell = reply.cellSize { ask.replies.cellSize = cell }
        if let window = reply.windowPixels { ask.replies.windowPixels = window }
        if let attributes = reply.primaryAttributes {
            ask.replies.primaryAttributes = attributes
            self.ask = nil
            ask.handler(ask.replies)
        }
    }
}
