import ComfyJSON
import Foundation

/// The `/api/jobs` family of newer servers (v0.6.0+; cancel routes v0.26.0+), served with `--jobs-api` or
/// `--server-version current`, after `comfy_execution/jobs.py` (172be438): `prune_dict` drops None values, so a
/// key that has no value is absent, never null.
extension MockEngine {
    /// `normalize_queue_item`: the workflow only for one job's detail.
    private func job(_ item: QueueItem, status: String, detailed: Bool = false) -> JSONValue {
        var pairs: [(String, JSONValue)] = [
            ("id", .string(item.promptID)), ("status", .string(status)), ("priority", item.number),
        ]
        pairs.append(("create_time", Self.createTime(item)))
        pairs.append(("outputs_count", 0))
        pairs.append(("previewable_outputs_count", 0))
        if let workflowID = item.extraData["extra_pnginfo"]?["workflow"]?["id"], !workflowID.isNull {
            pairs.append(("workflow_id", workflowID))
        }
        if detailed {
            pairs.append(("workflow", .obj(("prompt", item.prompt), ("extra_data", item.extraData))))
        }
        return .object(pairs)
    }

    private func job(_ entry: HistoryEntry, detailed: Bool) -> JSONValue {
        let interrupted = entry.messages.contains { $0[0]?.stringValue == "execution_interrupted" }
        let status = entry.statusString == "success" ? "completed" : (interrupted ? "cancelled" : "failed")
        var pairs: [(String, JSONValue)] = [
            ("id", .string(entry.item.promptID)), ("status", .string(status)), ("priority", entry.item.number),
        ]
        pairs.append(("create_time", Self.createTime(entry.item)))
        if let start = entry.startedAt { pairs.append(("execution_start_time", .int(start))) }
        if let end = entry.endedAt { pairs.append(("execution_end_time", .int(end))) }
        if let error = entry.messages.first(where: { $0[0]?.stringValue == "execution_error" })?[1] {
            pairs.append(("execution_error", error))
        }
        var files: [(String, JSONValue)] = []
        for (node, ui) in entry.outputs {
            for (kind, list) in ui.objectValue ?? [] {
                for file in list.arrayValue ?? [] where file["filename"] != nil {
                    files.append((kind, file.setting("nodeId", .string(node)).setting("mediaType", .string(kind))))
                }
            }
        }
        pairs.append(("outputs_count", .int(files.count)))
        pairs.append(("previewable_outputs_count", .int(files.count)))
        if let preview = files.first(where: { $0.1["type"]?.stringValue == "output" }) ?? files.first {
            pairs.append(("preview_output", preview.1))
        }
        if let workflowID = entry.item.extraData["extra_pnginfo"]?["workflow"]?["id"] {
            pairs.append(("workflow_id", workflowID))
        }
        if detailed {
            pairs.append(("outputs", .object(entry.outputs)))
            pairs.append(
                ("execution_status", entry.json["status"] ?? .null))
            pairs.append(("workflow", .obj(("prompt", entry.item.prompt), ("extra_data", entry.item.extraData))))
        }
        return .object(pairs)
    }

    /// `extra_data.create_time` (stamped by `POST /prompt` on these servers; seeded runs have the time they were
    /// made).
    private static func createTime(_ item: QueueItem) -> JSONValue {
        if let created = item.extraData["create_time"], !created.isNull { return created }
        return .int(item.createTime)
    }

    private static let validStatuses = ["pending", "in_progress", "completed", "failed", "cancelled"]

    /// `GET /api/jobs`.
    func listJobs(query: [String: String]) -> MockResponse {
        func bad(_ message: String) -> MockResponse { .json(.obj(("error", .string(message))), status: 400) }
        var wanted = Set(Self.validStatuses)
        if let status = query["status"], !status.isEmpty {
            let requested = status.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
                .filter { !$0.isEmpty }
            let invalid = requested.filter { !Self.validStatuses.contains($0) }
            guard invalid.isEmpty else {
                return bad(
                    "Invalid status value(s): \(invalid.joined(separator: ", ")). Valid values: \(Self.validStatuses.joined(separator: ", "))"
                )
            }
            wanted = Set(requested)
        }
        let sortBy = (query["sort_by"] ?? "created_at").lowercased()
        guard ["created_at", "execution_duration"].contains(sortBy) else {
            return bad("sort_by must be 'created_at' or 'execution_duration'")
        }
        let order = (query["sort_order"] ?? "desc").lowercased()
        guard ["asc", "desc"].contains(order) else { return bad("sort_order must be 'asc' or 'desc'") }
        var limit: Int?
        if let raw = query["limit"] {
            guard let value = Int(raw) else { return bad("limit must be an integer") }
            guard value > 0 else { return bad("limit must be a positive integer") }
            limit = value
        }
        var offset = 0
        if let raw = query["offset"] {
            guard let value = Int(raw) else { return bad("offset must be an integer") }
            offset = max(0, value)
        }
        // `apply_sorting`: create_time (0 when absent), or end - start when both are there (else 0).
        func keys(_ job: JSONValue) -> (JSONValue, Double, Double) {
            let start = job["execution_start_time"]?.doubleValue ?? 0
            let end = job["execution_end_time"]?.doubleValue ?? 0
            return (job, job["create_time"]?.doubleValue ?? 0, start != 0 && end != 0 ? end - start : 0)
        }
        var jobs: [(JSONValue, Double, Double)] = []
        if let running { jobs.append(keys(job(running, status: "in_progress"))) }
        for item in pending { jobs.append(keys(job(item, status: "pending"))) }
        for id in history.order {
            guard let entry = history.entries[id] else { continue }
            jobs.append(keys(job(entry, detailed: false)))
        }
        jobs = jobs.filter { wanted.contains($0.0["status"]?.stringValue ?? "") }
        if let workflowID = query["workflow_id"], !workflowID.isEmpty {
            jobs = jobs.filter { $0.0["workflow_id"]?.stringValue == workflowID }
        }
        jobs.sort { a, b in
            let (x, y) = sortBy == "created_at" ? (a.1, b.1) : (a.2, b.2)
            return order == "asc" ? x < y : x > y
        }
        let total = jobs.count
        let page = Array(jobs.dropFirst(offset).prefix(limit ?? Int.max)).map(\.0)
        return .json(
            .obj(
                ("jobs", .array(page)),
                (
                    "pagination",
                    .obj(
                        ("offset", .int(offset)), ("limit", limit.map { .int($0) } ?? .null), ("total", .int(total)),
                        ("has_more", .bool(offset + page.count < total)))
                )))
    }

    /// `GET /api/jobs/{id}`.
    func getJob(_ id: String) -> MockResponse {
        if let entry = history.entries[id] { return .json(job(entry, detailed: true)) }
        if let running, running.promptID == id { return .json(job(running, status: "in_progress", detailed: true)) }
        if let item = pending.first(where: { $0.promptID == id }) {
            return .json(job(item, status: "pending", detailed: true))
        }
        return .json(.obj(("error", "Job not found")), status: 404)
    }

    /// `POST /api/jobs/{id}/cancel`: running → interrupt, pending → dequeued, otherwise false.
    func cancelJob(_ id: String) -> Bool {
        if running?.promptID == id {
            interruptFlag = true
            return true
        }
        if let index = pending.firstIndex(where: { $0.promptID == id }) {
            pending.remove(at: index)
            broadcastStatus()
            return true
        }
        return false
    }

    func cancelJobs(body: [UInt8]) -> MockResponse {
        guard let json = try? JSONValue.parse(body) else {
            return .json(.obj(("error", "Request body must be valid JSON")), status: 400)
        }
        guard let ids = json["job_ids"]?.arrayValue else {
            return .json(.obj(("error", "job_ids must be a list")), status: 400)
        }
        let invalid = ids.filter { UUID(uuidString: $0.pythonStr) == nil || $0.pythonStr != $0.pythonStr.lowercased() }
        guard invalid.isEmpty else {
            return .json(
                .obj(("error", "job_ids contains invalid id(s)"), ("invalid_ids", .array(invalid))), status: 400)
        }
        var any = false
        for id in ids where cancelJob(id.pythonStr) { any = true }
        return .json(.obj(("cancelled", .bool(any))))
    }
}
