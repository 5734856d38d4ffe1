/// Text from outside (prompts, errors, tracebacks, node titles, file names, log lines, server strings) made safe for
/// a terminal: every control that a terminal would act on is shown as a visible escape instead, so another user's
/// prompt cannot write the clipboard (OSC 52), clear the screen, recolour it or reorder what is shown.
///
/// - C0 controls and DEL: caret notation (`^[`, `^?`), as `cat -v` shows them; tab becomes a space.
/// - C1 controls (U+0080–U+009F): `<U+009B>`: some terminals act on them as 8-bit CSI/OSC.
/// - Bidi overrides, embeddings and isolates (U+202A–U+202E, U+2066–U+2069): `<U+202E>`: they reorder the
///   text around them (CVE-2021-42574, "Trojan Source").
/// - Newlines stay only where the caller shows multi-line text (`keepNewlines`); elsewhere they are `^J`.
public enum TerminalText {
    public static func sanitize(_ text: String, keepNewlines: Bool = false) -> String {
        // The common case, plain printable text, is returned as it is without building a new string.
        if !text.unicodeScalars.contains(where: { needsEscape($0, keepNewlines: keepNewlines) }) { return text }
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            guard needsEscape(scalar, keepNewlines: keepNewlines) else {
                out.append(scalar)
                continue
            }
            out.append(contentsOf: escape(scalar).unicodeScalars)
        }
        return String(out)
    }

    /// Whether a scalar would be acted on by a terminal rather than shown.
    public static func needsEscape(_ scalar: Unicode.Scalar, keepNewlines: Bool = false) -> Bool {
        let v = scalar.value
        if v == 0x0A { return !keepNewlines }
        return v < 0x20 || v == 0x7F || (0x80...0x9F).contains(v) || isBidiControl(v)
    }

    static func isBidiControl(_ v: UInt32) -> Bool { (0x202A...0x202E).contains(v) || (0x2066...0x2069).contains(v) }

    static func escape(_ scalar: Unicode.Scalar) -> String {
        let v = scalar.value
        switch v {
        case 0x09: return " "
        case 0x7F: return "^?"
        case 0..<0x20:
            guard let caret = Unicode.Scalar(v + 0x40) else { return "?" }
            return "^" + String(Character(caret))
        default:
            let hex = String(v, radix: 16, uppercase: true)
            return "<U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex + ">"
        }
    }
}
