import ComfyClient
import Foundation

/// Everything that can happen to the screen. The run loop and the effect runner turn input and IO into these;
/// `AppUpdate.update(_:_:)` is the only place that acts on them.
public enum Msg: Sendable, Equatable {
    case key(Key)
    case mouse(x: Int, y: Int, button: Key.MouseButton)
    case resize(width: Int, height: Int)
    /// The clock moved (sent before the other messages of a frame).
    case tick(Date)
    /// A new state from the monitor session.
    case monitor(MonitorState)
    /// A new state of the fleet (every server's monitor).
    case fleet(FleetState)
    /// The local store was written (its change count).
    case storeChanged(Int)
    case historyPage(HistoryPage)
    case record(RunRecord?)
    /// The first output path of a stored run (nil: none), to copy.
    case outputPath(id: String, path: String?)
    case action(ActionResult)
    /// A picture the renderer made (or could not).
    case picture(RenderedPicture)
}

/// One answer of the store to a history query.
public struct HistoryPage: Sendable, Equatable {
    public var query: HistoryQuery
    public var rows: [HistoryRow]
    public var total: Int
    public var summary: HistorySummary?
    public var millis: Double

    public init(query: HistoryQuery, rows: [HistoryRow], total: Int, summary: HistorySummary?, millis: Double) {
        self.query = query
        self.rows = rows
        self.total = total
        self.summary = summary
        self.millis = millis
    }
}

/// How many runs the store has for a server, and the newest one's end (ms).
public struct HistorySummary: Sendable, Equatable {
    public var count: Int
    public var newest: Int?

    public init(count: Int, newest: Int?) {
        self.count = count
        self.newest = newest
    }
}

/// What the screen asks for: IO the effect runner does, answering with messages.
public enum AppEffect: Sendable, Equatable {
    // The session (answered with `.action`).
    case interrupt(String)
    case cancel(String)
    case download(String)
    case requeue(String, newSeed: Bool)
    case deleteHistory(String)
    // The local store (answered with `.historyPage`, `.record`, `.outputPath`).
    case queryHistory(HistoryQuery)
    case openRecord(String)
    case findOutputPath(String)
    // The terminal and the log file (no answer).
    case copy(String)
    case notify(String)
    case log(String)
    // The picture renderer (answered with `.picture`, later).
    case render(PictureRequest)
}

/// A message of the screen's own (an action's result, a copy), worded, with the level its case gives.
public struct Notice: Sendable, Equatable {
    public var text: String
    public var level: MonitorState.Message.Level
    public var time: Date

    public init(_ text: String, _ level: MonitorState.Message.Level, time: Date) {
        self.text = text
        self.level = level
        self.time = time
    }
}
