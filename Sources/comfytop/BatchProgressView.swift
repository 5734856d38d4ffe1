import ComfyClient
import Foundation

/// The live status of several jobs (`submit --count/--sweep --wait`, `wait ID...`) on stderr: on a terminal one
/// block redrawn in place (the batch's counts, bar and estimate, then the running job); otherwise one plain line
/// per job that ends.
final class BatchProgressView: @unchecked Sendable {
    private let lock = NSLock()
    private let isTTY = isatty(STDERR_FILENO) == 1
    private let ascii: Bool
    private var drawnLines = 0
    private var lastDraw = Date.distantPast
    /// The batch's jobs in order, with their labels.
    private var ids: [String] = []
    private var labels: [String: String] = [:]
    private var ended: [String: Bool] = [:]
    private var seconds: [Double] = []
    private var rejected = 0
    private var state: MonitorState?

    init() {
        let env = ProcessInfo.processInfo.environment
        ascii = !(env["LC_ALL"] ?? env["LANG"] ?? "").lowercased().contains("utf")
    }

    func add(_ id: String, label: String) {
        lock.withLock {
            ids.append(id)
            labels[id] = label
        }
    }

    func reject() { lock.withLock { rejected += 1 } }

    func note(_ message: String) {
        lock.withLock {
            clearLocked()
            Output.error(message + "\n")
        }
    }

    func update(_ state: MonitorState) {
        lock.withLock {
            self.state = state
            drawLocked(force: false)
        }
    }

    func finished(_ outcome: JobFollower.Outcome) {
        lock.withLock {
            guard let id = outcome.promptID else { return }
            ended[id] = outcome.status.succeeded
            if let s = outcome.item?.durationSeconds { seconds.append(s) }
            let position = "[\(ended.count)/\(ids.count)]"
            let took = outcome.item?.durationSeconds.map { " in \(Format.duration($0))" } ?? ""
            let label = labels[id].flatMap { $0.isEmpty ? nil : "  \($0)" } ?? ""
            clearLocked()
            Output.error("\(position) \(outcome.status.rawValue) \(id)\(label)\(took)\n")
            drawLocked(force: true)
        }
    }

    /// Leaves the last block on screen.
    func finish() {
        lock.withLock {
            if isTTY { drawLocked(force: true) }
            drawnLines = 0
        }
    }

    private func clearLocked() {
        guard isTTY, drawnLines > 0 else { return }
        Output.control("\r\u{1B}[\(drawnLines)A\u{1B}[J")
        drawnLines = 0
    }

    private func drawLocked(force: Bool) {
        guard isTTY, let state, !ids.isEmpty else { return }
        guard force || Date().timeIntervalSince(lastDraw) >= 0.1 else { return }
        lastDraw = Date()
        let now = Date()
        let progress = BatchProgress(
            state: state, ids: ids, ended: ended, seconds: seconds, rejected: rejected, now: now)
        let finished = progress.done + progress.failed
        let running = progress.runningID.flatMap { state.jobs[$0] }
        let fraction = (Double(finished) + (running?.overallFraction ?? 0)) / Double(max(1, progress.total))
        var lines = [
            "batch  \(finished)/\(progress.total)  [\(bar(fraction, 24))] \(String(format: "%3.0f%%", fraction * 100))"
                + "  \(progress.done) done, \(progress.failed) failed"
                + (progress.remaining.flatMap { $0 > 0 ? "  ETA \(ascii ? "~" : "≈")\(Format.duration($0))" : nil }
                    ?? "")
        ]
        if let running {
            let label = TerminalText.sanitize(labels[running.id] ?? String(running.id.prefix(8)))
            var line = "  \(ascii ? ">" : "▶") \(label)  [\(bar(running.overallFraction ?? 0, 12))]"
            if let node = running.currentNode.flatMap(running.node) {
                line += "  " + TerminalText.sanitize("\(node.title) (\(node.id))")
                if let v = node.value, let m = node.max, m > 1 { line += " \(Format.count(v))/\(Format.count(m))" }
            }
            lines.append(line)
        }
        clearLocked()
        Output.error(lines.joined(separator: "\n") + "\n")
        drawnLines = lines.count
    }

    private func bar(_ fraction: Double, _ width: Int) -> String {
        let f = max(0, min(1, fraction.isFinite ? fraction : 0))
        let full = Int(f * Double(width))
        return String(repeating: ascii ? "#" : "█", count: full)
            + String(repeating: ascii ? "-" : "·", count: width - full)
    }
}
