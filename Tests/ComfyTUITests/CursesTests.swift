import ComfyClient
import Foundation
import Testing

@testable import ComfyTUI

/// Curses has one screen per process: every test that starts it runs here, one at a time.
@Suite("Curses on a headless terminal", .serialized)
struct CursesTests {
    /// Starts curses on pipes (input the test writes, output it reads), runs `body`, stops.
    static func withCurses(color: String = "mono", _ body: (CursesTerminal, Int32) throws -> Void) throws -> [UInt8] {
        // get_wch decodes by the locale; the test does not depend on the caller's.
        setenv("LC_ALL", "C.UTF-8", 1)
        var input: [Int32] = [0, 0]
        var output: [Int32] = [0, 0]
        guard pipe(&input) == 0, pipe(&output) == 0 else { throw CocoaError(.fileReadUnknown) }
        _ = fcntl(output[0], F_SETFL, fcntl(output[0], F_GETFL) | O_NONBLOCK)
        defer { for fd in input + output { close(fd) } }
        let terminal = CursesTerminal(
            theme: .default, color: color, mouse: false, headlessTerm: "xterm-256color", input: input[0],
            output: output[1])
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        func drain() {
            while true {
                let n = read(output[0], &buffer, buffer.count)
                if n <= 0 { break }
                bytes += buffer[0..<n]
            }
        }
        do {
            try body(terminal, input[1])
            drain()
        } catch {
            terminal.stop()
            throw error
        }
        terminal.stop()
        drain()
        return bytes
    }

    @Test("curses starts on a headless terminal, draws a frame and stops")
    func cursesSmoke() {
        let terminal = CursesTerminal(theme: .default, color: "256", mouse: false, headlessTerm: "xterm-256color")
        var canvas = Canvas(width: terminal.width, height: terminal.height)
        canvas.put(0, 0, "comfytop ▶ █▌", Style(.stateRunning, bold: true))
        terminal.draw(canvas, previous: nil)
        #expect(terminal.width > 0 && terminal.height > 0)
        #expect(terminal.depth == .c256, "colors \(terminal.colors)")
        terminal.stop()
        #expect(CursesTerminal.version.hasPrefix("ncurses"))
    }

    @Test("keys are read as wide characters: accents, CJK and emoji arrive whole; ^C is a key of its own")
    func wideKeys() throws {
        var keys: [Key?] = []
        _ = try Self.withCurses { terminal, input in
            let typed = Array("é猫😀/\u{03}".utf8)
            _ = typed.withUnsafeBytes { write(input, $0.baseAddress, $0.count) }
            for _ in 0..<5 { keys.append(terminal.readKey(timeoutMS: 2000, wakeable: false)) }
        }
        #expect(keys == [.char("é"), .char("猫"), .char("😀"), .char("/"), .controlC])
    }

    @Test("text from outside reaches curses escaped: none of its escape bytes are written")
    func sanitisedOutput() throws {
        var canvas = Canvas(width: 80, height: 24)
        canvas.put(0, 0, "title " + SanitisedScreenTests.hostile)
        canvas.put(0, 1, "error: boom\u{1B}[2J\u{1B}[31m red \u{202E}gnp.exe")
        let bytes = try Self.withCurses { terminal, _ in terminal.draw(canvas, previous: nil) }
        let written = String(decoding: bytes, as: UTF8.self)
        #expect(written.contains("^[]52;c;SGVsbG8=^G"))
        #expect(written.contains("<U+202E>gnp.exe"))
        #expect(!written.contains("\u{1B}]52") && !written.contains("\u{1B}[31m") && !written.contains("\u{202E}"))
        #expect(!written.unicodeScalars.contains { $0.value == 0x9B || $0.value == 0x7F })
    }
}
