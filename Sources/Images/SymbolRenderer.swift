import CChafa

/// How to turn a picture into cells.
public struct SymbolOptions: Hashable, Sendable {
    public var depth: PictureDepth
    public var symbols: SymbolSet
    /// Dithering spreads the error of a small palette over neighbouring cells: on by default for 16, 8 and mono.
    public var dither: Bool
    /// libchafa's effort, 0…1 (more tries more symbols per cell).
    public var workFactor: Float
    /// Draw cells in their left neighbour's colours where that looks the same (`withFewerColourChanges`): fewer
    /// bytes to the terminal, the same picture.
    public var fewerColourChanges: Bool
    /// `fast`: half blocks only, no symbol search (`HalfBlockRenderer`): for live previews redrawn many times a
    /// second. `best`: libchafa picks among the symbol set for each cell (stills: outputs, the viewer). Mono is
    /// always drawn by libchafa.
    public var fast: Bool

    public init(
        depth: PictureDepth, symbols: SymbolSet = .quadrant, dither: Bool? = nil, workFactor: Float = 0.5,
        fewerColourChanges: Bool = true, fast: Bool = false
    ) {
        self.fast = fast
        self.depth = depth
        self.symbols = symbols
        self.dither = dither ?? [.colors16, .colors8, .mono].contains(depth)
        self.workFactor = workFactor
        self.fewerColourChanges = fewerColourChanges
    }
}

/// Pixels to terminal cells through libchafa's symbol mode (`CHAFA_PIXEL_MODE_SYMBOLS`).
public enum SymbolRenderer {
    /// The image drawn in exactly `columns`×`rows` cells (stretched: call `PictureFit.cells` first to keep its
    /// aspect ratio).
    public static func render(_ image: RGBImage, columns: Int, rows: Int, options: SymbolOptions) -> SymbolPicture {
        let columns = max(1, columns), rows = max(1, rows)
        if options.fast && options.depth != .mono {
            let picture = HalfBlockRenderer.render(image, columns: columns, rows: rows, depth: options.depth)
            return options.fewerColourChanges ? picture.withFewerColourChanges() : picture
        }
        let key = CanvasKey(columns: columns, rows: rows, options: options)
        let cells: [SymbolCell]? = canvases.withCanvas(key, make: { makeCanvas(key) }) { canvas in
            image.pixels.withUnsafeBufferPointer { pixels in
                chafa_canvas_draw_all_pixels(
                    canvas, CHAFA_PIXEL_RGB8, pixels.baseAddress, Int32(image.width), Int32(image.height),
                    Int32(image.width * 3))
            }
            var cells: [SymbolCell] = []
            cells.reserveCapacity(columns * rows)
            for y in 0..<rows {
                for x in 0..<columns {
                    let code = chafa_canvas_get_char_at(canvas, Int32(x), Int32(y))
                    var fg: Int32 = 0, bg: Int32 = 0
                    if options.depth == .truecolor {
                        chafa_canvas_get_colors_at(canvas, Int32(x), Int32(y), &fg, &bg)
                    } else {
                        chafa_canvas_get_raw_colors_at(canvas, Int32(x), Int32(y), &fg, &bg)
                    }
                    cells.append(
                        SymbolCell(
                            character: safeScalar(code),
                            foreground: color(fg, depth: options.depth, isForeground: true),
                            background: color(bg, depth: options.depth, isForeground: false)))
                }
            }
            return cells
        }
        guard let cells else { return blank(columns: columns, rows: rows) }
        let picture = SymbolPicture(columns: columns, rows: rows, cells: cells)
        return options.fewerColourChanges ? picture.withFewerColourChanges() : picture
    }

    /// Canvases are kept between pictures of the same size and options: making one prepares its symbol map,
    /// which costs far more than drawing a preview into it.
    private static let canvases = CanvasPool()

    private static func makeCanvas(_ key: CanvasKey) -> OpaquePointer? {
        let options = key.options
        guard let config = chafa_canvas_config_new() else { return nil }
        defer { chafa_canvas_config_unref(config) }
        chafa_canvas_config_set_geometry(config, Int32(key.columns), Int32(key.rows))
        chafa_canvas_config_set_pixel_mode(config, CHAFA_PIXEL_MODE_SYMBOLS)
        chafa_canvas_config_set_canvas_mode(config, canvasMode(options.depth))
        chafa_canvas_config_set_work_factor(config, options.workFactor)
        chafa_canvas_config_set_dither_mode(
            config, options.dither ? CHAFA_DITHER_MODE_ORDERED : CHAFA_DITHER_MODE_NONE)
        if options.depth == .mono {
            // White on black as the reference; the terminal's own colours replace them when drawn.
            chafa_canvas_config_set_fg_color(config, 0xFFFFFF)
            chafa_canvas_config_set_bg_color(config, 0x000000)
        }
        guard let map = chafa_symbol_map_new() else { return nil }
        defer { chafa_symbol_map_unref(map) }
        chafa_symbol_map_add_by_tags(map, tags(options.symbols, mono: options.depth == .mono))
        chafa_canvas_config_set_symbol_map(config, map)
        return chafa_canvas_new(config)
    }

    /// How many threads libchafa may use (default: one per core). One is cheapest in CPU for pane-sized
    /// pictures; more only shortens the wall time of very large ones.
    public static func setThreads(_ count: Int) { chafa_set_n_threads(Int32(max(1, count))) }

    /// The image fitted inside `maxColumns`×`maxRows` (aspect kept, `cellAspect` = cell height / width) and drawn.
    public static func renderFitted(
        _ image: RGBImage, maxColumns: Int, maxRows: Int, options: SymbolOptions, cellAspect: Double = 2.0
    ) -> SymbolPicture {
        let size = PictureFit.cells(
            imageWidth: image.width, imageHeight: image.height, maxColumns: maxColumns, maxRows: maxRows,
            cellAspect: cellAspect)
        return render(image, columns: size.columns, rows: size.rows, options: options)
    }

    static func canvasMode(_ depth: PictureDepth) -> ChafaCanvasMode {
        switch depth {
        case .truecolor: return CHAFA_CANVAS_MODE_TRUECOLOR
        case .colors256: return CHAFA_CANVAS_MODE_INDEXED_256
        case .colors16: return CHAFA_CANVAS_MODE_INDEXED_16
        case .colors8: return CHAFA_CANVAS_MODE_INDEXED_8
        case .mono: return CHAFA_CANVAS_MODE_FGBG
        }
    }

    static func tags(_ set: SymbolSet, mono: Bool) -> ChafaSymbolTags {
        var tags = CHAFA_SYMBOL_TAG_SPACE.rawValue
        switch set {
        case .block: tags |= CHAFA_SYMBOL_TAG_BLOCK.rawValue | CHAFA_SYMBOL_TAG_SOLID.rawValue
        case .quadrant:
            tags |= CHAFA_SYMBOL_TAG_BLOCK.rawValue | CHAFA_SYMBOL_TAG_QUAD.rawValue | CHAFA_SYMBOL_TAG_SOLID.rawValue
        case .sextant:
            tags |=
                CHAFA_SYMBOL_TAG_BLOCK.rawValue | CHAFA_SYMBOL_TAG_QUAD.rawValue
                | CHAFA_SYMBOL_TAG_SEXTANT.rawValue | CHAFA_SYMBOL_TAG_SOLID.rawValue
        case .ascii: tags |= CHAFA_SYMBOL_TAG_ASCII.rawValue
        }
        // Mono has two colours only: shades (░▒▓) give it the grey levels it lacks.
        if mono && set != .ascii { tags |= CHAFA_SYMBOL_TAG_STIPPLE.rawValue }
        return ChafaSymbolTags(rawValue: tags)
    }

    /// A cell colour from libchafa: packed RGB in truecolor, a palette index otherwise; negative is transparent.
    private static func color(_ raw: Int32, depth: PictureDepth, isForeground: Bool) -> PictureColor {
        switch depth {
        case .truecolor:
            guard raw >= 0 else { return isForeground ? .terminalForeground : .terminalBackground }
            return .rgb(UInt8((raw >> 16) & 0xFF), UInt8((raw >> 8) & 0xFF), UInt8(raw & 0xFF))
        case .mono:
            return isForeground ? .terminalForeground : .terminalBackground
        case .colors256, .colors16, .colors8:
            guard raw >= 0, raw < 256 else { return isForeground ? .terminalForeground : .terminalBackground }
            return .palette(UInt8(raw))
        }
    }

    private static func safeScalar(_ code: UInt32) -> Unicode.Scalar {
        guard code >= 0x20, !(0x7F...0x9F).contains(code), let scalar = Unicode.Scalar(code) else { return " " }
        return scalar
    }

    private static func blank(columns: Int, rows: Int) -> SymbolPicture {
        let cell = SymbolCell(character: " ", foreground: .terminalForeground, background: .terminalBackground)
        return SymbolPicture(columns: columns, rows: rows, cells: Array(repeating: cell, count: columns * rows))
    }
}
