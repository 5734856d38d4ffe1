import ComfyJSON
import Foundation

/// What newer servers add to the model: `progress_text` for a node, per-node `activity` (MonitorJob.apply), and
/// when the server accepted each job (`extra_data.create_time`), for the queue wait.
extension MonitorState {
    /// The longest `progress_text` kept for a node (the screen shows one line of it).
    static let progressTextLimit = 500

    /// A `progress_text` frame names a node but no prompt (it is broadcast to every socket): it belongs to the
    /// running job when that job has the node (foreign jobs included); otherwise to the pending or newest
    /// finished job that has it; text no job can take is dropped.
    mutating func applyProgressText(nodeID: String, text: String) {
        let candidates = [runningID].compactMap { $0 } + finishedIDs.prefix(1) + pendingIDs
        for id in candidates {
            guard let index = jobs[id]?.nodes.firstIndex(where: { sameID($0.id, nodeID) }) else { continue }
            let kept = String(text.prefix(Self.progressTextLimit))
            if jobs[id]?.nodes[index].progressText != kept { jobs[id]?.nodes[index].progressText = kept }
            return
        }
    }

    /// Create times from a queue read (`extra_data.create_time`, servers ≥ 0.3.69).
    mutating func noteCreateTimes(_ snapshot: QueueSnapshot) {
        for item in snapshot.running + snapshot.pending {
            guard let ms = item.createTime, jobs[item.promptID]?.createdAt == nil else { continue }
            jobs[item.promptID]?.createdAt = WireNumber.date(ms: ms)
        }
    }
}
