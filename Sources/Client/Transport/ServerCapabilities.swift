import ComfyJSON
import Foundation
import NIOHTTP1

/// What a server can do, probed at connect: its version, `/features`, and whether it has `/api/jobs`.
public struct ServerCapabilities: Sendable, Equatable {
    /// `system.comfyui_version`, e.g. "0.3.64" (nil on servers older than 0.2.0).
    public var version: String?
    public var features: JSONValue?
    public var hasJobsAPI: Bool

    public init(version: String?, features: JSONValue?, hasJobsAPI: Bool) {
        self.version = version
        self.features = features
        self.hasJobsAPI = hasJobsAPI
    }

    /// The version as numbers ("v0.2.7-12-gabc" and "0.3.64" both parse), or nil.
    public var versionNumbers: [Int]? {
        guard var text = version else { return nil }
        if text.hasPrefix("v") { text.removeFirst() }
        let core = text.split(separator: "-").first ?? ""
        let parts = core.split(separator: ".").compactMap { Int($0) }
        return parts.isEmpty ? nil : parts
    }

    /// True when the server is at least `minimum` (unknown versions count as old).
    public func atLeast(_ minimum: [Int]) -> Bool {
        guard let have = versionNumbers else { return false }
        for (a, b) in zip(have + Array(repeating: 0, count: max(0, minimum.count - have.count)), minimum) where a != b {
            return a > b
        }
        return true
    }

    /// `POST /interrupt {"prompt_id"}` is honoured from 0.3.57; before, any interrupt stops whatever runs.
    public var targetedInterrupt: Bool { atLeast([0, 3, 57]) }
    /// `/history?offset=` from 0.3.60.
    public var historyOffset: Bool { atLeast([0, 3, 60]) }
    /// Type-4 previews and `progress_state` from 0.3.45.
    public var previewMetadata: Bool { features?["supports_preview_metadata"]?.isTruthy ?? false }
}

extension ComfyAPI {
    /// Probes version, features and the jobs API. Each part that fails is left unknown rather than failing all.
    public func probe() async throws(ComfyError) -> ServerCapabilities {
        let stats = try await systemStats()
        let features = try? await self.features()
        let jobs = (try? await self.jobs(query: [("limit", "1")])) != nil
        return ServerCapabilities(version: stats.comfyUIVersion, features: features ?? nil, hasJobsAPI: jobs)
    }

    /// Cancels a job: through `/api/jobs/{id}/cancel` where the server has it, else `/queue` delete or
    /// `/interrupt`. Returns whether something was cancelled.
    public func cancel(promptID: String, capabilities: ServerCapabilities) async throws(ComfyError) -> Bool {
        if capabilities.hasJobsAPI {
            let reply = try await send(.POST, "/api/jobs/\(Endpoint.encode(promptID))/cancel", body: Array("{}".utf8))
            if reply.status != 404, let json = try? decodeJSON(reply, path: "/api/jobs/{id}/cancel") {
                return json["cancelled"]?.boolValue ?? false
            }
        }
        let queue = try await queue()
        if queue.pending.contains(where: { $0.promptID == promptID }) {
            try await deleteFromQueue([promptID])
            return true
        }
        if queue.running.first?.promptID == promptID {
            try await interrupt(promptID: capabilities.targetedInterrupt ? promptID : nil)
            return true
        }
        return false
    }
}
