/// What to write for one picture in a graphics protocol.
public struct GraphicsFrame: Sendable, Equatable {
    /// Escape sequences to write with the cursor at the picture's top-left cell (already wrapped for tmux).
    public var bytes: [UInt8]
    /// The cells the picture covers.
    public var columns: Int
    public var rows: Int
    /// Kitty placeholders: the image id whose placeholder cells (`KittyGraphics.placeholderCell`, foreground
    /// `KittyGraphics.placeholderForeground(id)`) must be drawn as text over the `columns`×`rows` cells; nil
    /// for direct placements, iTerm2 and sixel, whose pixels cover the cells themselves.
    public var placeholderImageID: UInt32?

    public init(bytes: [UInt8], columns: Int, rows: Int, placeholderImageID: UInt32? = nil) {
        self.bytes = bytes
        self.columns = columns
        self.rows = rows
        self.placeholderImageID = placeholderImageID
    }
}

/// One entry for every graphics protocol: an image to the bytes that show it over `columns`×`rows` cells.
public enum GraphicsEncoder {
    /// The cell size assumed when the terminal does not say (kitty and iTerm2 scale to cells anyway).
    public static let defaultCellSize = CellPixelSize(width: 10, height: 20)

    /// Encodes `image` for `choice.graphics` (kitty, iterm or sixel) to fill `columns`×`rows` cells (fit first
    /// with `PictureFit.cells`). The image is scaled down to the cells' pixels, never up, before encoding.
    /// Symbols and off give nil: draw a `SymbolPicture` through curses instead.
    public static func encode(
        _ image: RGBImage, choice: GraphicsChoice, columns: Int, rows: Int, imageID: UInt32 = 1
    ) throws(ImageError) -> GraphicsFrame? {
        var columns = max(1, columns), rows = max(1, rows)
        let cell = choice.cellSize ?? defaultCellSize
        let scaled = image.fitted(
            maxWidth: min(image.width, columns * cell.width), maxHeight: min(image.height, rows * cell.height))
        switch choice.graphics {
        case .kitty:
            let png = try ImageCodec.encodePNG(scaled)
            if choice.kittyPlaceholders {
                columns = min(columns, KittyGraphics.maxPlaceholderCells)
                rows = min(rows, KittyGraphics.maxPlaceholderCells)
                let bytes = KittyGraphics.transmitForPlaceholders(
                    png: png, imageID: imageID, columns: columns, rows: rows, tmux: true)
                return GraphicsFrame(bytes: bytes, columns: columns, rows: rows, placeholderImageID: imageID)
            }
            let bytes = KittyGraphics.place(png: png, imageID: imageID, columns: columns, rows: rows, tmux: choice.tmux)
            return GraphicsFrame(bytes: bytes, columns: columns, rows: rows)
        case .iterm:
            let jpeg = try ImageCodec.encodeJPEG(scaled, quality: 90)
            let bytes = ITermGraphics.inline(file: jpeg, columns: columns, rows: rows, tmux: choice.tmux)
            return GraphicsFrame(bytes: bytes, columns: columns, rows: rows)
        case .sixel:
            // Not wrapped inside tmux: a tmux that reported sixel in DA1 draws sixels itself.
            let sixel = SixelEncoder.encode(image, columns: columns, rows: rows, cellSize: cell)
            return GraphicsFrame(bytes: sixel, columns: columns, rows: rows)
        case .symbols, .off:
            return nil
        }
    }

    /// The bytes that remove what `encode` showed with `imageID` (kitty: delete the image; iTerm2 and sixel leave
    /// pixels that only redrawing the cells removes, so nil: the caller repaints the area).
    public static func remove(choice: GraphicsChoice, imageID: UInt32) -> [UInt8]? {
        choice.graphics == .kitty ? KittyGraphics.delete(imageID: imageID, tmux: choice.tmux) : nil
    }
}
