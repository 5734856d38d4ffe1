import ComfyClient
import ComfyImages
import Foundation

/// The live status of `submit --wait`: on a terminal, one line per node redrawn in place; otherwise plain lines,
/// one per change worth reading, with no escape codes.
final class ProgressView: @unchecked Sendable {
    private let lock = NSLock()
    private let isTTY: Bool
    private let quiet: Bool
    private var drawnLines = 0
    private var lastDraw = Date.distantPast
    private var lastPlain: [String: String] = [:]
    private var lastPlainTime: [String: Date] = [:]
    private var ascii: Bool
    /// `--preview`: the live preview, drawn above the progress lines (terminal only).
    var picture: InlinePreview?

    init(quiet: Bool) {
        self.quiet = quiet
        isTTY = isatty(STDERR_FILENO) == 1
        let locale =
            (ProcessInfo.processInfo.environment["LC_ALL"] ?? ProcessInfo.processInfo.environment["LANG"] ?? "")
        ascii = !locale.lowercased().contains("utf")
    }

    private func write(_ s: String) { Output.error(s) }

    /// Turns on the live preview above the progress lines (on a terminal only); returns where frames go.
    func enablePreview() -> InlinePreview? {
        guard isTTY, !quiet else { return nil }
        let inline = InlinePreview(ascii: ascii)
        lock.withLock { picture = inline }
        return inline
    }

    func note(_ message: String) {
        guard !quiet else { return }
        lock.withLock {
            clearLocked()
            write(message + "\n")
        }
    }

    func update(_ job: MonitorJob, force: Bool = false) {
        guard !quiet else { return }
        lock.withLock {
            if isTTY {
                guard force || Date().timeIntervalSince(lastDraw) >= 0.1 else { return }
                lastDraw = Date()
                clearLocked()
                let lines = render(job)
                // The picture is our own SGR colours around symbol characters: written as control, not text.
                let size = TerminalQuery.windowSize(STDERR_FILENO)
                let art = picture?.lines(columns: size?.columns ?? 80, rows: size?.rows ?? 24) ?? []
                if !art.isEmpty { Output.control(art.joined(separator: "\n") + "\n") }
                write(lines.joined(separator: "\n") + "\n")
                drawnLines = art.count + lines.count
            } else {
                plain(job)
            }
        }
    }

    func finish(_ job: MonitorJob) {
        update(job, force: true)
        lock.withLock { drawnLines = 0 }
    }

    private func clearLocked() {
        guard isTTY, drawnLines > 0 else { return }
        Output.control("\r\u{1B}[\(drawnLines)A\u{1B}[J")  // our own control; write() sanitises
        drawnLines = 0
    }

    private func bar(_ fraction: Double?, width: Int) -> String {
        guard let fraction else { return String(repeating: ascii ? "?" : "·", count: width) }
        let f = max(0, min(1, fraction))
        if ascii {
            let full = Int(f * Double(width))
            return String(repeating: "#", count: full) + String(repeating: "-", count: width - full)
        }
        let eighths = Int((f * Double(width) * 8).rounded(.down))
        let full = eighths / 8
        let partial = ["", "▏", "▎", "▍", "▌", "▋", "▊", "▉"][eighths % 8]
        let used = full + (partial.isEmpty ? 0 : 1)
        return String(repeating: "█", count: full) + partial + String(repeating: " ", count: max(0, width - used))
    }

    private func render(_ job: MonitorJob) -> [String] {
        let now = Date()
        var lines: [String] = []
        let elapsed = job.elapsed(now: now)
        let fraction = job.overallFraction ?? 0
        lines.append(
            "\(job.id.prefix(8))  [\(bar(fraction, width: 20))] \(String(format: "%3.0f%%", fraction * 100))"
                + (elapsed.map { "  \(Format.duration($0))" } ?? "  queued"))
        for node in job.nodes where node.state != .pending || node.id == job.currentNode {
            let label = Format.pad(TerminalText.sanitize("\(node.title) (\(node.id))"), 28)
            switch node.state {
            case .cached: lines.append("  \(ascii ? "=" : "≡") \(label) cached")
            case .done:
                let took = node.startedAt.flatMap { s in node.endedAt.map { $0.timeIntervalSince(s) } }
                lines.append("  \(ascii ? "+" : "✓") \(label) done" + (took.map { " in \(Format.duration($0))" } ?? ""))
            case .failed: lines.append("  \(ascii ? "x" : "✗") \(label) failed")
            case .running, .pending, .unknown:
                var text = "  \(ascii ? ">" : "▶") \(label) "
                if let v = node.value, let m = node.max, m > 1 {
                    text += "[\(bar(v / m, width: 16))] \(Format.count(v))/\(Format.count(m))"
                    if let start = node.startedAt, v > 0 {
                        let spent = now.timeIntervalSince(start)
                        let eta = spent / v * (m - v)
                        text += "  \(Format.duration(spent))  ETA ≈\(Format.duration(eta))"
                    }
                } else {
                    text += "running" + (node.startedAt.map { "  \(Format.duration(now.timeIntervalSince($0)))" } ?? "")
                }
                lines.append(text)
            }
        }
        return lines
    }

    private func plain(_ job: MonitorJob) {
        for node in job.nodes {
            let key = node.id
            let title = TerminalText.sanitize(node.title)
            let id = TerminalText.sanitize(node.id)
            var text: String?
            switch node.state {
            case .cached: text = "node \(id) \(title): cached"
            case .done: text = "node \(id) \(title): done"
            case .failed: text = "node \(id) \(title): failed"
            case .running:
                if let v = node.value, let m = node.max, m > 1 {
                    let percent = Format.count(v / m * 100)
                    // At most one step line a second per node, plus the last step.
                    if v < m, let last = lastPlainTime[key], Date().timeIntervalSince(last) < 1 { continue }
                    text = "node \(id) \(title): \(Format.count(v))/\(Format.count(m)) (\(percent)%)"
                } else {
                    text = "node \(id) \(title): running"
                }
            case .pending, .unknown: text = nil
            }
            if let text, lastPlain[key] != text {
                lastPlain[key] = text
                lastPlainTime[key] = Date()
                write(text + "\n")
            }
        }
    }
}

extension Format {
    /// A count from the wire (steps, a percentage) as whole digits; "?" for what no count can be (NaN, ±∞, or
    /// beyond what an integer holds).
    static func count(_ value: Double) -> String {
        guard value.isFinite, abs(value) < 1e15 else { return "?" }
        return String(Int(value.rounded(.down)))
    }
}

/// Ctrl-C: runs `handler` once on SIGINT instead of dying mid-write.
final class InterruptSignal: @unchecked Sendable {
    private var source: (any DispatchSourceSignal)?

    init(_ handler: @escaping @Sendable () -> Void) {
        signal(SIGINT, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
        source.setEventHandler(handler: handler)
        source.resume()
        self.source = source
    }

    func cancel() {
        source?.cancel()
        source = nil
        signal(SIGINT, SIG_DFL)
    }
}
