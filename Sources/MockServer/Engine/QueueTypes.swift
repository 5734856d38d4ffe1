import ComfyJSON
import Foundation

/// One queued prompt: the tuple ComfyUI keeps, `[number, prompt_id, prompt, extra_data, outputs_to_execute]`.
struct QueueItem: Sendable {
    let number: JSONValue
    let promptID: String
    let prompt: JSONValue
    let extraData: JSONValue
    let outputs: [String]
    let queuedAt: ContinuousClock.Instant
    let createTime: Int

    var sortKey: Double { number.doubleValue ?? 0 }

    var tuple: JSONValue {
        .array([number, .string(promptID), prompt, extraData, .array(outputs.map { .string($0) })])
    }

    /// The client_id the executor routes to: absent or null means "no client" (broadcast rules apply).
    var clientID: String? {
        guard let value = extraData["client_id"], !value.isNull else { return nil }
        return value.pythonStr
    }

    static func precedes(_ a: QueueItem, _ b: QueueItem) -> Bool {
        a.sortKey != b.sortKey ? a.sortKey < b.sortKey : a.promptID < b.promptID
    }
}

/// A finished prompt, as `/history` shows it.
struct HistoryEntry: Sendable {
    let item: QueueItem
    var outputs: [(String, JSONValue)]
    var statusString: String
    var completed: Bool
    var messages: [JSONValue]
    var meta: [(String, JSONValue)]
    var startedAt: Int?
    var endedAt: Int?

    var json: JSONValue {
        .obj(
            ("prompt", item.tuple),
            ("outputs", .object(outputs)),
            (
                "status",
                .obj(
                    ("status_str", .string(statusString)), ("completed", .bool(completed)),
                    ("messages", .array(messages)))
            ),
            ("meta", .object(meta)))
    }
}

/// The history dict of `PromptQueue`: insertion ordered, oldest first, capped.
struct HistoryStore: Sendable {
    private(set) var order: [String] = []
    private(set) var entries: [String: HistoryEntry] = [:]
    let limit: Int

    init(limit: Int) { self.limit = limit }

    var count: Int { order.count }

    mutating func insert(_ entry: HistoryEntry) {
        let id = entry.item.promptID
        if entries[id] == nil {
            // As the real server: pop the oldest before inserting once over the cap (so at most limit + 1).
            if order.count > limit, let oldest = order.first {
                order.removeFirst()
                entries[oldest] = nil
            }
            order.append(id)
        }
        entries[id] = entry
    }

    mutating func delete(_ id: String) {
        guard entries.removeValue(forKey: id) != nil else { return }
        order.removeAll { $0 == id }
    }

    mutating func clear() {
        order = []
        entries = [:]
    }

    /// `PromptQueue.get_history` with its `max_items` / `offset` semantics.
    func page(maxItems: Int?, offset: Int) -> [HistoryEntry] {
        var start = offset
        if start < 0, let maxItems { start = order.count - maxItems }
        var out: [HistoryEntry] = []
        for (i, id) in order.enumerated() where i >= start {
            guard let entry = entries[id] else { continue }
            out.append(entry)
            if let maxItems, out.count >= maxItems { break }
        }
        return out
    }
}

/// A response the engine hands to the HTTP layer.
struct MockResponse: Sendable {
    var status: Int
    var contentType: String?
    var body: [UInt8]
    var headers: [(String, String)] = []

    static let jsonType = "application/json; charset=utf-8"

    static func json(_ value: JSONValue, status: Int = 200) -> MockResponse {
        MockResponse(status: status, contentType: jsonType, body: value.pythonJSONBytes(nonFinite: .python))
    }

    /// `web.Response(status=200)`: no body, no Content-Type.
    static let empty = MockResponse(status: 200, contentType: nil, body: [])

    /// `web.Response(status=N)`: a bare status, no body.
    static func status(_ code: Int) -> MockResponse { MockResponse(status: code, contentType: nil, body: []) }

    static func text(_ text: String, status: Int) -> MockResponse {
        MockResponse(status: status, contentType: "text/plain; charset=utf-8", body: Array(text.utf8))
    }

    /// What aiohttp answers when a handler raises (malformed JSON body, bad int in a query).
    static let serverError = text("500 Internal Server Error\n\nServer got itself in trouble", status: 500)
    static let notFound = text("404: Not Found", status: 404)
}
