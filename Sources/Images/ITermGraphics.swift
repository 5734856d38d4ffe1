import Foundation

/// iTerm2's inline images (OSC 1337 File=…), also understood by WezTerm, mintty and VS Code's terminal.
public enum ITermGraphics {
    /// Shows an encoded image file (PNG, JPEG…) at the cursor over `columns`×`rows` cells.
    public static func inline(file: [UInt8], columns: Int, rows: Int, tmux: Bool = false) -> [UInt8] {
        let head =
            "\u{1B}]1337;File=inline=1;size=\(file.count);width=\(columns);height=\(rows);"
            + "preserveAspectRatio=1;doNotMoveCursor=1:"
        let sequence = Array(head.utf8) + Array(Data(file).base64EncodedString().utf8) + [0x07]
        return tmux ? TmuxPassthrough.wrap(sequence) : sequence
    }
}
