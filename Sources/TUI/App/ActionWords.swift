import ComfyClient
import Foundation

/// How the screen words an action's result, and the level the case (never the words) gives it.
extension ActionResult {
    public var level: MonitorState.Message.Level {
        switch self {
        case .interruptSent, .removedFromQueue, .requeued, .deletedFromHistory: return .success
        case .downloaded(_, let saved, let refused, _):
            return refused.isEmpty ? .success : saved.isEmpty ? .error : .warning
        case .noOutputs, .notInStore, .notInHistory: return .warning
        case .failed: return .error
        }
    }

    public var words: String {
        switch self {
        case .interruptSent(let id): return "interrupt sent for \(id.prefix(8))"
        case .removedFromQueue(let id): return "removed \(id.prefix(8)) from the queue"
        case .requeued(let new, let from, let newSeed):
            return "queued \(new.prefix(8)) (again \(from.prefix(8))\(newSeed ? ", new seeds" : ""))"
        case .deletedFromHistory(let id):
            return "deleted \(id.prefix(8)) from the server's history (the local store keeps it)"
        case .downloaded(_, let saved, let refused, let directory):
            let folder = saved.first.map { PathParts($0).folder } ?? directory
            let refusedText =
                refused.isEmpty
                ? ""
                : "refused \(refused.count) unsafe name(s): "
                    + refused.prefix(3).joined(separator: ", ") + (refused.count > 3 ? ", …" : "")
            if saved.isEmpty { return refusedText }
            return "saved \(saved.count) file(s) to \(folder)" + (refused.isEmpty ? "" : "; " + refusedText)
        case .noOutputs(let id): return "\(id.prefix(8)) has no output files"
        case .notInStore(let id): return "\(id.prefix(8)) is not in the local store"
        case .notInHistory(let id): return "no finished job \(id.prefix(8)) in history"
        case .failed(let kind, _, let error): return "\(kind.rawValue) failed: \(error.description)"
        }
    }
}
