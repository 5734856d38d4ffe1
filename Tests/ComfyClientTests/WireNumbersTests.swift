import ComfyJSON
import Foundation
import Testing

@testable import ComfyClient

/// Numbers a hostile or buggy server can send where a number goes: none of them may trap anything.
@Suite("Numbers from the wire are range-checked where they are converted")
struct WireNumbersTests {
    static let hugeOrNonFinite = [
        "1e19", "1e308", "-1e308", "NaN", "Infinity", "-Infinity", "1e20",
        "99999999999999999999", "9223372036854775807", "-9223372036854775808", "-1", "2.5",
    ]

    /// Decodes with the connection decoder (fast path first), the general decoder and the byte entry point.
    static func decodeAllWays(_ text: String) -> ServerEvent {
        var decoder = FrameDecoder()
        let viaFrames = decoder.decode(text: text)
        let general = EventDecoder.decodeGeneral(text: text)
        #expect(viaFrames == general, "\(text)")
        #expect(EventDecoder.decode(bytes: Array(text.utf8)) == general, "\(text)")
        if let fast = FastEventDecoder.decode(Array(text.utf8)) { #expect(fast == general, "\(text)") }
        return general
    }

    static func isMalformed(_ event: ServerEvent) -> Bool {
        if case .malformed = event { return true }
        return false
    }

    @Test("a status with an unusable queue_remaining is malformed, not a trap", arguments: hugeOrNonFinite)
    func status(number: String) {
        let text =
            #"{"type": "status", "data": {"status": {"exec_info": {"queue_remaining": \#(number)}}, "sid": "s"}}"#
        let event = Self.decodeAllWays(text)
        #expect(Self.isMalformed(event), "\(event)")
        if case .malformed(let reason, _) = event, number != "2.5" { #expect(reason.contains("out of range")) }
    }

    @Test("a status with a plausible queue length still decodes, on the fast path too")
    func statusFine() {
        let text = #"{"type": "status", "data": {"status": {"exec_info": {"queue_remaining": 3}}, "sid": "s"}}"#
        #expect(Self.decodeAllWays(text) == .status(queueRemaining: 3, sid: "s"))
        #expect(FastEventDecoder.decode(Array(text.utf8)) != nil)
    }

    @Test(
        "a progress frame with a non-finite or huge value or max is malformed",
        arguments: [
            ("NaN", "20"), ("1", "Infinity"), ("1e20", "20"), ("-Infinity", "20"), ("3", "1e308"), ("1e400", "5"),
        ])
    func progress(value: String, max: String) {
        let text = #"{"type": "progress", "data": {"value": \#(value), "max": \#(max), "prompt_id": "p", "node": "3"}}"#
        let event = Self.decodeAllWays(text)
        #expect(Self.isMalformed(event), "\(event)")
    }

    @Test("a progress_state with a non-finite node value is malformed; the fast decoder agrees")
    func progressState() {
        for number in ["NaN", "Infinity", "1e300"] {
            let text =
                #"{"type": "progress_state", "data": {"prompt_id": "p", "nodes": {"3": {"value": \#(number), "#
                + #""max": 20, "state": "running", "node_id": "3", "prompt_id": "p", "display_node_id": "3", "#
                + #""parent_node_id": null, "real_node_id": "3"}}}}"#
            #expect(Self.isMalformed(Self.decodeAllWays(text)), "\(number)")
        }
    }

    @Test(
        "timestamps at the limits of Int64 are dropped; the event stays",
        arguments: [
            "9223372036854775807", "-9223372036854775808", "1e300", "NaN", "-1",
        ])
    func timestamps(number: String) {
        let start = Self.decodeAllWays(
            #"{"type": "execution_start", "data": {"prompt_id": "p", "timestamp": \#(number)}}"#)
        #expect(start == .executionStart(promptID: "p", timestamp: nil))
        let error = Self.decodeAllWays(
            #"{"type": "execution_error", "data": {"prompt_id": "p", "node_id": "1", "timestamp": \#(number)}}"#)
        guard case .executionError(let info) = error else {
            Issue.record("\(error)")
            return
        }
        #expect(info.timestamp == nil)
    }

    static func historyItem(start: String, end: String) throws -> HistoryItem {
        let body =
            #"{"p": {"prompt": [1, "p", {}, {"create_time": \#(start)}, ["9"]], "#
            + #""outputs": {"9": {"images": [{"filename": "a.png", "subfolder": "", "type": "output"}]}}, "#
            + #""status": {"status_str": "success", "completed": true, "messages": ["#
            + #"["execution_start", {"prompt_id": "p", "timestamp": \#(start)}], "#
            + #"["execution_success", {"prompt_id": "p", "timestamp": \#(end)}]]}}}"#
        let lazy = try HistoryItem.list(body: Array(body.utf8))
        let whole = HistoryItem.list(try JSONValue.parse(body))
        #expect(lazy == whole)
        #expect(lazy.count == 1)
        guard let item = lazy.first else { throw HistoryTestError() }
        #expect(whole.first?.durationMS == item.durationMS)
        return item
    }

    struct HistoryTestError: Error {}

    @Test(
        "a /history entry with absurd timestamps keeps its outputs and drops the times",
        arguments: [
            ("-9223372036854775808", "9223372036854775807"), ("9223372036854775807", "9223372036854775807"),
            ("NaN", "Infinity"), ("1e300", "-1e300"), ("0", "9223372036854775807"),
        ])
    func absurdHistory(start: String, end: String) throws {
        let item = try Self.historyItem(start: start, end: end)
        #expect(item.outputs.count == 1)
        #expect(item.outcome == .success)
        #expect(item.durationSeconds == nil)
        #expect(item.durationMS == nil)
        #expect(item.endDate == nil)
        #expect(item.queue?.createTime == nil || start == "0")
    }

    @Test("a plausible /history entry has its dates and duration")
    func plausibleHistory() throws {
        let item = try Self.historyItem(start: "1760250000200", end: "1760250007480")
        #expect(item.durationMS == 7280)
        #expect(item.durationSeconds == 7.28)
        #expect(item.startDate == Date(timeIntervalSince1970: 1_760_250_000.2))
        #expect(item.endDate == Date(timeIntervalSince1970: 1_760_250_007.48))
        #expect(item.queue?.createTime == 1_760_250_000_200)
        let backwards = try Self.historyItem(start: "1760250007480", end: "1760250000200")
        #expect(backwards.durationSeconds == nil)
        #expect(backwards.startDate != nil)
    }

    @Test("queue numbers, memory sizes and timeouts that do not fit are read safely")
    func otherNumbers() throws {
        let queue = QueueSnapshot(
            try JSONValue.parse(
                #"{"queue_running": [], "queue_pending": [[NaN, "a", {}, {}, []], [Infinity, "b", {}, {}, []], "#
                    + #"[1, "c", {}, {"create_time": 1e300}, []]]}"#))
        #expect(queue.pending.map(\.promptID) == ["a", "c", "b"])
        #expect(queue.pending.allSatisfy { Int(exactly: $0.number.rounded()) != nil })
        #expect(queue.pending.allSatisfy { $0.number.isFinite && $0.createTime == nil })
        let stats = SystemStats(
            try JSONValue.parse(
                #"{"system": {"ram_total": 1e300, "ram_free": -9223372036854775808}, "devices": [{"name": "x", "#
                    + #""type": "cuda", "vram_total": 9223372036854775807, "vram_free": NaN}]}"#))
        #expect(stats.ramTotal == nil && stats.ramFree == nil)
        #expect(stats.devices.first?.vramTotal == 0 && stats.devices.first?.vramFree == 0)
        #expect(ComfyAPI.milliseconds(.nan) == 86_400_000)
        #expect(ComfyAPI.milliseconds(1e300) == 86_400_000)
        #expect(ComfyAPI.milliseconds(2.5) == 2500)
        #expect(ComfyError.timeout(url: "http://x", seconds: 1e300).description.contains("did not answer"))
        #expect(WireNumber.int(.nan) == nil && WireNumber.int(1e20) == nil && WireNumber.int(-3.9) == -3)
    }
}
