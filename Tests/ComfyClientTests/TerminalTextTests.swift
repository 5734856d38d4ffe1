import ComfyClient
import Testing

@Suite struct TerminalTextTests {
    @Test(arguments: [
        ("\u{1B}]52;c;cHduZWQ=\u{07}", "^[]52;c;cHduZWQ=^G"),  // OSC 52: write the clipboard
        ("\u{1B}[2J\u{1B}[31mred\u{1B}[0m", "^[[2J^[[31mred^[[0m"),  // clear screen, colours
        ("a\u{7F}b", "a^?b"),
        ("\u{9B}31m \u{9D}0;t\u{9C}", "<U+009B>31m <U+009D>0;t<U+009C>"),  // 8-bit CSI, OSC, ST
        ("abc\u{202E}fdp.exe\u{202C}", "abc<U+202E>fdp.exe<U+202C>"),  // Trojan Source
        (
            "\u{2066}\u{2067}\u{2068}\u{2069}\u{202A}\u{202B}\u{202D}",
            "<U+2066><U+2067><U+2068><U+2069><U+202A><U+202B><U+202D>"
        ),
        ("one\ntwo\r\nthree", "one^Jtwo^M^Jthree"),
        ("tab\there", "tab here"),
        ("\u{0}", "^@"),
    ])
    func escapesWhatATerminalWouldActOn(_ input: String, _ expected: String) {
        #expect(TerminalText.sanitize(input) == expected)
    }

    @Test func keepsNewlinesOnlyWhenAsked() {
        #expect(TerminalText.sanitize("one\ntwo\r\n", keepNewlines: true) == "one\ntwo^M\n")
    }

    @Test(arguments: ["plain text", "café crème", "狐 fox 🦊", "e\u{301}", "RTL עברית text", ""])
    func leavesPrintableTextAsItIs(_ text: String) {
        #expect(TerminalText.sanitize(text) == text)
    }

    @Test func isIdempotent() {
        let once = TerminalText.sanitize("\u{1B}[2J\u{9B}\u{202E}\n^[")
        #expect(TerminalText.sanitize(once) == once)
        #expect(!once.unicodeScalars.contains { TerminalText.needsEscape($0) })
    }
}
