/// A picture printed in the flow of a line-oriented output (`comfytop view`, `submit --wait --preview`), as
/// `kitten icat` and `chafa` print: the bytes leave the cursor at the start of the line below the picture.
public enum InlinePicture {
    /// The bytes that print `image` fitted inside `maxColumns`×`maxRows` cells with `choice`, at the start of
    /// the cursor's line. Graphics reserve their rows first (newlines, then back up), so a picture at the bottom
    /// of the screen scrolls the text up instead of being cut. Symbols are printed in `depth`.
    public static func bytes(
        _ image: RGBImage, choice: GraphicsChoice, maxColumns: Int, maxRows: Int, depth: PictureDepth,
        symbols: SymbolSet = .quadrant, imageID: UInt32 = 1
    ) throws(ImageError) -> [UInt8] {
        let aspect = PictureFit.cellAspect(choice.cellSize)
        var size = PictureFit.cells(
            imageWidth: image.width, imageHeight: image.height, maxColumns: maxColumns, maxRows: maxRows,
            cellAspect: aspect)
        switch choice.graphics {
        case .off:
            return []
        case .symbols:
            let picture = SymbolRenderer.render(
                image, columns: size.columns, rows: size.rows, options: SymbolOptions(depth: depth, symbols: symbols))
            return Array(picture.ansiText().utf8)
        case .kitty, .iterm, .sixel:
            if choice.kittyPlaceholders {
                size.columns = min(size.columns, KittyGraphics.maxPlaceholderCells)
                size.rows = min(size.rows, KittyGraphics.maxPlaceholderCells)
            }
            guard
                let frame = try GraphicsEncoder.encode(
                    image, choice: choice, columns: size.columns, rows: size.rows, imageID: imageID)
            else { return [] }
            if let id = frame.placeholderImageID {
                // Placeholder cells are text: printing them moves the cursor like any text.
                return frame.bytes
                    + Array(KittyGraphics.placeholderText(imageID: id, columns: frame.columns, rows: frame.rows).utf8)
            }
            var out = Array(String(repeating: "\n", count: frame.rows).utf8)
            out += Array("\u{1B}[\(frame.rows)A\r".utf8)
            out += frame.bytes
            // Kitty (C=1) and iTerm2 (doNotMoveCursor) leave the cursor on the first row: down past the reserved
            // rows. A sixel leaves it on its last row or the one below, depending on the terminal: a new line.
            if choice.graphics == .sixel {
                out += Array("\r\n".utf8)
            } else {
                out += Array("\u{1B}[\(frame.rows)B\r".utf8)
            }
            return out
        }
    }
}
