import ComfyClient

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
