import ComfyClient
import Foundation

/// Glyph, word and role for states: state is never shown by colour alone.
enum Symbols {
    static func job(_ state: JobState, _ g: Glyphs) -> (String, String, Role) {
        switch state {
        case .pending: return (g.pending, "pending", .statePending)
        case .running: return (g.running, "running", .stateRunning)
        case .success: return (g.done, "done", .stateDone)
        case .failed: return (g.failed, "failed", .stateFailed)
        case .interrupted: return (g.interrupted, "stopped", .stateInterrupted)
        case .removed: return (g.pending, "removed", .dim)
        }
    }

    static func node(_ state: MonitorNode.State, _ g: Glyphs) -> (String, String, Role) {
        switch state {
        case .pending: return (g.pending, "pending", .statePending)
        case .cached: return (g.cached, "cached", .stateCached)
        case .running: return (g.running, "running", .stateRunning)
        case .done: return (g.done, "done", .stateDone)
        case .failed: return (g.failed, "failed", .stateFailed)
        case .unknown: return (g.unknown, "?", .dim)
        }
    }

    static func source(_ s: JobSource) -> (String, Role) {
        switch s {
        case .own: return ("own", .sourceOwn)
        case .foreign: return ("other", .sourceForeign)
        case .anonymous: return ("anon", .sourceAnonymous)
        }
    }
}

/// Local clock times for the screen. Formatted by hand: a DateFormatter is costly to make and, on Linux, slow
/// to use, and the screen is drawn up to 60 times a second.
enum Clock {
    case hhmm, hhmmss, monthDayTime

    func string(from date: Date) -> String {
        var t = time_t(date.timeIntervalSince1970.rounded(.down))
        var parts = tm()
        localtime_r(&t, &parts)
        func two(_ n: Int32) -> String { n < 10 ? "0\(n)" : "\(n)" }
        switch self {
        case .hhmm: return "\(two(parts.tm_hour)):\(two(parts.tm_min))"
        case .hhmmss: return "\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec))"
        case .monthDayTime:
            return "\(two(parts.tm_mon + 1))-\(two(parts.tm_mday)) \(two(parts.tm_hour)):\(two(parts.tm_min))"
        }
    }
}
