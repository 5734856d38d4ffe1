/// What a terminal answered to `TerminalQuery`'s questions, parsed from the raw bytes it sent back.
public struct TerminalReplies: Hashable, Sendable {
    /// The DA1 reply's parameters (`ESC [ ? 62 ; 4 ; 22 c` → [62, 4, 22]); 4 means sixel graphics.
    public var primaryAttributes: [Int]?
    /// The kitty graphics query's answer: true for `OK`, false for an error reply, nil when unanswered.
    public var kittyGraphics: Bool?
    /// `CSI 16 t` → `ESC [ 6 ; height ; width t`.
    public var cellSize: CellPixelSize?
    /// `CSI 14 t` → `ESC [ 4 ; height ; width t` (text area in pixels).
    public var windowPixels: CellPixelSize?

    public init(
        primaryAttributes: [Int]? = nil, kittyGraphics: Bool? = nil, cellSize: CellPixelSize? = nil,
        windowPixels: CellPixelSize? = nil
    ) {
        self.primaryAttributes = primaryAttributes
        self.kittyGraphics = kittyGraphics
        self.cellSize = cellSize
        self.windowPixels = windowPixels
    }

    public var sixel: Bool { primaryAttributes?.contains(4) ?? false }

    /// Parses every reply found in `bytes` (other bytes, such as keys typed meanwhile, are skipped).
    public static func parse(_ bytes: [UInt8]) -> TerminalReplies {
        var replies = TerminalReplies()
        var i = 0
        while i < bytes.count {
            guard bytes[i] == 0x1B, i + 1 < bytes.count else {
                i += 1
                continue
            }
            if bytes[i + 1] == 0x5B {  // CSI
                var j = i + 2
                while j < bytes.count, !(0x40...0x7E).contains(bytes[j]) { j += 1 }
                guard j < bytes.count else { break }
                let body = bytes[(i + 2)..<j]
                let final = bytes[j]
                if final == 0x63, body.first == 0x3F {  // ESC [ ? … c
                    replies.primaryAttributes = numbers(body.dropFirst())
                } else if final == 0x74 {  // ESC [ n ; h ; w t
                    let n = numbers(body)
                    if n.count == 3, n[1] > 0, n[2] > 0, n[1] < 100_000, n[2] < 100_000 {
                        let size = CellPixelSize(width: n[2], height: n[1])
                        if n[0] == 6 { replies.cellSize = size }
                        if n[0] == 4 { replies.windowPixels = size }
                    }
                }
                i = j + 1
            } else if bytes[i + 1] == 0x5F, i + 2 < bytes.count, bytes[i + 2] == 0x47 {  // APC G … ST
                var j = i + 3
                while j + 1 < bytes.count, !(bytes[j] == 0x1B && bytes[j + 1] == 0x5C) { j += 1 }
                let body = String(decoding: bytes[(i + 3)..<min(j, bytes.count)], as: UTF8.self)
                if let semicolon = body.firstIndex(of: ";") {
                    replies.kittyGraphics = body[body.index(after: semicolon)...].hasPrefix("OK")
                }
                i = j + 2
            } else {
                i += 1
            }
        }
        return replies
    }

    /// Whether `bytes` hold the DA1 reply, which every terminal sends and which comes last: the end of the answers.
    static func containsPrimaryAttributes(_ bytes: [UInt8]) -> Bool {
        parse(bytes).primaryAttributes != nil
    }

    private static func numbers(_ body: ArraySlice<UInt8>) -> [Int] {
        String(decoding: body, as: UTF8.self).split(separator: ";", omittingEmptySubsequences: false).compactMap {
            Int($0.prefix(6))
        }
    }
}
