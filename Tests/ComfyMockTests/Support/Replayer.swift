import ComfyJSON
import ComfyMock
import ComfyTestSupport
import Foundation

/// Drives the mock as the recorder drove the real server: the same sockets, the same HTTP requests, at the same
/// points of the conversation, so what each client receives can be compared with the transcript.
final class Replayer {
    let harness: MockHarness
    var sockets: [String: TestSocket] = [:]
    /// Fixture value -> mock value (prompt ids and output file names), learned from parallel responses.
    var substitutions: [String: String] = [:]
    var httpResults: [(event: JSONValue, result: MockHarness.HTTPResult)] = []

    init(harness: MockHarness) { self.harness = harness }

    func replay(_ transcript: Transcript) async throws {
        let events = transcript.events
        for (index, event) in events.enumerated() {
            switch event["kind"]?.stringValue {
            case "ws_open":
                guard let client = event["client"]?.stringValue, let path = event["path"]?.stringValue else { continue }
                sockets[client] = TestSocket(baseURL: harness.baseURL, path: path)
            case "ws_send":
                guard let client = event["client"]?.stringValue, let text = event["text"]?.stringValue else { continue }
                sockets[client]?.send(text)
            case "ws_send_close":
                try await catchUp(events, before: index)
                if let client = event["client"]?.stringValue { await sockets[client]?.close() }
            case "http":
                try await catchUp(events, before: index)
                let result = try await perform(event)
                httpResults.append((event, result))
            default:
                continue
            }
        }
        for socket in sockets.values { await socket.close() }
    }

    /// Waits until every open socket has received as many frames as its recorded twin had when the event at
    /// `index` started (by `t_ms`: an HTTP event is stored when its answer arrives, after frames it caused).
    private func catchUp(_ events: [JSONValue], before index: Int) async throws {
        let start = events[index]["t_ms"]?.doubleValue ?? .infinity
        for (client, socket) in sockets where !socket.isClosed {
            let expected = events[..<index].filter {
                $0["kind"]?.stringValue == "ws_recv" && $0["client"]?.stringValue == client
                    && ($0["t_ms"]?.doubleValue ?? 0) < start
            }.count
            try await socket.waitForCount(expected, seconds: 20)
        }
    }

    func substitute(_ text: String) -> String {
        var out = text
        for (from, to) in substitutions where from != to { out = out.replacingOccurrences(of: from, with: to) }
        return out
    }

    private func perform(_ event: JSONValue) async throws -> MockHarness.HTTPResult {
        let method = event["method"]?.stringValue ?? "GET"
        let path = substitute(event["path"]?.stringValue ?? "/")
        var body: [UInt8]?
        if let json = event["request_json"] { body = Array(substitute(json.pythonJSON).utf8) }
        let result = try await harness.request(method, path, body: body)
        if let expected = event["response_json"], let actual = result.json { learn(expected, actual) }
        return result
    }

    /// Records fixture -> mock values for `prompt_id` and `filename` leaves found at the same place.
    private func learn(_ expected: JSONValue, _ actual: JSONValue) {
        switch (expected, actual) {
        case let (.object(e), .object(a)):
            for (key, value) in e {
                if ["prompt_id", "filename"].contains(key), let from = value.stringValue,
                    let to = a.first(where: { $0.0 == key })?.1.stringValue
                {
                    substitutions[from] = to
                } else if let other = a.first(where: { $0.0 == key })?.1 {
                    learn(value, other)
                } else if e.count == 1, a.count == 1, let only = a.first {
                    learn(value, only.1)
                }
            }
        case let (.array(e), .array(a)):
            for (x, y) in zip(e, a) { learn(x, y) }
        default:
            break
        }
    }
}

/// Structural comparison: same JSON types and the same keys, recursively; values may differ.
func shapeDifferences(_ expected: JSONValue, _ actual: JSONValue, path: String = "$") -> [String] {
    switch (expected, actual) {
    case (.object(let e), .object(let a)):
        let ek = Set(e.map(\.0)), ak = Set(a.map(\.0))
        var diffs: [String] = []
        if ek != ak {
            diffs.append("\(path): keys \(ek.sorted()) != \(ak.sorted())")
            return diffs
        }
        for (key, value) in e {
            if let other = a.first(where: { $0.0 == key })?.1 {
                diffs += shapeDifferences(value, other, path: "\(path).\(key)")
            }
        }
        return diffs
    case (.array(let e), .array(let a)):
        if let first = e.first, let other = a.first { return shapeDifferences(first, other, path: "\(path)[0]") }
        return []
    case (.int, .int), (.double, .double), (.int, .double), (.double, .int), (.string, .string), (.bool, .bool),
        (.null, _), (_, .null):
        // A value that is null on one server may be set on another (a CPU device has no index, a GPU has one).
        return []
    default:
        return ["\(path): \(expected.pythonJSON.prefix(60)) vs \(actual.pythonJSON.prefix(60))"]
    }
}
