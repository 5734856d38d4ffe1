import ComfyJSON
import Foundation
import NIOHTTP1

/// Typed calls for the routes a monitor or a script uses.
extension ComfyAPI {
    /// One `POST /prompt` (see `submit` in ComfyAPI+Submit.swift for the idempotent one). A 400 becomes
    /// `.validation` with one line per node; a 200 with `node_errors` comes back as warnings (those outputs were
    /// dropped, the rest is queued).
    func postPrompt(
        prompt: JSONValue, clientID: String?, front: Bool = false, number: Double? = nil,
        extraData: JSONValue? = nil, promptID: String? = nil, partialTargets: [String]? = nil
    ) async throws(ComfyError) -> PromptAccepted {
        var body: [(String, JSONValue)] = [("prompt", prompt)]
        if let clientID { body.append(("client_id", .string(clientID))) }
        if front { body.append(("front", true)) }
        if let number { body.append(("number", .double(number))) }
        if let extraData { body.append(("extra_data", extraData)) }
        if let promptID { body.append(("prompt_id", .string(promptID))) }
        if let partialTargets { body.append(("partial_execution_targets", .array(partialTargets.map { .string($0) }))) }
        let reply = try await send(
            .POST, "/prompt", body: JSONValue.object(body).pythonJSONBytes, headers: [Self.usageSourceHeader])
        let json = reply.json
        if reply.status == 400, let error = json?["error"] {
            throw ComfyError.validation(
                type: error["type"]?.stringValue ?? "invalid_prompt", message: error["message"]?.stringValue ?? "",
                details: error["details"]?.stringValue ?? "",
                nodes: NodeValidationError.list(json?["node_errors"] ?? .object([]))
            ).scrubbed(endpoint.scrub)
        }
        guard (200..<300).contains(reply.status) else { throw statusError(reply, path: "/prompt") }
        guard let json, let id = json["prompt_id"]?.stringValue else {
            throw ComfyError.protocolViolation(
                url: endpoint.displayURL + "/prompt", detail: "no prompt_id in the answer")
        }
        return PromptAccepted(
            promptID: id, number: WireNumber.finite(json["number"], or: 0),
            warnings: NodeValidationError.list(json["node_errors"] ?? .object([])))
    }

    public func queue() async throws(ComfyError) -> QueueSnapshot { QueueSnapshot(try await getJSON("/queue")) }

    /// `GET /prompt`: how many prompts are queued or running.
    public func queueRemaining() async throws(ComfyError) -> Int {
        WireNumber.count(try await getJSON("/prompt")["exec_info"]?["queue_remaining"]) ?? 0
    }

    public func deleteFromQueue(_ ids: [String]) async throws(ComfyError) {
        try await postExpectingOK("/queue", .obj(("delete", .array(ids.map { .string($0) }))))
    }

    public func clearQueue() async throws(ComfyError) { try await postExpectingOK("/queue", .obj(("clear", true))) }

    /// `POST /interrupt`, for one prompt (servers ≥ 0.3.57 honour the id) or whatever runs.
    public func interrupt(promptID: String? = nil) async throws(ComfyError) {
        try await postExpectingOK("/interrupt", promptID.map { .obj(("prompt_id", .string($0))) } ?? .object([]))
    }

    /// `GET /history` (oldest first). `offset` needs a server ≥ 0.3.60.
    public func history(maxItems: Int? = nil, offset: Int? = nil) async throws(ComfyError) -> [HistoryItem] {
        var query: [(String, String)] = []
        if let maxItems { query.append(("max_items", String(maxItems))) }
        if let offset { query.append(("offset", String(offset))) }
        return try await getHistory("/history", query: query)
    }

    /// `GET /history/{id}`: nil while the prompt is queued or running, or when the id is unknown.
    public func history(promptID: String) async throws(ComfyError) -> HistoryItem? {
        try await getHistory("/history/\(Endpoint.encode(promptID))", query: []).first { $0.promptID == promptID }
    }

    /// A `/history` body, read lazily (see `HistoryItem.list(body:)`).
    func getHistory(_ path: String, query: [(String, String)]) async throws(ComfyError) -> [HistoryItem] {
        try decode(try await send(.GET, path, query: query), path: path) { body throws(JSONParseError) in
            try HistoryItem.list(body: body)
        }
    }

    public func deleteHistory(_ ids: [String]) async throws(ComfyError) {
        try await postExpectingOK("/history", .obj(("delete", .array(ids.map { .string($0) }))))
    }

    public func clearHistory() async throws(ComfyError) { try await postExpectingOK("/history", .obj(("clear", true))) }

    /// `GET /view`: a file's bytes. `preview` asks the server for a re-encoded thumbnail (`"webp;50"`).
    public func view(_ file: OutputFile, preview: String? = nil) async throws(ComfyError) -> [UInt8] {
        var query = [("filename", file.filename), ("subfolder", file.subfolder), ("type", file.type)]
        if let preview { query.append(("preview", preview)) }
        let reply = try await send(.GET, "/view", query: query)
        guard reply.status == 200 else {
            if reply.status == 404 {
                throw ComfyError.notFound(
                    url: "\(endpoint.displayURL)/view of \(file.type)/\(file.subfolder)/\(file.filename)")
            }
            throw statusError(reply, path: "/view")
        }
        return reply.body
    }

    /// A file's size from `HEAD /view` (nil when the server does not say).
    public func fileSize(_ file: OutputFile) async throws(ComfyError) -> Int? {
        let reply = try await send(
            .HEAD, "/view", query: [("filename", file.filename), ("subfolder", file.subfolder), ("type", file.type)])
        guard reply.status == 200 else { return nil }
        return reply.contentLength
    }

    public func systemStats() async throws(ComfyError) -> SystemStats {
        SystemStats(try await getJSON("/system_stats"))
    }

    /// `GET /object_info` or one class; nil for an unknown class.
    public func objectInfo(_ nodeClass: String? = nil) async throws(ComfyError) -> JSONValue? {
        guard let nodeClass else { return try await getJSON("/object_info") }
        let json = try await getJSON("/object_info/\(Endpoint.encode(nodeClass))")
        return json[nodeClass]
    }

    /// `GET /features` (servers ≥ 0.3.45); nil on older servers.
    public func features() async throws(ComfyError) -> JSONValue? {
        let reply = try await send(.GET, "/features")
        if reply.status == 404 { return nil }
        return try decodeJSON(reply, path: "/features")
    }

    public func models(_ folder: String? = nil) async throws(ComfyError) -> [String] {
        let json = try await getJSON(folder.map { "/models/\(Endpoint.encode($0))" } ?? "/models")
        return json.arrayValue?.compactMap(\.stringValue) ?? []
    }

    public func embeddings() async throws(ComfyError) -> [String] {
        try await getJSON("/embeddings").arrayValue?.compactMap(\.stringValue) ?? []
    }

    /// `POST /free`: unload models and/or free memory after the current prompt.
    public func free(unloadModels: Bool, freeMemory: Bool) async throws(ComfyError) {
        try await postExpectingOK(
            "/free", .obj(("unload_models", .bool(unloadModels)), ("free_memory", .bool(freeMemory))))
    }

    /// `GET /internal/logs/raw`: the last lines the server printed.
    public func logs() async throws(ComfyError) -> [LogEntry] {
        let json = try await getJSON("/internal/logs/raw")
        return (json["entries"]?.arrayValue ?? []).map {
            LogEntry(time: $0["t"]?.stringValue ?? "", message: $0["m"]?.stringValue ?? "")
        }
    }

    /// `PATCH /internal/logs/subscribe` for our own socket id.
    public func subscribeLogs(clientID: String, enabled: Bool) async throws(ComfyError) {
        let reply = try await send(
            .PATCH, "/internal/logs/subscribe",
            body: JSONValue.obj(("clientId", .string(clientID)), ("enabled", .bool(enabled))).pythonJSONBytes)
        guard (200..<300).contains(reply.status) else { throw statusError(reply, path: "/internal/logs/subscribe") }
    }

    /// `GET /api/jobs` where the server has it (≥ 0.6.0); nil on older servers.
    public func jobs(query: [(String, String)] = []) async throws(ComfyError) -> JSONValue? {
        let reply = try await send(.GET, "/api/jobs", query: query)
        if reply.status == 404 { return nil }
        return try decodeJSON(reply, path: "/api/jobs")
    }
}
