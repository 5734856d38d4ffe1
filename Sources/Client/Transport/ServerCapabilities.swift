import ComfyJSON
import Foundation
import NIOHTTP1

/// What a server can do, found by asking it (`probe()`): the routes it answers and the flags it declares. Every
/// decision in comfytop reads these, never the version number, because forks, backports and custom builds make
/// a version a poor guide. The version is kept for display only.
public struct ServerCapabilities: Sendable, Equatable {
    /// `system.comfyui_version`, e.g. "0.3.64" (nil on servers older than 0.2.0). Shown, never compared.
    public var version: String?
    /// The `/features` object; nil when the server has no such route (before 0.3.45).
    public var features: JSONValue?
    /// `GET /api/jobs?limit=1` answered with a job list (servers with `comfy_execution/jobs.py`).
    public var hasJobsAPI: Bool
    /// The devices of `/system_stats` (newer servers list every torch device, the primary first).
    public var devices: [SystemStats.Device]
    /// `system.os` (`posix`/`nt` on older servers, `sys.platform` on newer ones).
    public var os: String?
    /// `system.deploy_environment` of newer servers (e.g. "local-git"), nil elsewhere.
    public var deployEnvironment: String?
    /// Whether the server keeps a prompt_id chosen by the client: learned from `POST /prompt` answers (see
    /// `ComfyAPI.submit`), `.unknown` until then unless the jobs API says so.
    public var clientPromptID: ClientPromptID

    public init(
        version: String?, features: JSONValue?, hasJobsAPI: Bool, devices: [SystemStats.Device] = [],
        os: String? = nil, deployEnvironment: String? = nil, clientPromptID: ClientPromptID = .unknown
    ) {
        self.version = version
        self.features = features
        self.hasJobsAPI = hasJobsAPI
        self.devices = devices
        self.os = os
        self.deployEnvironment = deployEnvironment
        self.clientPromptID = clientPromptID
    }

    /// What a server does with `POST /prompt {"prompt_id": ...}`.
    public enum ClientPromptID: String, Sendable, Equatable {
        /// Not known yet.
        case unknown
        /// The answer carried our id back: a retry can look the job up by it.
        case honoured
        /// The answer carried another id: the server mints its own; a dropped POST cannot be looked up.
        case ignored
    }

    /// The server answers `/features` (and negotiates `feature_flags` on the socket).
    public var hasFeatures: Bool { features != nil }

    /// A declared boolean flag (`"supports_preview_metadata"`, or a path: `"extension.manager.supports_v4"`).
    public func flag(_ path: String) -> Bool {
        var value = features
        for key in path.split(separator: ".") { value = value?[String(key)] }
        return value?.boolValue == true
    }

    /// Type-4 previews (with node and prompt ids) for prompts we submit.
    public var previewMetadata: Bool { flag("supports_preview_metadata") }
    /// `max_upload_size` in bytes (a float on servers whose `--max-upload-size` is one); nil when not declared.
    public var maxUploadSize: Int? {
        guard let value = features?["max_upload_size"], let d = WireNumber.step(value), d >= 0 else { return nil }
        return WireNumber.int(d)
    }
    /// The assets database is on (`/api/assets`, `assets.*` socket messages, `id` on output files).
    public var assets: Bool { flag("assets") }
    /// `/node_replacements` and server-side node class replacement.
    public var nodeReplacements: Bool { flag("node_replacements") }
    /// Model folders carry type tags in `/experiment/models`.
    public var modelTypeTags: Bool { flag("supports_model_type_tags") }
    /// ComfyUI-Manager v4 is built in.
    public var managerV4: Bool { flag("extension.manager.supports_v4") }
    /// Every flag the server declared, flattened to dotted names with their values as JSON text (for `doctor`).
    public var declaredFlags: [(name: String, value: String)] {
        var out: [(String, String)] = []
        func walk(_ prefix: String, _ value: JSONValue) {
            if let object = value.objectValue, !object.isEmpty {
                for (key, inner) in object { walk(prefix.isEmpty ? key : "\(prefix).\(key)", inner) }
            } else {
                out.append((prefix, value.pythonJSON))
            }
        }
        if let features { walk("", features) }
        return out
    }

    /// Job statuses, create/start/end times and totals come from `/api/jobs`; else from `/queue` + `/history`.
    public var jobTimes: Bool { hasJobsAPI }

    /// The version as numbers ("v0.2.7-12-gabc" and "0.3.64" both parse), or nil. For display and for the two
    /// old behaviours below that no route or flag announces.
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

    /// `POST /interrupt {"prompt_id"}` is honoured from 0.3.57; before, any interrupt stops whatever runs. Nothing
    /// announces it, so it is the one decision still taken by version; a server with `/features` (0.3.45+) but
    /// older than 0.3.57 stops whatever runs, which `cancel` only asks for when our job is the one running.
    public var targetedInterrupt: Bool { atLeast([0, 3, 57]) || hasJobsAPI }
    /// `/history?offset=` from 0.3.60 (the importer also detects a server that ignores it: the same page again).
    public var historyOffset: Bool { atLeast([0, 3, 60]) || hasJobsAPI }
}

extension ComfyAPI {
    /// Probes the server: `/system_stats` (must answer), `/features` and `GET /api/jobs?limit=1` (each left unknown
    /// when it fails rather than failing all). What `POST /prompt` taught this `ComfyAPI` about client prompt ids
    /// is included.
    public func probe() async throws(ComfyError) -> ServerCapabilities {
        let stats = try await systemStats()
        let raw = try? await getJSON("/system_stats")
        let features = try? await self.features()
        let jobs = await jobsAPIAnswers()
        var known = promptIDSupport.value
        if known == .unknown, jobs { known = .honoured }
        return ServerCapabilities(
            version: stats.comfyUIVersion, features: features ?? nil, hasJobsAPI: jobs, devices: stats.devices,
            os: stats.os, deployEnvironment: raw?["system"]?["deploy_environment"]?.stringValue,
            clientPromptID: known)
    }

    /// True when `GET /api/jobs?limit=1` answers a job list (an older server answers 404, or 405 from its
    /// static route, or its web page).
    public func jobsAPIAnswers() async -> Bool {
        guard let reply = try? await send(.GET, "/api/jobs", query: [("limit", "1")]), reply.status == 200,
            let json = reply.json, json["jobs"]?.arrayValue != nil
        else { return false }
        return true
    }

    /// Cancels a job: through `POST /api/jobs/{id}/cancel` where the server has it (idempotent: a finished or
    /// unknown id answers `{"cancelled": false}`), else `/queue` delete or `/interrupt`. Returns whether something
    /// was cancelled.
    public func cancel(promptID: String, capabilities: ServerCapabilities) async throws(ComfyError) -> Bool {
        if capabilities.hasJobsAPI, let cancelled = try await cancelJob(promptID) { return cancelled }
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

    /// `POST /api/jobs/{id}/cancel`: whether it cancelled something, or nil when the server has no such route
    /// (404, or 405 from an older server's static route).
    public func cancelJob(_ promptID: String) async throws(ComfyError) -> Bool? {
        let path = "/api/jobs/\(Endpoint.encode(promptID))/cancel"
        let reply = try await send(.POST, path, body: Array("{}".utf8))
        if reply.status == 404 || reply.status == 405 { return nil }
        let json = try decodeJSON(reply, path: "/api/jobs/{id}/cancel")
        guard let cancelled = json["cancelled"]?.boolValue else { return nil }
        return cancelled
    }
}
