import Foundation

/// Reads step progress out of tqdm bars in the server log (` 45%|████▌     | 9/20 [00:03<00:04,  2.61it/s]`).
/// The lines name neither prompt nor node: a monitor ties them to the job `/queue` shows running.
public enum TqdmParser {
    public struct Step: Sendable, Equatable {
        public var value: Int
        public var total: Int
        /// Steps per second, when tqdm printed a rate.
        public var rate: Double?
    }

    /// The last complete bar in a log message (a message may carry several `\r`-separated redraws).
    public static func parse(_ message: String) -> Step? {
        for segment in message.split(whereSeparator: { $0 == "\r" || $0 == "\n" }).reversed() {
            if let step = parseSegment(Substring(segment)) { return step }
        }
        return nil
    }

    static func parseSegment(_ s: Substring) -> Step? {
        guard let firstBar = s.firstIndex(of: "|"), s[..<firstBar].hasSuffix("%") else { return nil }
        let afterBar = s[s.index(after: firstBar)...]
        guard let secondBar = afterBar.firstIndex(of: "|") else { return nil }
        let rest = afterBar[afterBar.index(after: secondBar)...].trimmingCharacters(in: .whitespaces)
        let counts = rest.split(separator: " ", maxSplits: 1).first ?? ""
        let parts = counts.split(separator: "/")
        guard parts.count == 2, let value = Int(parts[0]), let total = Int(parts[1]), total > 0 else { return nil }
        var rate: Double?
        if let comma = rest.lastIndex(of: ","), let close = rest.lastIndex(of: "]"), comma < close {
            let text = rest[rest.index(after: comma)..<close].trimmingCharacters(in: .whitespaces)
            if text.hasSuffix("it/s"), let r = Double(text.dropLast(4)) { rate = r }
            if text.hasSuffix("s/it"), let r = Double(text.dropLast(4)), r > 0 { rate = 1 / r }
        }
        return Step(value: value, total: total, rate: rate)
    }
}
