import Foundation

extension HistoryItem {
    /// Seconds the prompt waited in the queue: from `extra_data.create_time` (servers ≥ 0.3.69 stamp it) to the
    /// `execution_start` timestamp; nil when either is missing or they are out of order.
    public var queueSeconds: Double? { JobInfo.seconds(from: queue?.createTime, to: startedAt) }
}
