import ComfyClient
import Foundation

/// Everything the screen shows and decides from: its own state, the monitor's latest, the clock, the size, and
/// what it has already announced. A value; `AppUpdate.update(_:_:)` makes the next one.
public struct AppModel: Sendable, Equatable {
    public var app: AppState
    public var monitor: MonitorState
    public var now: Date
    public var width: Int
    public var height: Int
    /// Monitor messages up to this time have been notified and logged.
    public var seenUntil: Date
    /// The store's change count the history list was last read at (nil: not yet seen).
    public var storeCount: Int?
    /// `--notify`: a bell and desktop notification when a job finishes or fails.
    public var notify: Bool
    /// `--log`: the message line's events go to a file.
    public var logging: Bool
    /// The fleet, when more than one server is watched (nil: one server).
    public var fleet: FleetModel?

    public init(
        monitor: MonitorState, now: Date, width: Int, height: Int, readOnly: Bool = false, hasStore: Bool = false,
        notify: Bool = false, logging: Bool = false
    ) {
        app = AppState(readOnly: readOnly)
        if hasStore { app.history = HistoryBrowserState(server: monitor.serverURL) }
        self.monitor = monitor
        self.now = now
        self.width = width
        self.height = height
        // What was on the message line before the screen opened is not news.
        seenUntil = monitor.messages.last?.time ?? .distantPast
        self.notify = notify
        self.logging = logging
    }

    /// The line `--log` appends for an event: a UTC timestamp, the level, the text (sanitised).
    static func logLine(_ text: String, _ level: MonitorState.Message.Level, at time: Date) -> String {
        let stamp = time.formatted(.iso8601)
        let padded = level.rawValue.padding(toLength: 7, withPad: " ", startingAt: 0)
        return "\(stamp) \(padded) \(TerminalText.sanitize(text))\n"
    }
}
