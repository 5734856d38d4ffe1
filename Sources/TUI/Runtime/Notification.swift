import ComfyClient
import Foundation

/// The terminal bell and desktop notifications (OSC 9 and OSC 777) that reach the user's own machine over SSH;
/// inside tmux they are wrapped for passthrough.
public enum Notification {
    public static func sequence(_ text: String, environment: [String: String] = ProcessInfo.processInfo.environment)
        -> String
    {
        // The text is data: no control may end the sequence early or start another one.
        let clean = TerminalText.sanitize(text).filter { $0 != ";" }
        let osc9 = "\u{1B}]9;\(clean)\u{07}"
        let osc777 = "\u{1B}]777;notify;comfytop;\(clean)\u{07}"
        if environment["TMUX"] != nil {
            func wrap(_ s: String) -> String {
                "\u{1B}Ptmux;" + s.replacingOccurrences(of: "\u{1B}", with: "\u{1B}\u{1B}") + "\u{1B}\\"
            }
            return "\u{07}" + wrap(osc9) + wrap(osc777)
        }
        return "\u{07}" + osc9 + osc777
    }
}
