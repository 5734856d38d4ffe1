import ComfyClient
import ComfyJSON
import Foundation

/// Queue wait and run time for `show`: from `extra_data.create_time` (servers ≥ 0.3.69) and, for a running job,
/// the start time `/api/jobs/{id}` gives (servers with the jobs API); nothing is invented where they are missing.
enum ShowTimes {
    /// "  waited 0:12 in the queue, ran 1:05" (nil when neither is known).
    static func line(queue: Double?, run: Double?) -> String? {
        var parts: [String] = []
        if let queue { parts.append("waited \(Format.duration(queue)) in the queue") }
        if let run { parts.append("ran \(Format.duration(run))") }
        return parts.isEmpty ? nil : "  times    " + parts.joined(separator: ", ")
    }

    struct Queued {
        var createdMS: Int?
        var running: Bool
        var now = Date()

        /// Since acceptance: the wait so far of a pending job, the wait plus run so far of a running one.
        var sinceSeconds: Double? {
            JobInfo.seconds(from: createdMS, to: WireNumber.timestampMS(Int(now.timeIntervalSince1970 * 1000)))
        }

        var words: String {
            guard let since = sinceSeconds else { return "" }
            return running
                ? ", queued \(Format.duration(since)) ago" : ", waiting \(Format.duration(since))"
        }

        var json: JSONValue {
            var pairs: [(String, JSONValue)] = []
            if let createdMS { pairs.append(("created_ms", .int(createdMS))) }
            if !running, let wait = sinceSeconds { pairs.append(("queue_seconds", .double(wait))) }
            return .object(pairs)
        }
    }

    /// The times of a queued item. A running one's start is in neither `/queue` nor `/api/jobs` (its queue item
    /// has no start time) until it ends: only its acceptance time is shown.
    static func queued(_ item: QueueItem, running: Bool) -> Queued {
        Queued(createdMS: item.createTime, running: running)
    }
}

extension JSONValue {
    /// This object with `other`'s pairs appended.
    func appendingPairs(of other: JSONValue) -> JSONValue {
        .object((objectValue ?? []) + (other.objectValue ?? []))
    }
}
