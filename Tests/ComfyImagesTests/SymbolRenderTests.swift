import ComfyImages
import Testing

@Suite struct SymbolRenderTests {
    @Test(arguments: [PictureDepth.truecolor, .colors256, .colors16, .mono])
    func fixtureGolden(depth: PictureDepth) throws {
        let image = try ImageCodec.decode(try Goldens.fixtureJPEG())
        let picture = SymbolRenderer.render(image, columns: 32, rows: 16, options: SymbolOptions(depth: depth))
        #expect(picture.cells.count == 32 * 16)
        try Goldens.compare(Array(picture.ansiText().utf8), "fixture-32x16-\(depth.rawValue).ans")
    }

    @Test(arguments: [SymbolSet.block, .quadrant, .sextant])
    func sceneGolden(symbols: SymbolSet) throws {
        let picture = SymbolRenderer.render(
            Goldens.scene(), columns: 48, rows: 16, options: SymbolOptions(depth: .colors256, symbols: symbols))
        try Goldens.compare(Array(picture.ansiText().utf8), "scene-48x16-256-\(symbols.rawValue).ans")
        #expect(picture.cells.allSatisfy { GlyphCoverage.isKnown($0.character) })
    }

    @Test func colourKindsFollowTheDepth() throws {
        let scene = Goldens.scene()
        let colors = { (depth: PictureDepth) in
            SymbolRenderer.render(scene, columns: 24, rows: 8, options: SymbolOptions(depth: depth)).cells.flatMap {
                [$0.foreground, $0.background]
            }
        }
        #expect(colors(.truecolor).allSatisfy { if case .rgb = $0 { true } else { false } })
        #expect(colors(.colors256).allSatisfy { if case .palette = $0 { true } else { false } })
        #expect(colors(.colors16).allSatisfy { if case .palette(let i) = $0 { i < 16 } else { false } })
        #expect(colors(.colors8).allSatisfy { if case .palette(let i) = $0 { i < 8 } else { false } })
        #expect(colors(.mono).allSatisfy { $0 == .terminalForeground || $0 == .terminalBackground })
    }

    @Test func fewerColourChangesOnHalfBlocks() {
        // Half blocks leave the most to gain: a run of one colour is one colour change, whatever its glyphs.
        let plain = SymbolRenderer.render(
            Goldens.scene(), columns: 48, rows: 16,
            options: SymbolOptions(depth: .colors256, fewerColourChanges: false, fast: true))
        let fewer = plain.withFewerColourChanges()
        #expect(fewer.reconstructed() == plain.reconstructed())
        #expect(fewer.ansiText().utf8.count < plain.ansiText().utf8.count)
    }

    @Test(arguments: [PictureDepth.truecolor, .colors256, .colors16])
    func fastHalfBlocksGolden(depth: PictureDepth) throws {
        let picture = SymbolRenderer.render(
            Goldens.scene(), columns: 48, rows: 16, options: SymbolOptions(depth: depth, fast: true))
        #expect(picture.cells.allSatisfy { [" ", "▀", "▄", "█"].contains($0.character) })
        try Goldens.compare(Array(picture.ansiText().utf8), "scene-48x16-fast-\(depth.rawValue).ans")
    }

    @Test func fitKeepsTheAspect() {
        // A square image in cells twice as tall as wide: twice as many columns as rows.
        let fit = PictureFit.cells(imageWidth: 512, imageHeight: 512, maxColumns: 120, maxRows: 40)
        #expect(fit.columns == 80 && fit.rows == 40)
        let wide = PictureFit.cells(imageWidth: 1024, imageHeight: 256, maxColumns: 120, maxRows: 40)
        #expect(wide.columns == 120 && wide.rows == 15)
    }
}

@Suite struct SymbolRunsTests {
    @Test func complementsCoverTheRest() {
        for code in Array(0x2596...0x259F) + Array(0x1FB00...0x1FB3B) + [0x20, 0x2588, 0x2580, 0x2584, 0x258C, 0x2590] {
            let c = Unicode.Scalar(UInt32(code)).map { $0 } ?? " "
            guard let complement = SymbolPicture.complement(of: c) else {
                Issue.record("no complement for U+\(String(code, radix: 16))")
                continue
            }
            for (x, y) in [(0.25, 0.1), (0.75, 0.1), (0.25, 0.5), (0.75, 0.5), (0.25, 0.9), (0.75, 0.9)] {
                let a = GlyphCoverage.coverage(c, x: x, y: y) ?? -1
                let b = GlyphCoverage.coverage(complement, x: x, y: y) ?? -1
                #expect(a + b == 1, "U+\(String(code, radix: 16)) and its complement at \(x),\(y)")
            }
        }
    }

    @Test func fewerColourChangesDrawTheSamePicture() throws {
        for depth in [PictureDepth.truecolor, .colors256] {
            for symbols in [SymbolSet.quadrant, .sextant] {
                let plain = SymbolRenderer.render(
                    Goldens.scene(), columns: 48, rows: 16,
                    options: SymbolOptions(depth: depth, symbols: symbols, fewerColourChanges: false))
                let fewer = plain.withFewerColourChanges()
                #expect(fewer.reconstructed() == plain.reconstructed())
                func changes(_ p: SymbolPicture) -> Int {
                    zip(p.cells, p.cells.dropFirst()).filter {
                        $0.foreground != $1.foreground || $0.background != $1.background
                    }.count
                }
                #expect(changes(fewer) <= changes(plain))
            }
        }
    }
}
