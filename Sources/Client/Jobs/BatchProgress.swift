import Foundation

/// Where a batch stands: counts and an estimate of the time left, from the monitor's model. Pure.
public struct BatchProgress: Sendable, Equatable {
    public var total: Int
    public var done: Int
    public var failed: Int
    /// The job of the batch that runs now.
    public var runningID: String?
    /// Seconds until the whole batch is done (nil: nothing to base it on yet).
    public var remaining: Double?

    /// `ids` are the batch's accepted jobs; `ended` those that have ended, with whether they succeeded; `seconds`
    /// how long each ended job ran. The estimate: what the running job has left, plus every job not started yet at
    /// the mean run time of the batch's ended jobs (the same workflow, so the best guide), or, before any has
    /// ended, at the model's own estimate (node classes' and workflows' earlier times), and failing that at the
    /// running job's pace so far (its elapsed time over the fraction done, once a tenth is done).
    public init(state: MonitorState, ids: [String], ended: [String: Bool], seconds: [Double], rejected: Int, now: Date)
    {
        total = ids.count + rejected
        done = ended.values.filter { $0 }.count
        failed = ended.values.filter { !$0 }.count + rejected
        let open = ids.filter { ended[$0] == nil }
        runningID = open.first { state.runningID == $0 || state.jobs[$0]?.state == .running }
        guard !open.isEmpty else {
            remaining = 0
            return
        }
        var mean = seconds.isEmpty ? nil : seconds.reduce(0, +) / Double(seconds.count)
        if mean == nil, let id = runningID, let job = state.jobs[id], state.jobRemaining(job, now: now) == nil,
            let fraction = job.overallFraction, fraction >= 0.1, let elapsed = job.elapsed(now: now)
        {
            mean = elapsed / fraction
        }
        var total = 0.0
        for id in open {
            let job = state.jobs[id]
            if id == runningID, let job {
                if let left = state.jobRemaining(job, now: now) {
                    total += left
                } else if let mean {
                    total += max(0, mean - (job.elapsed(now: now) ?? 0))
                } else {
                    remaining = nil
                    return
                }
            } else if let mean {
                total += mean
            } else if let job, let expected = state.jobRemaining(job, now: now) {
                total += expected
            } else {
                remaining = nil
                return
            }
        }
        remaining = total
    }
}
