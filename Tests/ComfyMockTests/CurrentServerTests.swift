import ComfyJSON
import ComfyMock
import ComfyTestSupport
import Foundation
import Testing

/// `comfytop mock --server-version current` answers as ComfyUI's newer server (docs/comfyui-current.md), and the
/// default stays 0.3.64.
@Suite("The mock of the newer server")
struct CurrentServerTests {
    @Test("/features and the socket's feature_flags reply carry the core flags; 0.3.64 keeps its two")
    func featureFlags() async throws {
        let mock = try await MockHarness.start(serverVersion: .current)
        defer { Task { await mock.stop() } }
        let features = try await mock.get("/features").json
        #expect(features?["assets"] == true && features?["extension"]?["manager"]?["supports_v4"] == true)
        #expect(features?["max_upload_size"] == .double(104_857_600))
        let socket = TestSocket(baseURL: mock.baseURL, path: "/ws?clientId=f")
        defer { socket.abandon() }
        try await socket.waitFor("status") { $0.kind == "status" }
        socket.send(#"{"type": "feature_flags", "data": {"supports_preview_metadata": true}}"#)
        let reply = try await socket.waitFor("feature_flags") { $0.kind == "feature_flags" }
        #expect(reply.json?["data"] == features)

        let old = try await MockHarness.start()
        defer { Task { await old.stop() } }
        let oldFeatures = try await old.get("/features").json
        #expect(oldFeatures?.objectValue?.map(\.0) == ["supports_preview_metadata", "max_upload_size"])
    }

    @Test("system_stats: every device, the primary first; os from sys.platform; the keys newer servers add")
    func systemStats() async throws {
        let mock = try await MockHarness.start(serverVersion: .current)
        defer { Task { await mock.stop() } }
        let stats = try await mock.get("/system_stats").json
        #expect(stats?["devices"]?.arrayValue?.map { $0["index"]?.intValue } == [0, 1])
        let keys = stats?["system"]?.objectValue?.map(\.0) ?? []
        #expect(stats?["system"]?["os"] == "linux" && stats?["system"]?["comfyui_version"] == "0.38.1")
        let packages = keys.firstIndex(of: "comfy_package_versions")
        let deploy = keys.firstIndex(of: "deploy_environment")
        #expect(packages == keys.firstIndex(of: "required_templates_version").map { $0 + 1 })
        #expect(deploy.map { $0 + 1 } == keys.firstIndex(of: "argv"))
    }

    @Test("POST /prompt: invalid_prompt_id (the counter still moves), Comfy-Usage-Source, secrets kept out of /queue")
    func postPrompt() async throws {
        let mock = try await MockHarness.start(serverVersion: .current)
        defer { Task { await mock.stop() } }
        for bad: JSONValue in ["not-a-uuid", "ABCDEF00-0000-4000-8000-000000000000", 5] {
            let body = Workflows.body(Workflows.slow(steps: 1, delayMS: 0), extra: [("prompt_id", bad)])
            let answer = try await mock.post("/prompt", json: body)
            #expect(answer.status == 400 && answer.json?["error"]?["type"] == "invalid_prompt_id")
        }
        let id = "abcdef00-0000-4000-8000-000000000001"
        let body = Workflows.body(
            Workflows.slow(steps: 20, delayMS: 20), clientID: "me",
            extra: [("prompt_id", .string(id)), ("extra_data", .obj(("api_key_comfy_org", "secret-key")))])
        let answer = try await mock.request(
            "POST", "/prompt", body: body.pythonJSONBytes, headers: [("Comfy-Usage-Source", "a-script")])
        #expect(answer.json?["prompt_id"] == .string(id) && answer.json?["number"] == 3)
        let queue = try await mock.get("/queue").text
        #expect(!queue.contains("secret-key"))
        let job = try await mock.get("/api/jobs/\(id)").json
        #expect(job?["workflow"]?["extra_data"]?["comfy_usage_source"] == "a-script")
    }

    @Test("/api/jobs as jobs.py: lowercased parameters, 400s, workflow_id filter, no null keys, detail for queue jobs")
    func jobsList() async throws {
        let mock = try await MockHarness.start(serverVersion: .current)
        defer { Task { await mock.stop() } }
        #expect(try await mock.get("/api/jobs?limit=0").status == 400)
        #expect(try await mock.get("/api/jobs?limit=x").status == 400)
        #expect(try await mock.get("/api/jobs?offset=x").status == 400)
        #expect(try await mock.get("/api/jobs?sort_by=name").status == 400)
        let invalid = try await mock.get("/api/jobs?status=done")
        #expect(
            invalid.status == 400
                && (invalid.json?["error"]?.stringValue ?? "").hasPrefix("Invalid status value(s): done"))
        #expect(
            try await mock.get("/api/jobs?status=COMPLETED,%20pending&sort_by=Created_At&sort_order=ASC").status == 200)
        let extra: [(String, JSONValue)] = [
            ("extra_data", .obj(("extra_pnginfo", .obj(("workflow", .obj(("id", "wf-1")))))))
        ]
        let tagged = try await mock.submit(Workflows.slow(steps: 30, delayMS: 20, seed: 1), extra: extra)
        _ = try await mock.submit(Workflows.slow(steps: 1, delayMS: 0, seed: 2))
        let filtered = try await mock.get("/api/jobs?workflow_id=wf-1").json
        #expect(filtered?["jobs"]?.arrayValue?.map { $0["id"] } == [.string(tagged)])
        #expect(filtered?["pagination"]?["total"] == 1 && filtered?["pagination"]?["limit"] == .null)
        let listed = try await mock.get("/api/jobs").json?["jobs"]?.arrayValue ?? []
        #expect(listed.allSatisfy { job in !(job.objectValue ?? []).contains { $0.1.isNull } })
        #expect(listed.allSatisfy { $0["previewable_outputs_count"] != nil && $0["workflow"] == nil })
        let detail = try await mock.get("/api/jobs/\(tagged)").json
        #expect(detail?["workflow"]?["prompt"] != nil && detail?["execution_start_time"] == nil)
    }

    @Test("activity while a checkpoint loads (current only); assets.seed.* broadcast once, on /object_info")
    func activityAndAssets() async throws {
        for version in MockServerVersion.allCases {
            let mock = try await MockHarness.start(speed: 20, serverVersion: version)
            defer { Task { await mock.stop() } }
            let socket = TestSocket(baseURL: mock.baseURL, path: "/ws?clientId=k")
            defer { socket.abandon() }
            try await socket.waitFor("status") { $0.kind == "status" }
            let id = try await mock.submit(Workflows.txt2img(steps: 2), clientID: "k")
            _ = try await mock.waitForHistory(id)
            let activities = socket.frames.compactMap(\.json).filter { $0["type"] == "progress_state" }
                .compactMap { $0["data"]?["nodes"]?["4"]?["activity"]?.stringValue }
            #expect(activities.isEmpty == (version == .v0_3_64))
            if version == .current { #expect(activities.allSatisfy { $0 == "loading" }) }
            _ = try await mock.get("/object_info")
            _ = try await mock.get("/object_info")
            let seeded = { socket.kinds.filter { $0.hasPrefix("assets.seed.") } }
            if version == .current {
                try await socket.waitFor("assets.seed.completed") { $0.kind == "assets.seed.completed" }
                #expect(seeded() == ["assets.seed.started", "assets.seed.progress", "assets.seed.completed"])
            } else {
                #expect(seeded().isEmpty)
            }
        }
    }
}
