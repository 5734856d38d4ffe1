import Foundation

/// That a prompt has a live preview, and which: the frame's sequence number in `LivePreviews`, its node and time.
public struct PreviewMark: Sendable, Equatable {
    public var seq: Int
    public var nodeID: String?
    public var at: Date
    /// Frames received for the prompt so far.
    public var count: Int
}

/// The preview marks of the last few prompts that had previews, and how many frames arrived in all.
public struct PreviewMarks: Sendable, Equatable {
    public private(set) var byPrompt: [String: PreviewMark] = [:]
    /// Frames received (attributed or not): once non-zero, the server is known to send previews.
    public private(set) var received = 0
    /// Type-1 frames that arrived while no job was known to run (nothing to attribute them to).
    public private(set) var unattributed = 0
    static let capacity = 4

    mutating func note(_ id: String?, seq: Int, nodeID: String?, now: Date) {
        received += 1
        guard let id else {
            unattributed += 1
            return
        }
        let count = (byPrompt[id]?.count ?? 0) + 1
        byPrompt[id] = PreviewMark(seq: seq, nodeID: nodeID, at: now, count: count)
        if byPrompt.count > Self.capacity, let oldest = byPrompt.min(by: { $0.value.seq < $1.value.seq }) {
            byPrompt[oldest.key] = nil
        }
    }
}

/// What the preview pane can show for a job.
public enum PreviewStatus: Sendable, Equatable {
    /// A frame is kept (the newest one of the job).
    case frame(PreviewMark)
    /// The job runs and its previews reach this monitor, but none has arrived yet.
    case waiting
    /// No preview can be shown, and why.
    case unavailable(PreviewAbsence)
}

/// Why a job has no live preview here.
public enum PreviewAbsence: Sendable, Equatable {
    /// Queued, not running yet.
    case notStarted
    /// Another client's job: ComfyUI sends previews only to the socket whose client_id queued the prompt.
    case foreign(clientID: String?)
    /// Steps went by without a frame: the server sends none (its default `--preview-method none`).
    case serverSendsNone
    /// Finished before any frame was kept (previews are live only; the outputs are the result).
    case finished
}

extension MonitorState {
    /// The job a preview frame belongs to. Type-4 frames say; a type-1 frame does not, and reaches this socket
    /// only for our own prompts (if the socket did not negotiate metadata) or for anonymous ones (broadcast to
    /// every socket), and the server runs one prompt at a time: it is the running job's. Nil when no job is known
    /// to run (the frame is counted, not kept).
    public func previewTarget(of image: PreviewImage) -> String? {
        if let id = image.promptID { return id }
        return runningID
    }

    /// Notes a kept frame (`seq` from `LivePreviews.put`) in place: a few bytes, never the image.
    public mutating func notePreview(of promptID: String?, seq: Int, nodeID: String?, now: Date) {
        previews.note(promptID, seq: seq, nodeID: nodeID, now: now)
    }

    /// What the preview pane shows for a job, or why it shows nothing.
    public func previewStatus(of job: MonitorJob) -> PreviewStatus {
        if let mark = previews.byPrompt[job.id] { return .frame(mark) }
        switch job.state {
        case .pending: return .unavailable(.notStarted)
        case .running:
            if job.source == .foreign { return .unavailable(.foreign(clientID: job.clientID)) }
            // A couple of sampler steps without a frame: the server is not sending any.
            let stepped = job.nodes.contains { ($0.value ?? 0) >= 2 }
            return stepped && previews.received == 0 ? .unavailable(.serverSendsNone) : .waiting
        default:
            if job.source == .foreign { return .unavailable(.foreign(clientID: job.clientID)) }
            return .unavailable(.finished)
        }
    }
}
