import ComfyClient
import Foundation

@testable import ComfyTUI

/// A terminal driven by a script: each wait for a key runs the next step (which may push a state or post a
/// message, as the session would meanwhile) and answers its key; a step without a key waits as a real terminal
/// would, for the time the loop asked. After the last step the screen is sent `q`.
final class ScriptedTerminal: Terminal {
    var width = 100
    var height = 30
    private(set) var screen: Canvas?
    private(set) var raw = ""
    private var steps: [() -> Key?]

    init(_ steps: [() -> Key?]) { self.steps = steps }

    func draw(_ canvas: Canvas, previous: Canvas?) { screen = canvas }

    func readKey(timeoutMS: Int, wakeable: Bool) -> Key? {
        guard !steps.isEmpty else { return .char("q") }
        let key = steps.removeFirst()()
        if key == nil { usleep(UInt32(min(timeoutMS, 50)) * 1000) }
        return key
    }

    func writeRaw(_ text: String) { raw += text }

    var text: String { screen?.lines.joined(separator: "\n") ?? "" }
}

/// A store reader that counts the reads and whose change count the test moves.
final class CountingReader: HistoryReader, @unchecked Sendable {
    private let lock = NSLock()
    private var pages = 0
    private var changes = 0

    var pageReads: Int { lock.withLock { pages } }
    var changeCount: Int { lock.withLock { changes } }
    func recordSomething() { lock.withLock { changes += 1 } }

    func readPage(_ query: HistoryQuery) -> HistoryPage? {
        lock.withLock { pages += 1 }
        return HistoryPage(query: query, rows: [], total: 0, summary: HistorySummary(count: 0, newest: nil), millis: 0)
    }

    func readRecord(server: String, promptID: String) -> RunRecord? { nil }
}
