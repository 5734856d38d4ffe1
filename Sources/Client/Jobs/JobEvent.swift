import ComfyJSON
import Foundation

/// A lifecycle event of any job on the server, own or not: what `watch` prints. Events are a projection of the
/// job model: `JobEventProjector` turns two successive `MonitorState`s into the events between them.
public struct JobEvent: Sendable, Equatable {
    public enum Via: String, Sendable {
        /// From the job's own messages (ours, or an anonymous prompt's broadcast progress).
        case live
        /// From a queue read or a history entry.
        case polled
        /// From the server log's progress bars (another client's job).
        case log
    }

    public var event: String
    public var promptID: String
    public var source: JobSource
    public var via: Via
    public var time: Date
    public var details: [(String, JSONValue)]

    public init(
        event: String, promptID: String, source: JobSource, via: Via, time: Date, details: [(String, JSONValue)] = []
    ) {
        self.event = event
        self.promptID = promptID
        self.source = source
        self.via = via
        self.time = time
        self.details = details
    }

    public static func == (a: JobEvent, b: JobEvent) -> Bool {
        a.event == b.event && a.promptID == b.promptID && a.source == b.source && a.via == b.via
            && JSONValue.object(a.details) == JSONValue.object(b.details)
    }

    public var json: JSONValue {
        .object(
            [
                ("event", .string(event)), ("prompt_id", .string(promptID)), ("source", .string(source.rawValue)),
                ("via", .string(via.rawValue)), ("time", .string(Self.stamp(time))),
            ] + details)
    }

    /// ISO 8601 in UTC with milliseconds, without a formatter per call.
    static func stamp(_ date: Date) -> String {
        let ms = Int((date.timeIntervalSince1970 * 1000).rounded(.down))
        let days = ms.quotientAndRemainder(dividingBy: 86_400_000)
        let (y, m, d) = civil(days: days.quotient)
        let t = days.remainder
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
        let millis = t % 1000
        return "\(y)-\(two(m))-\(two(d))T\(two(t / 3_600_000)):\(two(t / 60_000 % 60)):\(two(t / 1000 % 60))."
            + (millis < 10 ? "00" : millis < 100 ? "0" : "") + "\(millis)Z"
    }

    /// "14:03:09" in local time, for the plain lines.
    public static func stampForHumans(_ date: Date) -> String {
        var seconds = Int(date.timeIntervalSince1970.rounded(.down))
        var t = tm()
        localtime_r(&seconds, &t)
        func two(_ n: Int32) -> String { n < 10 ? "0\(n)" : "\(n)" }
        return "\(two(t.tm_hour)):\(two(t.tm_min)):\(two(t.tm_sec))"
    }

    /// Days since 1970-01-01 to a civil date (Howard Hinnant's algorithm).
    static func civil(days: Int) -> (Int, Int, Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }
}

/// Turns the job model's successive states into lifecycle events: a job appears (`queued`, or `running` for
/// those already running when watching began), starts (`started`), makes progress (`progress`, at most once a
/// second per job plus its last step), and ends (`finished`, `failed`, `interrupted`, `removed`).
/// A value: the same states give the same events, which is what the tests over the transcripts rely on.
public struct JobEventProjector: Sendable {
    private var lastProgress: [String: (key: String, time: Date)] = [:]

    public init() {}

    public mutating func events(from old: MonitorState, to new: MonitorState, now: Date) -> [JobEvent] {
        var out: [JobEvent] = []
        let initial = old.queueReadAt == nil && new.queueReadAt != nil
        // Endings first, oldest first: a job ends before the next one starts.
        for id in new.finishedIDs.reversed() where old.jobs[id]?.state.isFinished != true {
            guard let job = new.jobs[id] else { continue }
            out.append(ended(job, now: now))
            lastProgress[id] = nil
        }
        if let id = new.runningID, let job = new.jobs[id], job.state == .running {
            let before = old.jobs[id]
            if before?.state != .running {
                let name = initial && before == nil ? "running" : "started"
                out.append(JobEvent(event: name, promptID: id, source: job.source, via: .polled, time: now))
            }
            if let event = progress(job, now: now) { out.append(event) }
        }
        for (position, id) in new.pendingIDs.enumerated() where old.jobs[id] == nil {
            guard let job = new.jobs[id], job.state == .pending else { continue }
            out.append(
                JobEvent(
                    event: "queued", promptID: id, source: job.source, via: .polled, time: now,
                    details: [("position", .int(position + 1))]))
        }
        if lastProgress.count > 1000 { lastProgress.removeAll() }
        return out
    }

    /// How a job ended, with its outputs, time and error.
    func ended(_ job: MonitorJob, now: Date) -> JobEvent {
        let name: String
        switch job.state {
        case .success: name = "finished"
        case .failed: name = "failed"
        case .interrupted: name = "interrupted"
        default: name = "removed"
        }
        var details: [(String, JSONValue)] = []
        if job.state != .removed {
            details.append(("outputs", .array(job.outputs.map(\.json))))
            if let seconds = job.elapsed(now: now), seconds.isFinite { details.append(("seconds", .double(seconds))) }
        }
        if let error = job.error { details.append(("error", .string(error.summary))) }
        return JobEvent(event: name, promptID: job.id, source: job.source, via: .polled, time: now, details: details)
    }

    /// The running job's steps when they changed: the current node's (ours, anonymous ones) or the server log's
    /// (another client's job, whose log names no node).
    mutating func progress(_ job: MonitorJob, now: Date) -> JobEvent? {
        let value: Double
        let max: Double
        var node: String?
        let via: JobEvent.Via
        if job.source == .foreign {
            guard let step = job.logStep else { return nil }
            (value, max, via) = (Double(step.value), Double(step.total), .log)
        } else {
            guard let current = job.currentNode, let n = job.node(current), let v = n.value, let m = n.max,
                v.isFinite, m.isFinite
            else { return nil }
            (value, max, node, via) = (v, m, current, .live)
        }
        let key = "\(node ?? "")|\(value)|\(max)"
        if let last = lastProgress[job.id] {
            if last.key == key { return nil }
            if value < max, now.timeIntervalSince(last.time) < 1 { return nil }
        }
        lastProgress[job.id] = (key, now)
        var details: [(String, JSONValue)] = [("value", .double(value)), ("max", .double(max))]
        if let node { details.append(("node", .string(node))) }
        return JobEvent(event: "progress", promptID: job.id, source: job.source, via: via, time: now, details: details)
    }
}
