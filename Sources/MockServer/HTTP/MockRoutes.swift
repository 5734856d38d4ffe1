import ComfyJSON
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdWebSocket
import NIOCore

typealias MockContext = MockRequestContext

/// The HTTP routes of `server.py`, each registered at its path and under `/api`, as the real server does.
enum MockRoutes {
    static let maxBody = 100 * 1024 * 1024 + 65536

    static func register(on router: Router<MockContext>, engine: MockEngine, jobsAPI: Bool) {
        for prefix in ["", "/api"] {
            registerCore(on: router, prefix: prefix, engine: engine)
            WebSocketRoute.register(on: router, path: prefix + "/ws", engine: engine)
        }
        if jobsAPI {
            for prefix in ["/api", "/api/api"] { registerJobs(on: router, prefix: prefix, engine: engine) }
        }
        // /internal is an aiohttp sub-app: not under /api.
        router.get("/internal/logs/raw") { _, _ in response(await engine.logsRaw()) }
        router.get("/internal/logs") { _, _ in response(await engine.logsJoined()) }
        router.patch("/internal/logs/subscribe") { request, _ in
            response(await engine.patchLogSubscription(body: try await body(request)))
        }
        router.post("/mock/fault") { request, _ in response(await engine.postFault(body: try await body(request))) }
        router.post("/mock/burst") { request, _ in response(await engine.progressBurst(body: try await body(request))) }
        DistributedRoute.register(on: router)
    }

    private static func registerCore(on router: Router<MockContext>, prefix p: String, engine: MockEngine) {
        @Sendable func guarded(
            _ handler: @escaping @Sendable (Request) async throws -> MockResponse
        ) -> @Sendable (Request, MockContext) async throws -> Response {
            { request, _ in
                if await engine.consumeHTTP500() { return response(.serverError) }
                return response(try await handler(request))
            }
        }
        router.get("\(p)/prompt", use: guarded { _ in await engine.queueInfo() })
        router.post(
            "\(p)/prompt",
            use: guarded { request in
                let source = HTTPField.Name("Comfy-Usage-Source").flatMap { request.headers[$0] }
                return await engine.postPrompt(body: try await body(request), usageSource: source)
            })
        router.get("\(p)/queue", use: guarded { _ in await engine.queueSnapshot() })
        router.post("\(p)/queue", use: guarded { await engine.postQueue(body: try await body($0)) })
        router.post("\(p)/interrupt", use: guarded { await engine.postInterrupt(body: try await body($0)) })
        router.post("\(p)/free", use: guarded { await engine.postFree(body: try await body($0)) })
        router.get(
            "\(p)/history",
            use: guarded { request in
                let q = query(request)
                return await engine.getHistory(maxItems: q["max_items"], offset: q["offset"])
            })
        router.get("\(p)/history/{id}", use: guarded { await engine.getHistory(id: path($0, after: "/history/")) })
        router.post("\(p)/history", use: guarded { await engine.postHistory(body: try await body($0)) })
        router.get(
            "\(p)/view",
            use: guarded { request in
                let q = query(request)
                let file = await engine.view(filename: q["filename"], type: q["type"], subfolder: q["subfolder"])
                return ViewPreview.apply(q["preview"], channel: q["channel"], to: file)
            })
        // aiohttp answers HEAD on every GET route; clients use it for file sizes.
        router.head("\(p)/view") { request, _ in
            let q = query(request)
            let file = await engine.view(filename: q["filename"], type: q["type"], subfolder: q["subfolder"])
            return response(ViewPreview.apply(q["preview"], channel: q["channel"], to: file)).createHeadResponse()
        }
        UploadRoutes.register(on: router, prefix: p, engine: engine)
        router.get("\(p)/system_stats", use: guarded { _ in await engine.systemStats() })
        router.get("\(p)/object_info", use: guarded { _ in await engine.objectInfo(nil) })
        router.get(
            "\(p)/object_info/{name}", use: guarded { await engine.objectInfo(path($0, after: "/object_info/")) })
        router.get("\(p)/features", use: guarded { _ in .json(await engine.serverFeatureFlags) })
        router.get("\(p)/embeddings", use: guarded { _ in .json(.array([])) })
        router.get("\(p)/extensions", use: guarded { _ in .json(.array([])) })
        router.get("\(p)/models", use: guarded { _ in await engine.models(folder: nil) })
        router.get("\(p)/models/{folder}", use: guarded { await engine.models(folder: path($0, after: "/models/")) })
    }

    private static func registerJobs(on router: Router<MockContext>, prefix p: String, engine: MockEngine) {
        router.get("\(p)/jobs") { request, _ in response(await engine.listJobs(query: query(request))) }
        router.get("\(p)/jobs/{id}") { request, _ in response(await engine.getJob(path(request, after: "/jobs/"))) }
        router.post("\(p)/jobs/cancel") { request, _ in
            response(await engine.cancelJobs(body: try await body(request)))
        }
        router.post("\(p)/jobs/{id}/cancel") { request, _ in
            let id = path(request, after: "/jobs/").replacingOccurrences(of: "/cancel", with: "")
            return response(.json(.obj(("cancelled", .bool(await engine.cancelJob(id))))))
        }
    }

    /// The decoded last path segment(s) after `marker` (ids may hold characters a router would not keep).
    static func path(_ request: Request, after marker: String) -> String {
        let p = request.uri.path
        guard let range = p.range(of: marker, options: .backwards) else { return "" }
        let raw = String(p[range.upperBound...])
        return raw.removingPercentEncoding ?? raw
    }

    /// Query parameters as aiohttp reads them: `+` is a space, percent-decoded, the first value wins.
    static func query(_ request: Request) -> [String: String] {
        guard let q = request.uri.query, !q.isEmpty else { return [:] }
        var out: [String: String] = [:]
        for pair in q.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ s: Substring) -> String {
                let spaced = s.replacingOccurrences(of: "+", with: " ")
                return spaced.removingPercentEncoding ?? spaced
            }
            let key = decode(parts[0])
            if out[key] == nil { out[key] = parts.count > 1 ? decode(parts[1]) : "" }
        }
        return out
    }

    static func body(_ request: Request) async throws -> [UInt8] {
        var request = request
        let buffer = try await request.collectBody(upTo: maxBody)
        return Array(buffer.readableBytesView)
    }

    static func response(_ r: MockResponse) -> Response {
        var headers = HTTPFields()
        if let type = r.contentType { headers[.contentType] = type }
        for (name, value) in r.headers {
            if let field = HTTPField.Name(name) { headers[field] = value }
        }
        return Response(
            status: HTTPResponse.Status(code: r.status), headers: headers,
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: r.body)))
    }
}
