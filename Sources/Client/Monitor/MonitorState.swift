import ComfyJSON
import Foundation

/// The connection as the header shows it.
public enum ConnectionStatus: Sendable, Equatable {
    case connecting
    case connected(sid: String)
    case reconnecting(attempt: Int, retryAt: Date, reason: String)
    case offline(reason: String)
}

/// What the monitor knows: the server, every job on it, and what happened lately. A value; `reduce` makes the next.
public struct MonitorState: Sendable, Equatable {
    public struct Message: Sendable, Equatable {
        public enum Level: String, Sendable { case info, success, warning, error }
        public var text: String
        public var level: Level
        public var time: Date
    }

    public var serverURL: String
    public var ownClientID: String
    public var connection: ConnectionStatus = .connecting
    public var version: String?
    public var devices: [SystemStats.Device] = []
    public var queueRemaining: Int?
    public var jobs: [String: MonitorJob] = [:] {
        // Any change to the table other than `withJob`'s in-place one may move entries: forget the cached index.
        didSet { recentJob = JobIndexCache() }
    }
    /// Where the job of the last event is in `jobs`, so a run's stream of progress frames skips the hashing.
    var recentJob = JobIndexCache()
    public var runningID: String?
    /// Pending ids in execution order.
    public var pendingIDs: [String] = []
    /// Finished ids, newest first (those still lingering are shown in the queue pane).
    public var finishedIDs: [String] = []
    public var messages: [Message] = []
    /// Seconds the same node class took in runs seen so far (for the ETA of nodes not yet started).
    public var classSeconds: [String: [Double]] = [:]
    /// Seconds earlier runs of the same workflow took, from history.
    public var workflowSeconds: [String: [Double]] = [:]
    /// When the queue was last read (nil: never).
    public var queueReadAt: Date?
    /// The first queue read: jobs that ended after it are this monitor's to show and keep.
    public var watchingSince: Date?
    /// The highest queue number a read showed (the server numbers prompts in order; restarts begin again).
    var highestNumber: Double?
    /// Jobs were queued or running since the last read of recent history.
    var busySinceSync = false
    /// The queue length the newest `status` broadcast announced. A queue read that was asked for before that
    /// broadcast can answer after it: an empty answer then must not end the busy period the broadcast began.
    var announcedRemaining = 0
    /// A connection was made before: the next one is a reconnect (`.connecting` comes between `.reconnecting` and
    /// `.connected`, so the status just before says nothing).
    var connectedBefore = false
    /// Jobs still thought queued or running when the queue reported empty: the recent-history read that drain
    /// asked for includes them (each job asks once).
    var historyAskedFor: Set<String> = []
    /// Runs whose history entry was already learned from (a run is counted once in the timings).
    var learnedRuns: Set<String> = []
    /// The newest live preview of recent prompts: marks only, the bytes stay in `LivePreviews`.
    public var previews = PreviewMarks()

    public init(serverURL: String, ownClientID: String) {
        self.serverURL = serverURL
        self.ownClientID = ownClientID
    }

    /// How long finished jobs stay in the queue pane.
    public static let linger: Double = 8
    static let maxFinished = 200
    static let maxMessages = 50

    /// Running, pending, then finished jobs that still linger: what the queue pane lists.
    public func queueList(now: Date) -> [MonitorJob] {
        var out: [MonitorJob] = []
        if let id = runningID, let job = jobs[id] { out.append(job) }
        out += pendingIDs.compactMap { jobs[$0] }
        out += finishedIDs.compactMap { jobs[$0] }.filter { ($0.lingerUntil ?? .distantPast) > now }
        return out
    }

    public var lastMessage: Message? { messages.last }

    func source(of clientID: String?) -> JobSource {
        guard let clientID else { return .anonymous }
        return clientID == ownClientID ? .own : .foreign
    }

    mutating func post(_ text: String, _ level: Message.Level, now: Date) {
        messages.append(Message(text: text, level: level, time: now))
        if messages.count > Self.maxMessages { messages.removeFirst(messages.count - Self.maxMessages) }
    }
}

/// The table index of the most recent event's job. It is not part of the state's value (equal states may differ
/// in it), and it is dropped whenever `jobs` changes other than in place.
struct JobIndexCache: Sendable, Equatable {
    var id: String?
    var index: [String: MonitorJob].Index?

    static func == (_: JobIndexCache, _: JobIndexCache) -> Bool { true }
}
