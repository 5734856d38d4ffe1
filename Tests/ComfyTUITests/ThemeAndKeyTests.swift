import Foundation
import Testing

@testable import ComfyTUI

@Suite("Themes and keys")
struct ThemeAndKeyTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../..")
        .standardizedFileURL

    @Test("themes/default.theme equals the compiled-in default")
    func defaultFile() throws {
        let file = try String(contentsOf: Self.root.appendingPathComponent("themes/default.theme"), encoding: .utf8)
        #expect(file == Theme.defaultText + "\n")
        #expect(try Theme.parse(file, name: "default").looks.count >= 20)
    }

    @Test(
        "every shipped theme parses and sets only known roles",
        arguments: ["default", "nord", "gruvbox", "paper", "tty"])
    func shipped(name: String) throws {
        let text = try String(contentsOf: Self.root.appendingPathComponent("themes/\(name).theme"), encoding: .utf8)
        let theme = try Theme.parse(text, name: name, base: .default)
        for line in text.split(separator: "\n") where line.hasPrefix("theme[") {
            let key = line.dropFirst(6).prefix { $0 != "]" }
            let role = ["_attr", "_mono", "_bg"].reduce(String(key)) {
                $0.hasSuffix($1) ? String($0.dropLast($1.count)) : $0
            }
            #expect(Role(rawValue: role) != nil, "\(name): unknown role \(key)")
        }
        #expect(theme.look(.stateFailed).fg != .terminalDefault)
    }

    @Test("errors name the line")
    func parseErrors() {
        #expect(
            throws: Theme.ParseError(
                line: 2, message: ##"state_done: "#zz" is not a colour (#RRGGBB, 0-255, a name, or "")"##)
        ) {
            try Theme.parse("# ok\ntheme[state_done]=\"#zz\"", name: "t")
        }
        #expect(throws: Theme.ParseError.self) { try Theme.parse("nonsense", name: "t") }
    }

    @Test("colour depth fallback: 256 → 16 → 8 → mono keeps states apart")
    func fallback() throws {
        let theme = Theme.default
        let c8 = theme.resolve(.c8)
        #expect(c8[.stateFailed]?.fg == 1)  // red
        #expect(c8[.stateDone]?.fg == 2)  // green
        #expect(c8[.stateRunning]?.fg == 6)  // cyan
        let mono = theme.resolve(.mono)
        #expect(mono.values.allSatisfy { $0.fg == -1 && $0.bg == -1 })
        #expect(mono[.selected]?.attributes.contains(.reverse) == true)
        #expect(mono[.stateFailed]?.attributes.contains(.bold) == true)
        #expect(theme.resolve(.c256)[.stateFailed]?.fg ?? 0 >= 16)
        #expect(Palette.map(.rgb(255, 0, 0), .truecolor) == 0xFF0000)
        #expect(ColorDepth.detect(requested: nil, colors: 256, environment: ["NO_COLOR": "1"]) == .mono)
        #expect(ColorDepth.detect(requested: "16", colors: 256, environment: [:]) == .c16)
        #expect(ColorDepth.detect(requested: nil, colors: 8, environment: [:]) == .c8)
    }

    @Test("no key is bound twice, and every action has a key")
    func keys() {
        let all = KeyMap.bindings.flatMap(\.keys)
        #expect(Set(all).count == all.count)
        #expect(Set(KeyMap.bindings.map(\.action)) == Set(Action.allCases))
        #expect(KeyMap.binding(.interrupt)?.mutatesServer == true)
    }

    @Test("the README's key table is the one the key map generates")
    func readme() throws {
        if ProcessInfo.processInfo.environment["RECORD_SNAPSHOTS"] != nil {
            try KeyMap.markdownTable.write(toFile: "/tmp/comfytop-keys.md", atomically: true, encoding: .utf8)
        }
        let readme = try String(contentsOf: Self.root.appendingPathComponent("README.md"), encoding: .utf8)
        #expect(readme.contains(KeyMap.markdownTable))
    }

    @Test("notifications: bell, OSC 9 and 777, wrapped for tmux")
    func notifications() {
        #expect(
            Notification.sequence("done", environment: [:])
                == "\u{07}\u{1B}]9;done\u{07}\u{1B}]777;notify;comfytop;done\u{07}")
        #expect(Notification.sequence("done", environment: ["TMUX": "x"]).contains("\u{1B}Ptmux;\u{1B}\u{1B}]9;done"))
    }
}

@Suite("Waking the UI thread")
struct WakeupTests {
    static func readable(_ fd: Int32) -> Bool {
        var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        return poll(&p, 1, 0) == 1
    }

    @Test("every signal after a drain wakes the reader; signals before one coalesce into one byte")
    func signals() throws {
        let wakeup = try #require(Wakeup())
        #expect(!Self.readable(wakeup.readFD))
        wakeup.signal()
        wakeup.signal()
        #expect(Self.readable(wakeup.readFD))
        wakeup.drain()
        #expect(!Self.readable(wakeup.readFD))
        wakeup.signal()
        #expect(Self.readable(wakeup.readFD), "a signal after a drain must wake the reader again")
    }

    @Test("a signal that lands while the reader drains is not lost: the next one still wakes it")
    func signalDuringDrain() throws {
        let wakeup = try #require(Wakeup())
        wakeup.signal()
        // The state it announces is read after the drain; what matters is that later signals still wake.
        wakeup.drain(between: { wakeup.signal() })
        wakeup.signal()
        #expect(Self.readable(wakeup.readFD))
    }
}
