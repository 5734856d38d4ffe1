import Foundation

/// Estimates, shown with ≈ and only when there is something to base them on.
extension MonitorState {
    /// Seconds left for one node: live step rate while it runs; else the mean of the same class's earlier runs.
    public func nodeRemaining(_ node: MonitorNode, now: Date) -> Double? {
        switch node.state {
        case .done, .cached, .failed: return 0
        case .running:
            if let value = node.value, let max = node.max, let rate = node.stepRate, rate > 0 {
                return Swift.max(0, (max - value) / rate)
            }
            if let mean = mean(classSeconds[node.classType]), let start = node.startedAt {
                return Swift.max(0, mean - now.timeIntervalSince(start))
            }
            return nil
        case .pending: return mean(classSeconds[node.classType])
        case .unknown: return nil
        }
    }

    /// Seconds left for a job, or nil when some part cannot be estimated.
    public func jobRemaining(_ job: MonitorJob, now: Date) -> Double? {
        if job.state.isFinished { return 0 }
        if job.source == .foreign || job.nodes.isEmpty {
            // Earlier runs of the same workflow are the only honest basis.
            guard let mean = mean(workflowSeconds[job.workflowSignature]) else {
                if let step = job.logStep, step.value > 0, let rate = step.rate, rate > 0, step.total > 0 {
                    return Double(step.total - step.value) / rate
                }
                return nil
            }
            return Swift.max(0, mean - (job.elapsed(now: now) ?? 0))
        }
        var total = 0.0
        for node in job.nodes {
            guard let remaining = nodeRemaining(node, now: now) else {
                // Fall back on the whole workflow's earlier runs.
                if let mean = mean(workflowSeconds[job.workflowSignature]) {
                    return Swift.max(0, mean - (job.elapsed(now: now) ?? 0))
                }
                return nil
            }
            total += remaining
        }
        return total
    }

    /// When each queued job should finish: the running one's remaining time, then each pending job's expected
    /// total, in order. Stops at the first job that cannot be estimated.
    public func finishTimes(now: Date) -> [String: Date] {
        var out: [String: Date] = [:]
        var clock = now
        if let id = runningID, let job = jobs[id] {
            guard let remaining = jobRemaining(job, now: now) else { return out }
            clock = clock.addingTimeInterval(remaining)
            out[id] = clock
        }
        for id in pendingIDs {
            guard let job = jobs[id], let expected = jobRemaining(job, now: now) else { return out }
            clock = clock.addingTimeInterval(expected)
            out[id] = clock
        }
        return out
    }

    func mean(_ values: [Double]?) -> Double? {
        guard let values, !values.isEmpty else { return nil }
        return values.reduce(0, +) / Double(values.count)
    }
}

/// Durations as the screen and messages print them.
public enum MonitorFormat {
    /// Whole seconds, so a clock on screen changes at most once a second.
    public static func duration(_ seconds: Double) -> String {
        // A rate from the wire can make an estimate absurd: past 99 days, or not a number, it is not worth digits.
        guard seconds.isFinite, seconds < 8_553_600 else { return seconds.isNaN ? "?" : ">99d" }
        let s = Int(max(0, seconds).rounded(.down))
        if s < 60 { return "\(s)s" }
        // By hand, not String(format:): that goes through Foundation and is slow on Linux (every frame shows some).
        if s < 3600 { return "\(s / 60):" + twoDigits(s % 60) }
        return "\(s / 3600):" + twoDigits(s / 60 % 60) + ":" + twoDigits(s % 60)
    }

    /// `"%02d"` for 0...99.
    static func twoDigits(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
}
