import ComfyJSON
import Foundation

/// The server's captured stdout/stderr: a ring of the last 300 writes, as `app/logger.py` keeps.
struct LogBuffer: Sendable {
    struct Entry: Sendable {
        let t: String
        let m: String
        var json: JSONValue { .obj(("t", .string(t)), ("m", .string(m))) }
    }

    private(set) var entries: [Entry] = []
    let capacity: Int

    init(capacity: Int = 300) { self.capacity = capacity }

    static func timestamp(_ date: Date = Date()) -> String {
        // Python's datetime.now().isoformat(): local time, microseconds, no zone.
        var tv = timeval()
        gettimeofday(&tv, nil)
        var seconds = tv.tv_sec
        var parts = tm()
        localtime_r(&seconds, &parts)
        return String(
            format: "%04d-%02d-%02dT%02d:%02d:%02d.%06d", parts.tm_year + 1900, parts.tm_mon + 1, parts.tm_mday,
            parts.tm_hour, parts.tm_min, parts.tm_sec, Int(tv.tv_usec))
    }

    mutating func append(_ message: String) -> Entry {
        let entry = Entry(t: Self.timestamp(), m: message)
        entries.append(entry)
        if entries.count > capacity { entries.removeFirst(entries.count - capacity) }
        return entry
    }

    /// `GET /internal/logs/raw`.
    var rawJSON: JSONValue {
        .obj(("entries", .array(entries.map(\.json))), ("size", .obj(("cols", 120), ("rows", 30))))
    }

    /// `GET /internal/logs`: one string of `"<t> - <m>"` entries.
    var joined: String { entries.map { "\($0.t) - \($0.m)" }.joined() }
}

/// tqdm's default bar, as samplers print it to stderr: ` 45%|████▌     | 9/20 [00:03<00:04,  2.61it/s]`.
enum Tqdm {
    static let partials = [" ", "▏", "▎", "▍", "▌", "▋", "▊", "▉"]

    static func clock(_ seconds: Double) -> String {
        let s = Int(seconds.rounded(.down))
        if s >= 3600 { return String(format: "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60) }
        return String(format: "%02d:%02d", s / 60, s % 60)
    }

    static func bar(n: Int, total: Int, elapsed: Double) -> String {
        let fraction = total > 0 ? min(1, Double(n) / Double(total)) : 0
        let filled = fraction * 10
        let full = Int(filled)
        var bar = String(repeating: "█", count: full)
        if full < 10 {
            bar += partials[Int((filled - Double(full)) * 8)]
            bar += String(repeating: " ", count: 10 - full - 1)
        }
        let percent = String(format: "%3.0f%%", fraction * 100)
        guard n > 0, elapsed > 0 else {
            return "\r\(percent)|\(bar)| \(n)/\(total) [\(clock(elapsed))<?, ?it/s]"
        }
        let rate = Double(n) / elapsed
        let remaining = Double(total - n) / rate
        let rateText = rate >= 1 ? String(format: "%5.2fit/s", rate) : String(format: "%5.2fs/it", 1 / rate)
        return "\r\(percent)|\(bar)| \(n)/\(total) [\(clock(elapsed))<\(clock(remaining)), \(rateText)]"
    }
}
