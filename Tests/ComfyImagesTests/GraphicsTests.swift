import ComfyImages
import Foundation
import Testing

@Suite struct GraphicsTests {
    static func fixture() throws -> RGBImage { try ImageCodec.decode(try Goldens.fixtureJPEG()) }

    @Test func kittyDirectPlacementGolden() throws {
        let choice = GraphicsChoice(graphics: .kitty, reason: "test")
        let frame = try #require(
            try GraphicsEncoder.encode(try Self.fixture(), choice: choice, columns: 16, rows: 8, imageID: 7))
        #expect(frame.placeholderImageID == nil)
        let text = String(decoding: frame.bytes, as: UTF8.self)
        #expect(text.hasPrefix("\u{1B}_Ga=T,f=100,i=7,q=2,c=16,r=8,C=1,m="))
        #expect(text.hasSuffix("\u{1B}\\"))
        try Goldens.compare(frame.bytes, "fixture-kitty-direct.bin")
    }

    @Test func kittyPlaceholdersInsideTmuxGolden() throws {
        let choice = GraphicsChoice(graphics: .kitty, tmux: true, reason: "test")
        let frame = try #require(
            try GraphicsEncoder.encode(try Self.fixture(), choice: choice, columns: 16, rows: 8, imageID: 42))
        #expect(frame.placeholderImageID == 42)
        let text = String(decoding: frame.bytes, as: UTF8.self)
        #expect(text.hasPrefix("\u{1B}Ptmux;\u{1B}\u{1B}_Ga=T,U=1,f=100,i=42,q=2,c=16,r=8,m="))
        let grid = KittyGraphics.placeholderText(imageID: 42, columns: 16, rows: 8)
        try Goldens.compare(frame.bytes + Array(grid.utf8), "fixture-kitty-placeholders-tmux.bin")
        #expect(KittyGraphics.placeholderForeground(42) == .palette(42))
        let cell = KittyGraphics.placeholderCell(row: 1, column: 2)
        #expect(Array(cell.unicodeScalars.map(\.value)) == [0x10EEEE, 0x030D, 0x030E])
    }

    @Test func kittyChunksLargeImagesAt4096() throws {
        let png = [UInt8](repeating: 0xAB, count: 10_000)
        let bytes = KittyGraphics.place(png: png, imageID: 3, columns: 4, rows: 2)
        let text = String(decoding: bytes, as: UTF8.self)
        let chunks = text.components(separatedBy: "\u{1B}\\").filter { !$0.isEmpty }
        #expect(chunks.count == 4)  // 13 336 base64 characters
        #expect(
            chunks[0].contains("m=1;") && chunks[1].hasPrefix("\u{1B}_Gm=1;") && chunks[3].hasPrefix("\u{1B}_Gm=0;"))
        #expect(chunks.dropLast().allSatisfy { $0.split(separator: ";").last?.count == 4096 })
        #expect(String(decoding: KittyGraphics.delete(imageID: 3), as: UTF8.self) == "\u{1B}_Ga=d,d=I,i=3,q=2\u{1B}\\")
    }

    @Test func itermGolden() throws {
        let choice = GraphicsChoice(graphics: .iterm, reason: "test")
        let frame = try #require(try GraphicsEncoder.encode(try Self.fixture(), choice: choice, columns: 16, rows: 8))
        let text = String(decoding: frame.bytes, as: UTF8.self)
        #expect(text.hasPrefix("\u{1B}]1337;File=inline=1;size="))
        #expect(text.contains(";width=16;height=8;preserveAspectRatio=1;doNotMoveCursor=1:/9j/"))
        #expect(frame.bytes.last == 0x07)
        try Goldens.compare(frame.bytes, "fixture-iterm.bin")
    }

    @Test func sixelGolden() throws {
        let choice = GraphicsChoice(graphics: .sixel, cellSize: CellPixelSize(width: 8, height: 16), reason: "test")
        let frame = try #require(try GraphicsEncoder.encode(try Self.fixture(), choice: choice, columns: 8, rows: 4))
        let text = String(decoding: frame.bytes, as: UTF8.self)
        #expect(text.hasPrefix("\u{1B}P") && text.contains("q") && text.hasSuffix("\u{1B}\\"))
        #expect(text.contains("\"1;1;64;"))  // raster attributes: 8×4 cells of 8×16 px, 64 px wide
        try Goldens.compare(frame.bytes, "fixture-sixel.bin")
    }

    @Test func tmuxPassthroughDoublesEscapes() {
        let wrapped = TmuxPassthrough.wrap(Array("\u{1B}_Ga=d\u{1B}\\".utf8))
        #expect(String(decoding: wrapped, as: UTF8.self) == "\u{1B}Ptmux;\u{1B}\u{1B}_Ga=d\u{1B}\u{1B}\\\u{1B}\\")
    }

    @Test func symbolsAndOffEncodeNothing() throws {
        for graphics in [GraphicsProtocol.symbols, .off] {
            let choice = GraphicsChoice(graphics: graphics, reason: "test")
            #expect(try GraphicsEncoder.encode(try Self.fixture(), choice: choice, columns: 4, rows: 2) == nil)
        }
    }
}
