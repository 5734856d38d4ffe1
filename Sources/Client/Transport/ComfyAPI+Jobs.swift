import ComfyJSON
import Foundation
import NIOHTTP1

/// The typed `/api/jobs` routes of newer servers (`server.py`: `get_jobs`, `get_job_by_id`). Callers check
/// `ServerCapabilities.hasJobsAPI` (or a nil answer) and fall back to `/queue` + `/history` on older servers.
extension ComfyAPI {
    /// Sort orders of `GET /api/jobs`.
    public enum JobSort: String, Sendable {
        case createdAt = "created_at"
        case executionDuration = "execution_duration"
    }

    /// `GET /api/jobs`: one page, newest first unless `ascending`; nil when the server has no jobs API.
    public func jobPage(
        statuses: [JobInfo.Status] = [], workflowID: String? = nil, sort: JobSort = .createdAt,
        ascending: Bool = false, limit: Int? = nil, offset: Int = 0
    ) async throws(ComfyError) -> JobPage? {
        var query: [(String, String)] = []
        let named = statuses.filter { $0 != .other }.map(\.rawValue)
        if !named.isEmpty { query.append(("status", named.joined(separator: ","))) }
        if let workflowID { query.append(("workflow_id", workflowID)) }
        query.append(("sort_by", sort.rawValue))
        query.append(("sort_order", ascending ? "asc" : "desc"))
        if let limit { query.append(("limit", String(max(1, limit)))) }
        if offset > 0 { query.append(("offset", String(offset))) }
        let reply = try await send(.GET, "/api/jobs", query: query)
        if reply.status == 404 || reply.status == 405 { return nil }
        let json = try decodeJSON(reply, path: "/api/jobs")
        guard json["jobs"]?.arrayValue != nil else { return nil }
        return JobPage(json)
    }

    /// `GET /api/jobs/{id}`. `.found` with the job; `.notFound` when the server has the API but not the job;
    /// `.noJobsAPI` on older servers (their 404 is not the API's JSON error).
    public func job(_ id: String) async throws(ComfyError) -> JobLookup {
        let path = "/api/jobs/\(Endpoint.encode(id))"
        let reply = try await send(.GET, path)
        if reply.status == 404 || reply.status == 405 {
            return reply.json?["error"]?.stringValue != nil ? .notFound : .noJobsAPI
        }
        let json = try decodeJSON(reply, path: "/api/jobs/{id}")
        guard let job = JobInfo(json) else { return .noJobsAPI }
        return .found(job)
    }

    public enum JobLookup: Sendable, Equatable {
        case found(JobInfo)
        case notFound
        case noJobsAPI
    }
}
