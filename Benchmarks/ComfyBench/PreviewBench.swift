import ComfyImages
import ComfyMock
import ComfyTUI
import Foundation

/// B9: live previews drawn with symbols through the monitor's own path (`PreviewDrawing`: the picture worker's
/// render, the preview pane's placing) on a Canvas that CursesTerminal writes. Run in a 120×40 pty by
/// Benchmarks/run.py.
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
        var stages = [Double](repeating: 0, count: 2)
        // Process CPU time (glibc's clock() counts microseconds).
        func cpuNow() -> Double { Double(clock()) / 1e6 }
        for bytes in files {
            let t0 = cpuNow()
            // The monitor's path: the picture worker's render of a preview (decoded at the DCT scale the cells
            // need, half blocks) placed as the preview pane places it, then the one terminal driver.
            var canvas = Canvas(width: width, height: height)
            PreviewDrawing.draw(
                bytes, on: &canvas, in: Rect(x: 0, y: 0, width: width, height: height), depth: terminal.depth)
            let t1 = cpuNow()
            terminal.draw(canvas, previous: previous)
            previous = canvas
            let t2 = cpuNow()
            for (i, d) in [t1 - t0, t2 - t1].enumerated() { stages[i] += d }
        }
        if let path = ProcessInfo.processInfo.environment["COMFYBENCH_STAGES"] {
            let text = zip(["picture", "terminal"], stages).map {
                "\($0): \(String(format: "%.2f", $1 / Double(max(1, files.count)) * 1000)) ms"
            }.joined(separator: ", ")
            try? Data(text.utf8).write(to: URL(fileURLWithPath: path))
        }
        var done = previous ?? Canvas(width: width, height: height)
        _ = done.put(width - 6, height - 1, "DONE")  // not the bottom-right cell, which curses leaves alone
        terminal.draw(done, previous: previous)
        while terminal.readKey(timeoutMS: 1000, wakeable: false) != .char("q") {}
    }
}
