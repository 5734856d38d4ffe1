import Foundation

/// The local clipboard through the terminal (OSC 52): works over SSH; wrapped for tmux.
public enum Clipboard {
    public static func osc52(_ text: String, environment: [String: String] = ProcessInfo.processInfo.environment)
        -> String
    {
        let sequence = "\u{1B}]52;c;\(Data(text.utf8).base64EncodedString())\u{07}"
        if environment["TMUX"] != nil {
            return "\u{1B}Ptmux;" + sequence.replacingOccurrences(of: "\u{1B}", with: "\u{1B}\u{1B}") + "\u{1B}\\"
        }
        return sequence
    }
}
