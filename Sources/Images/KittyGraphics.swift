import Foundation

/// Escape sequences of the kitty graphics protocol (https://sw.kovidgoyal.net/kitty/graphics-protocol/).
/// Images go as PNG (`f=100`), base64 in chunks of 4096 characters, with `q=2` so the terminal never answers.
public enum KittyGraphics {
    /// The base64 characters per chunk (the protocol's maximum).
    public static let chunkSize = 4096

    /// Transmits `png` as image `imageID` and shows it at the cursor over `columns`×`rows` cells (`a=T`, direct
    /// placement); `C=1` keeps the cursor where it was, so curses' idea of it stays true.
    public static func place(png: [UInt8], imageID: UInt32, columns: Int, rows: Int, tmux: Bool = false) -> [UInt8] {
        transmit(png: png, keys: "a=T,f=100,i=\(imageID),q=2,c=\(columns),r=\(rows),C=1", tmux: tmux)
    }

    /// Transmits `png` as image `imageID` with a virtual placement of `columns`×`rows` cells (`a=T,U=1`): the
    /// image then appears wherever the placeholder cells (`placeholderCell`) are drawn as text, which tmux
    /// moves, clips and scrolls like any text.
    public static func transmitForPlaceholders(
        png: [UInt8], imageID: UInt32, columns: Int, rows: Int, tmux: Bool = false
    ) -> [UInt8] {
        transmit(png: png, keys: "a=T,U=1,f=100,i=\(imageID),q=2,c=\(columns),r=\(rows)", tmux: tmux)
    }

    /// The most rows or columns a placeholder grid can number.
    public static var maxPlaceholderCells: Int { KittyDiacritics.table.count }

    /// The text of one placeholder cell: U+10EEEE, then the row's and the column's diacritic. It must be drawn
    /// with the foreground colour `placeholderForeground(imageID)`.
    public static func placeholderCell(row: Int, column: Int) -> String {
        var s = String(Unicode.Scalar(0x10EEEE as UInt32).map(Character.init) ?? " ")
        s.unicodeScalars.append(KittyDiacritics.scalar(row))
        s.unicodeScalars.append(KittyDiacritics.scalar(column))
        return s
    }

    /// The row's and the column's diacritic of a placeholder cell (the marks after U+10EEEE).
    public static func placeholderMarks(row: Int, column: Int) -> (row: UInt32, column: UInt32) {
        (KittyDiacritics.scalar(row).value, KittyDiacritics.scalar(column).value)
    }

    /// The placeholder character (U+10EEEE).
    public static let placeholder: UInt32 = 0x10EEEE

    /// The foreground colour that names the image in placeholder cells: a 256-colour index for ids up to 255
    /// (which curses can draw in any 256-colour terminal), 24-bit RGB above.
    public static func placeholderForeground(_ imageID: UInt32) -> PictureColor {
        if imageID < 256 { return .palette(UInt8(imageID)) }
        return .rgb(UInt8((imageID >> 16) & 0xFF), UInt8((imageID >> 8) & 0xFF), UInt8(imageID & 0xFF))
    }

    /// The whole placeholder grid as text for a line-oriented output (`comfytop view`): each row starts with the
    /// id's colour and ends with a colour reset and "\r\n".
    public static func placeholderText(imageID: UInt32, columns: Int, rows: Int) -> String {
        let color: String
        switch placeholderForeground(imageID) {
        case .palette(let i): color = "\u{1B}[38;5;\(i)m"
        case .rgb(let r, let g, let b): color = "\u{1B}[38;2;\(r);\(g);\(b)m"
        default: color = ""
        }
        var out = ""
        for row in 0..<min(rows, maxPlaceholderCells) {
            out += color
            for column in 0..<min(columns, maxPlaceholderCells) { out += placeholderCell(row: row, column: column) }
            out += "\u{1B}[39m\r\n"
        }
        return out
    }

    /// Deletes image `imageID`'s placements and frees its data (`a=d,d=I`).
    public static func delete(imageID: UInt32, tmux: Bool = false) -> [UInt8] {
        command("a=d,d=I,i=\(imageID),q=2", tmux: tmux)
    }

    /// Deletes every image placement on the screen and frees the data (`a=d,d=A`).
    public static func deleteAll(tmux: Bool = false) -> [UInt8] { command("a=d,d=A,q=2", tmux: tmux) }

    /// The query that asks whether the terminal speaks the protocol (`a=q` with a 1×1 RGB image); a kitty-capable
    /// terminal answers `ESC _G i=<id>;OK ESC \`.
    public static func supportQuery(imageID: UInt32 = 4_242, tmux: Bool = false) -> [UInt8] {
        command("i=\(imageID),s=1,v=1,a=q,t=d,f=24;AAAA", tmux: tmux)
    }

    private static func command(_ body: String, tmux: Bool) -> [UInt8] {
        let sequence = Array("\u{1B}_G\(body)\u{1B}\\".utf8)
        return tmux ? TmuxPassthrough.wrap(sequence) : sequence
    }

    private static func transmit(png: [UInt8], keys: String, tmux: Bool) -> [UInt8] {
        let encoded = Array(Data(png).base64EncodedString().utf8)
        var out: [UInt8] = []
        out.reserveCapacity(encoded.count + encoded.count / chunkSize * 32 + 64)
        var start = 0
        repeat {
            let end = min(encoded.count, start + chunkSize)
            let more = end < encoded.count ? 1 : 0
            let head = start == 0 ? "\(keys),m=\(more)" : "m=\(more)"
            var sequence = Array("\u{1B}_G\(head);".utf8)
            sequence += encoded[start..<end]
            sequence += [0x1B, 0x5C]
            out += tmux ? TmuxPassthrough.wrap(sequence) : sequence
            start = end
        } while start < encoded.count
        return out
    }
}
