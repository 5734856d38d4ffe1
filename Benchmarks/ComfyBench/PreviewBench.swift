import ComfyImages
import ComfyMock
import ComfyTUI
import Foundation

/// B9: live previews drawn with symbols, the monitor's way: decode the JPEG, render cells with libchafa, place
/// them on a Canvas and let CursesTerminal write what changed. Run in a 120×40 pty by Benchmarks/run.py.
enum PreviewBench {
    /// `gen-previews DIR N`: the mock sampler's N previews (512², as ComfyUI sends them) as DIR/preview_NNN.jpg.
    static func generate(directory: String, count: Int) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        for (i, jpeg) in MockPictures.previewSequence(seed: 7, steps: count, side: 512).enumerated() {
            try Data(jpeg).write(to: URL(fileURLWithPath: "\(directory)/preview_\(String(format: "%03d", i)).jpg"))
        }
    }

    /// `preview-draw DIR`: prints READY, waits for `g`, draws every preview of DIR in turn at full size, prints
    /// DONE and waits for `q`. Bytes and CPU are measured from outside between READY and DONE.
    static func draw(directory: String) throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".jpg") }
            .sorted()
        let files = try names.map { [UInt8](try Data(contentsOf: URL(fileURLWithPath: "\(directory)/\($0)"))) }
        let terminal = CursesTerminal(theme: .default, color: nil, mouse: false)
        defer { terminal.stop() }
        let width = terminal.width, height = terminal.height
        var previous: Canvas?
        func show(_ text: String) {
            var canvas = Canvas(width: width, height: height)
            _ = canvas.put(0, 0, text)
            terminal.draw(canvas, previous: previous)
            previous = canvas
        }
        show("READY")
        while terminal.readKey(timeoutMS: 1000, wakeable: false) != .char("g") {}
        let depth = Self.depth(terminal.depth)
        // The live preview's path: a JPEG decoded at the DCT scale the cells need, half blocks (no symbol search),
        // cells in their neighbours' colours where that looks the same.
        let options = SymbolOptions(depth: depth, fast: true)
        var stages = [Double](repeating: 0, count: 4)
        // Process CPU time (glibc's clock() counts microseconds).
        func cpuNow() -> Double { Double(clock()) / 1e6 }
        for bytes in files {
            let t0 = cpuNow()
            // The fit for a square picture (previews are): the size to decode at is known before decoding.
            let fit = PictureFit.cells(imageWidth: 1, imageHeight: 1, maxColumns: width, maxRows: height)
            guard let image = try? ImageCodec.decode(bytes, atLeast: fit.columns, fit.rows * 2) else { continue }
            let t1 = cpuNow()
            let picture = SymbolRenderer.render(image, columns: fit.columns, rows: fit.rows, options: options)
            let t2 = cpuNow()
            var canvas = Canvas(width: width, height: height)
            if let cells = cellPicture(picture, depth: terminal.depth) { canvas.draw(cells, x: 0, y: 0) }
            let t3 = cpuNow()
            terminal.draw(canvas, previous: previous)
            previous = canvas
            let t4 = cpuNow()
            for (i, d) in [t1 - t0, t2 - t1, t3 - t2, t4 - t3].enumerated() { stages[i] += d }
        }
        if let path = ProcessInfo.processInfo.environment["COMFYBENCH_STAGES"] {
            let text = zip(["decode", "render", "canvas", "terminal"], stages).map {
                "\($0): \(String(format: "%.2f", $1 / Double(max(1, files.count)) * 1000)) ms"
            }.joined(separator: ", ")
            try? Data(text.utf8).write(to: URL(fileURLWithPath: path))
        }
        var done = previous ?? Canvas(width: width, height: height)
        _ = done.put(width - 6, height - 1, "DONE")  // not the bottom-right cell, which curses leaves alone
        terminal.draw(done, previous: previous)
        while terminal.readKey(timeoutMS: 1000, wakeable: false) != .char("q") {}
    }

    static func depth(_ depth: ColorDepth) -> PictureDepth {
        switch depth {
        case .truecolor: return .truecolor
        case .c256: return .colors256
        case .c16: return .colors16
        case .c8: return .colors8
        case .mono: return .mono
        }
    }

    /// A symbol picture as the canvas's cells: packed RGB in truecolor, palette indexes otherwise.
    static func cellPicture(_ p: SymbolPicture, depth: ColorDepth) -> CellPicture? {
        func value(_ color: PictureColor, background: Bool) -> UInt32 {
            switch color {
            case .rgb(let r, let g, let b): return UInt32(r) << 16 | UInt32(g) << 8 | UInt32(b)
            case .palette(let i): return UInt32(i)
            case .terminalForeground: return background ? 0 : 7
            case .terminalBackground: return background ? 0 : 7
            }
        }
        return CellPicture(
            width: p.columns, height: p.rows, depth: depth, codes: p.cells.map { $0.character.value },
            fg: p.cells.map { value($0.foreground, background: false) },
            bg: p.cells.map { value($0.background, background: true) })
    }
}
