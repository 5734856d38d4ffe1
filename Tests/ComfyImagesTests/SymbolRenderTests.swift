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

    @Test func fitKeepsTheAspect() {
        // A square image in cells twice as tall as wide: twice as many columns as rows.
        let fit = PictureFit.cells(imageWidth: 512, imageHeight: 512, maxColumns: 120, maxRows: 40)
        #expect(fit.columns == 80 && fit.rows == 40)
        let wide = PictureFit.cells(imageWidth: 1024, imageHeight: 256, maxColumns: 120, maxRows: 40)
        #expect(wide.columns == 120 && wide.rows == 15)
    }
}
