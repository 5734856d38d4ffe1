import ComfyImages
import Testing

/// "It looks like the image" measured: the cells' colours are turned back into pixels by the glyphs' shapes
/// (`SymbolPicture.reconstructed`, from the Unicode definitions, not from libchafa) and compared with the source
/// scaled to the same size. Thresholds and why: docs/DECISIONS.md, "Pictures".
@Suite struct PictureTests {
    static func sources() throws -> [(String, RGBImage, Int)] {
        [("scene", Goldens.scene(), 48), ("fixture", try ImageCodec.decode(try Goldens.fixtureJPEG()), 32)]
    }

    /// The error of the source quantised pixel by pixel to the nearest colour of the 256-colour cube and ramp:
    /// what no 256-colour drawing can beat.
    static func paletteFloor(_ reference: RGBImage) -> Double {
        let palette = (16...255).map { XtermPalette.rgb(UInt8($0)) }
        let quantised = RGBImage(width: reference.width, height: reference.height) { x, y in
            let (r, g, b) = reference.pixel(x, y)
            return palette.min { a, c in
                abs(Int(a.0) - Int(r)) + abs(Int(a.1) - Int(g)) + abs(Int(a.2) - Int(b))
                    < abs(Int(c.0) - Int(r)) + abs(Int(c.1) - Int(g)) + abs(Int(c.2) - Int(b))
            } ?? (0, 0, 0)
        }
        return PictureDifference.meanChannelError(quantised, reference) ?? 0
    }

    @Test(arguments: [SymbolSet.block, .quadrant, .sextant])
    func truecolorIsCloseToTheSource(symbols: SymbolSet) throws {
        for (name, source, columns) in try Self.sources() {
            let picture = SymbolRenderer.render(
                source, columns: columns, rows: 16, options: SymbolOptions(depth: .truecolor, symbols: symbols))
            let drawn = picture.reconstructed(cellWidth: 4, cellHeight: 8)
            let reference = source.resized(width: drawn.width, height: drawn.height)
            let error = PictureDifference.meanChannelError(drawn, reference) ?? .infinity
            let flat = PictureDifference.meanChannelError(
                reference.resized(width: 1, height: 1).resized(width: drawn.width, height: drawn.height), reference)
            print("picture test \(name) truecolor/\(symbols): mean channel error \(error) (flat: \(flat ?? 0))")
            #expect(error <= 6, "\(name): \(error)")
        }
    }

    @Test func fastHalfBlocksInTruecolor() throws {
        for (name, source, columns) in try Self.sources() {
            let picture = SymbolRenderer.render(
                source, columns: columns, rows: 16, options: SymbolOptions(depth: .truecolor, fast: true))
            let drawn = picture.reconstructed(cellWidth: 4, cellHeight: 8)
            let error =
                PictureDifference.meanChannelError(drawn, source.resized(width: drawn.width, height: drawn.height))
                ?? .infinity
            print("picture test \(name) truecolor/fast: mean channel error \(error)")
            #expect(error <= 6, "\(name): \(error)")
        }
    }

    @Test(arguments: [SymbolSet.block, .quadrant, .sextant], [false, true])
    func colors256AddLittleToThePalettesOwnError(symbols: SymbolSet, fast: Bool) throws {
        if fast && symbols != .block { return }
        for (name, source, columns) in try Self.sources() {
            let picture = SymbolRenderer.render(
                source, columns: columns, rows: 16,
                options: SymbolOptions(depth: .colors256, symbols: symbols, fast: fast))
            let drawn = picture.reconstructed(cellWidth: 4, cellHeight: 8)
            let reference = source.resized(width: drawn.width, height: drawn.height)
            let error = PictureDifference.meanChannelError(drawn, reference) ?? .infinity
            let floor = Self.paletteFloor(reference)
            print(
                "picture test \(name) 256/\(fast ? "fast" : symbols.rawValue): mean channel error \(error) (palette floor \(floor))"
            )
            #expect(error <= floor * 1.15 + 1, "\(name): \(error) against a floor of \(floor)")
            #expect(error <= 24)
        }
    }

    @Test(arguments: [PictureDepth.colors16, .colors8, .mono])
    func fewColoursKeepLightAndDarkInPlace(depth: PictureDepth) throws {
        for (name, source, columns) in try Self.sources() {
            let picture = SymbolRenderer.render(
                source, columns: columns, rows: 16, options: SymbolOptions(depth: depth))
            // Judged per cell: dithering trades exact pixels for the right density over a cell.
            let drawn = picture.reconstructed(foreground: (255, 255, 255), background: (0, 0, 0))
                .resized(width: columns, height: 16)
            let reference = source.resized(width: columns, height: 16)
            let correlation = PictureDifference.luminanceCorrelation(drawn, reference) ?? 0
            print("picture test \(name) \(depth): luminance correlation per cell \(correlation)")
            #expect(correlation >= 0.6, "\(name): \(correlation)")
        }
    }

    @Test func theMeasureTellsAWrongPicture() {
        // The scene's cells against the scene upside down: far over the thresholds above.
        let source = Goldens.scene()
        let flipped = RGBImage(width: source.width, height: source.height) { x, y in
            source.pixel(x, source.height - 1 - y)
        }
        let picture = SymbolRenderer.render(source, columns: 48, rows: 16, options: SymbolOptions(depth: .truecolor))
        let drawn = picture.reconstructed()
        let reference = flipped.resized(width: drawn.width, height: drawn.height)
        #expect((PictureDifference.meanChannelError(drawn, reference) ?? 0) > 30)
        let cells = drawn.resized(width: 48, height: 16)
        #expect((PictureDifference.luminanceCorrelation(cells, flipped.resized(width: 48, height: 16)) ?? 1) < 0.6)
    }
}
