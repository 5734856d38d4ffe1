import ComfyJSON
import ComfyMock
import ComfyTestSupport
import Foundation
import Testing

@Suite("Mock server behaviour")
struct MockBehaviourTests {
    @Test("a prompt never completes before 0.5 s: /history/{id} is {} first, the full entry after")
    func minimumRunTime() async throws {
        let mock = try await MockHarness.start()
        defer { Task { await mock.stop() } }
        let queuedAt = ContinuousClock.now
        let id = try await mock.submit(Workflows.slow(steps: 1, delayMS: 0))
        let early = try await mock.get("/history/\(id)")
        #expect(early.status == 200)
        #expect(early.json == .object([]))
        let entry = try await mock.waitForHistory(id)
        #expect(ContinuousClock.now - queuedAt >= .milliseconds(500))
        #expect(entry["status"]?["status_str"] == "success")
        #expect(entry["status"]?["completed"] == true)
        let kinds = entry["status"]?["messages"]?.arrayValue?.compactMap { $0[0]?.stringValue }
        #expect(kinds == ["execution_start", "execution_cached", "execution_success"])
    }

    @Test("outputs are real files with ComfyUI's counter names, and /view serves their bytes")
    func outputsAndView() async throws {
        let mock = try await MockHarness.start()
        defer { Task { await mock.stop() } }
        var names: [String] = []
        for seed in 1...2 {
            let id = try await mock.submit(Workflows.slow(steps: 1, delayMS: 0, seed: seed, prefix: "sub/pic"))
            let entry = try await mock.waitForHistory(id)
            let image = entry["outputs"]?["3"]?["images"]?[0]
            #expect(image?["subfolder"] == "sub")
            #expect(image?["type"] == "output")
            let name = image?["filename"]?.stringValue ?? ""
            names.append(name)
            let onDisk = mock.dataDir.appendingPathComponent("output/sub/\(name)")
            let bytes = try [UInt8](Data(contentsOf: onDisk))
            let view = try await mock.get("/view?filename=\(name)&subfolder=sub&type=output")
            #expect(view.status == 200)
            #expect(view.contentType == "image/png")
            #expect(view.body == bytes)
            #expect(view.headers.contains { $0.0.lowercased() == "content-disposition" && $0.1.contains(name) })
            let head = try await mock.request("HEAD", "/view?filename=\(name)&subfolder=sub&type=output")
            #expect(head.status == 200 && head.body.isEmpty)
            #expect(head.headers.contains { $0.0.lowercased() == "content-length" && $0.1 == String(bytes.count) })
        }
        #expect(names == ["pic_00001_.png", "pic_00002_.png"])
    }

    @Test(
        "/view refuses hostile names and answers 404 for missing files",
        arguments: [
            ("/view?filename=../secret.png", 400), ("/view?filename=%2Fetc%2Fpasswd", 400),
            ("/view?filename=x.png&subfolder=../../etc", 403), ("/view?filename=x.png&type=bogus", 400),
            ("/view?filename=missing.png", 404), ("/view", 404), ("/api/view?filename=example.png&type=input", 200),
            ("/view?filename=example.png%20%5Binput%5D", 200),
        ])
    func viewErrors(path: String, status: Int) async throws {
        let mock = try await MockHarness.start()
        defer { Task { await mock.stop() } }
        #expect(try await mock.get(path).status == status, "\(path)")
    }

    @Test("validation errors answer 400 and queue nothing; a partly valid graph answers 200 with node_errors")
    func validation() async throws {
        let mock = try await MockHarness.start()
        defer { Task { await mock.stop() } }
        var bad = Workflows.slow()
        bad = bad.setting(
            "2", (bad["2"] ?? .null).setting("inputs", (bad["2"]?["inputs"] ?? .null).setting("steps", 0)))
        let low = try await mock.post("/prompt", json: Workflows.body(bad))
        #expect(low.status == 400)
        #expect(low.json?["error"]?["type"] == "prompt_outputs_failed_validation")
        #expect(low.json?["node_errors"]?["2"]?["errors"]?[0]?["type"] == "value_smaller_than_min")
        #expect(low.json?["node_errors"]?["2"]?["dependent_outputs"] == ["3"])

        let ckpt = Workflows.txt2img().setting(
            "4", .obj(("class_type", "CheckpointLoaderSimple"), ("inputs", .obj(("ckpt_name", "nope.safetensors")))))
        let combo = try await mock.post("/prompt", json: Workflows.body(ckpt))
        #expect(combo.status == 400)
        #expect(combo.json?["node_errors"]?["4"]?["errors"]?[0]?["type"] == "value_not_in_list")

        var partial = Workflows.slow(steps: 1, delayMS: 0)
        partial = partial.setting(
            "5",
            .obj(
                ("class_type", "ImageScale"),
                (
                    "inputs",
                    .obj(
                        ("image", ["1", 0]), ("upscale_method", "nope"), ("width", 8), ("height", 8),
                        ("crop", "disabled"))
                )))
        partial = partial.setting("6", .obj(("class_type", "PreviewImage"), ("inputs", .obj(("images", ["5", 0])))))
        let accepted = try await mock.post("/prompt", json: Workflows.body(partial))
        #expect(accepted.status == 200)
        #expect(accepted.json?["node_errors"]?["5"]?["dependent_outputs"] == ["6"])
        if let id = accepted.json?["prompt_id"]?.stringValue {
            let entry = try await mock.waitForHistory(id)
            #expect(entry["prompt"]?[4] == ["3"])
            #expect(entry["outputs"]?.objectValue?.map(\.0) == ["3"])
        }

        let malformed = try await mock.post("/prompt", text: "{not json")
        #expect(malformed.status == 500)

        let queue = try await mock.get("/queue")
        #expect(queue.json == .obj(("queue_running", []), ("queue_pending", [])))
    }

    @Test(
        "interrupt with a prompt_id stops only that prompt; the run is recorded as an error with execution_interrupted")
    func interruptByID() async throws {
        let mock = try await MockHarness.start()
        defer { Task { await mock.stop() } }
        let socket = TestSocket(baseURL: mock.baseURL, path: "/ws?clientId=me")
        defer { socket.abandon() }
        try await socket.waitFor("status") { $0.kind == "status" }
        let id = try await mock.submit(Workflows.slow(steps: 40, delayMS: 50), clientID: "me")
        try await socket.waitFor("progress") { $0.kind == "progress" }
        _ = try await mock.post("/interrupt", json: .obj(("prompt_id", "not-running")))
        try await Task.sleep(for: .milliseconds(150))
        #expect(!socket.kinds.contains("execution_interrupted"))
        let answer = try await mock.post("/interrupt", json: .obj(("prompt_id", .string(id))))
        #expect(answer.status == 200 && answer.body.isEmpty)
        let entry = try await mock.waitForHistory(id)
        #expect(entry["status"]?["status_str"] == "error")
        #expect(entry["status"]?["completed"] == false)
        #expect(entry["status"]?["messages"]?[2]?[0] == "execution_interrupted")
        try await socket.waitFor("executing null") { $0.json?["data"]?["node"] == .null && $0.kind == "executing" }
        let tail = Array(socket.kinds.suffix(3))
        #expect(tail == ["execution_interrupted", "status", "executing"])
    }

    @Test("POST /queue deletes a pending prompt (never a running one) and it never reaches history")
    func queueDelete() async throws {
        let mock = try await MockHarness.start()
        defer { Task { await mock.stop() } }
        let first = try await mock.submit(Workflows.slow(steps: 10, delayMS: 50, seed: 1))
        let second = try await mock.submit(Workflows.slow(steps: 1, delayMS: 0, seed: 2))
        let third = try await mock.submit(Workflows.slow(steps: 1, delayMS: 0, seed: 3), extra: [("front", true)])
        let queue = try await mock.get("/queue").json
        #expect(queue?["queue_running"]?[0]?[1]?.stringValue == first)
        #expect(queue?["queue_pending"]?.arrayValue?.count == 2)
        #expect(
            (queue?["queue_pending"]?.arrayValue ?? []).contains {
                $0[1]?.stringValue == third && ($0[0]?.intValue ?? 0) < 0
            })
        _ = try await mock.post("/queue", json: .obj(("delete", .array([.string(second), .string(first)]))))
        let after = try await mock.get("/queue").json
        #expect(after?["queue_running"]?[0]?[1]?.stringValue == first)
        #expect(after?["queue_pending"]?.arrayValue?.count == 1)
        _ = try await mock.waitForHistory(third)
        _ = try await mock.waitForHistory(first)
        #expect(try await mock.get("/history/\(second)").json == .object([]))
    }

    @Test("history paging: max_items is the newest N oldest-first; offset counts from the oldest")
    func historyPaging() async throws {
        let mock = try await MockHarness.start(speed: 50)
        defer { Task { await mock.stop() } }
        var ids: [String] = []
        for seed in 0..<5 { ids.append(try await mock.submit(Workflows.slow(steps: 1, delayMS: 0, seed: seed))) }
        for id in ids { _ = try await mock.waitForHistory(id) }
        func keys(_ path: String) async throws -> [String] {
            try await mock.get(path).json?.objectValue?.map(\.0) ?? []
        }
        #expect(try await keys("/history") == ids)
        #expect(try await keys("/history?max_items=2") == Array(ids.suffix(2)))
        #expect(try await keys("/history?offset=1&max_items=2") == Array(ids[1...2]))
        #expect(try await keys("/history?offset=3") == Array(ids[3...]))
        #expect(try await mock.get("/history?max_items=abc").status == 500)
        _ = try await mock.post("/history", json: .obj(("delete", .array([.string(ids[0])]))))
        #expect(try await keys("/api/history") == Array(ids.dropFirst()))
        _ = try await mock.post("/history", json: .obj(("clear", true)))
        #expect(try await keys("/history").isEmpty)
    }

    @Test("the history cap drops the oldest entries")
    func historyCap() async throws {
        let mock = try await MockHarness.start(historyLimit: 2)
        defer { Task { await mock.stop() } }
        var ids: [String] = []
        for seed in 0..<4 {
            let id = try await mock.submit(Workflows.slow(steps: 1, delayMS: 0, seed: seed))
            _ = try await mock.waitForHistory(id)
            ids.append(id)
        }
        let keys = try await mock.get("/history").json?.objectValue?.map(\.0) ?? []
        #expect(keys == Array(ids.suffix(3)))
    }

    @Test("a second socket with the same clientId replaces the first, which receives nothing more")
    func duplicateClientID() async throws {
        let mock = try await MockHarness.start()
        defer { Task { await mock.stop() } }
        let old = TestSocket(baseURL: mock.baseURL, path: "/ws?clientId=dup")
        try await old.waitFor("status") { $0.kind == "status" }
        let new = TestSocket(baseURL: mock.baseURL, path: "/ws?clientId=dup")
        defer {
            old.abandon()
            new.abandon()
        }
        try await new.waitFor("status") { $0.kind == "status" }
        let id = try await mock.submit(Workflows.slow(steps: 1, delayMS: 0), clientID: "dup")
        _ = try await mock.waitForHistory(id)
        try await new.waitFor("executing null") { $0.kind == "executing" && $0.json?["data"]?["node"] == .null }
        #expect(old.frames.count == 1)
    }

    @Test("a socket that reconnects while its prompt runs gets executing {node} again, without prompt_id")
    func reconnectReplay() async throws {
        let mock = try await MockHarness.start()
        defer { Task { await mock.stop() } }
        let first = TestSocket(baseURL: mock.baseURL, path: "/ws?clientId=rc")
        try await first.waitFor("status") { $0.kind == "status" }
        _ = try await mock.submit(Workflows.slow(steps: 20, delayMS: 50), clientID: "rc")
        try await first.waitFor("progress") { $0.kind == "progress" }
        await first.close()
        let second = TestSocket(baseURL: mock.baseURL, path: "/ws?clientId=rc")
        defer { second.abandon() }
        try await second.waitForCount(2)
        #expect(second.frames[0].kind == "status")
        #expect(second.frames[1].json == .obj(("type", "executing"), ("data", .obj(("node", "2")))))
    }

    @Test("feature_flags as the first message: a reply, then previews as binary type 4 with metadata")
    func previewMetadata() async throws {
        let mock = try await MockHarness.start()
        defer { Task { await mock.stop() } }
        let socket = TestSocket(baseURL: mock.baseURL, path: "/ws?clientId=ff")
        defer { socket.abandon() }
        socket.send(#"{"type": "feature_flags", "data": {"supports_preview_metadata": true}}"#)
        try await socket.waitFor("feature_flags reply") { $0.kind == "feature_flags" }
        let id = try await mock.submit(Workflows.slow(steps: 2, delayMS: 10), clientID: "ff")
        _ = try await mock.waitForHistory(id)
        try await socket.waitFor("executing null") { $0.kind == "executing" && $0.json?["data"]?["node"] == .null }
        #expect(!socket.kinds.contains("binary/1"))
        let previews = socket.frames.compactMap { frame -> [UInt8]? in
            if case .binary(let b) = frame, frame.kind == "binary/4" { return b }
            return nil
        }
        #expect(previews.count == 2)
        if let frame = previews.first {
            let length = Int(frame[4]) << 24 | Int(frame[5]) << 16 | Int(frame[6]) << 8 | Int(frame[7])
            let meta = try JSONValue.parse(Array(frame[8..<8 + length]))
            #expect(meta["prompt_id"]?.stringValue == id)
            #expect(meta["image_type"] == "image/jpeg")
            #expect(Array(frame[(8 + length)...].prefix(3)) == [0xFF, 0xD8, 0xFF])
        }
    }

    @Test("an anonymous prompt: progress broadcast to all, execution_* to nobody, error only in history")
    func anonymousRouting() async throws {
        let mock = try await MockHarness.start()
        defer { Task { await mock.stop() } }
        let watcher = TestSocket(baseURL: mock.baseURL, path: "/ws")
        defer { watcher.abandon() }
        try await watcher.waitFor("status") { $0.kind == "status" }
        _ = try await mock.post("/mock/fault", json: .obj(("fail_class", "SaveImage")))
        let id = try await mock.submit(Workflows.slow(steps: 2, delayMS: 10))
        let entry = try await mock.waitForHistory(id)
        #expect(entry["status"]?["status_str"] == "error")
        #expect(entry["status"]?["messages"]?[2]?[1]?["node_type"] == "SaveImage")
        try await Task.sleep(for: .milliseconds(100))
        let kinds = Set(watcher.kinds)
        #expect(kinds.isSuperset(of: ["status", "progress", "progress_state", "binary/1"]))
        #expect(kinds.isDisjoint(with: ["execution_start", "execution_error", "executing", "executed"]))
    }

    @Test("fault injection: HTTP 500, dropped sockets, and a restart that empties queue and history")
    func faults() async throws {
        let mock = try await MockHarness.start()
        defer { Task { await mock.stop() } }
        _ = try await mock.post("/mock/fault", json: .obj(("http_500", 1)))
        #expect(try await mock.get("/queue").status == 500)
        #expect(try await mock.get("/queue").status == 200)

        let socket = TestSocket(baseURL: mock.baseURL, path: "/ws?clientId=drop")
        try await socket.waitFor("status") { $0.kind == "status" }
        _ = try await mock.post("/mock/fault", json: .obj(("drop_websockets", true)))
        try await waitUntil("socket closed") { socket.isClosed }

        let done = try await mock.submit(Workflows.slow(steps: 1, delayMS: 0))
        _ = try await mock.waitForHistory(done)
        _ = try await mock.submit(Workflows.slow(steps: 50, delayMS: 50, seed: 9))
        _ = try await mock.post("/mock/fault", json: .obj(("restart", true)))
        #expect(try await mock.get("/history").json == .object([]))
        #expect(try await mock.get("/queue").json == .obj(("queue_running", []), ("queue_pending", [])))
        let next = try await mock.post("/prompt", json: Workflows.body(Workflows.slow(steps: 1, delayMS: 0, seed: 10)))
        #expect(next.json?["number"] == 0)
    }

    @Test("a KSampler workflow runs with step progress, a tqdm bar in the logs and a saved image")
    func everydayNodes() async throws {
        let mock = try await MockHarness.start(speed: 20)
        defer { Task { await mock.stop() } }
        let socket = TestSocket(baseURL: mock.baseURL, path: "/ws?clientId=k")
        defer { socket.abandon() }
        try await socket.waitFor("status") { $0.kind == "status" }
        let id = try await mock.submit(Workflows.txt2img(steps: 5), clientID: "k")
        let entry = try await mock.waitForHistory(id)
        #expect(entry["outputs"]?["9"]?["images"]?[0]?["filename"] == "txt2img_00001_.png")
        let progress = socket.frames.compactMap(\.json).filter { $0["type"] == "progress" }
        #expect(progress.map { $0["data"]?["value"]?.intValue ?? 0 } == [1, 2, 3, 4, 5])
        #expect(progress.allSatisfy { $0["data"]?["node"] == "3" })
        let logs = try await mock.get("/internal/logs/raw").json?["entries"]?.arrayValue ?? []
        #expect(logs.contains { ($0["m"]?.stringValue ?? "").contains("| 5/5 [") })
        let stats = try await mock.get("/system_stats").json
        #expect(stats?["system"]?["comfyui_version"] == "0.3.64")
        let free = stats?["devices"]?[0]?["vram_free"]?.intValue ?? 0
        let total = stats?["devices"]?[0]?["vram_total"]?.intValue ?? 0
        #expect(free < total, "a loaded checkpoint uses VRAM")
    }

    @Test("upload: a new name for different bytes, the same name for identical bytes")
    func upload() async throws {
        let mock = try await MockHarness.start()
        defer { Task { await mock.stop() } }
        func upload(_ bytes: String, name: String) async throws -> JSONValue? {
            let boundary = "XyZ"
            let body =
                "--\(boundary)\r\nContent-Disposition: form-data; name=\"image\"; filename=\"\(name)\"\r\nContent-Type: image/png\r\n\r\n\(bytes)\r\n--\(boundary)--\r\n"
            return try await mock.request(
                "POST", "/upload/image", body: Array(body.utf8),
                headers: [("Content-Type", "multipart/form-data; boundary=\(boundary)")]
            ).json
        }
        #expect(try await upload("one", name: "a.png")?["name"] == "a.png")
        #expect(try await upload("one", name: "a.png")?["name"] == "a.png")
        #expect(
            try await upload("two", name: "a.png") == .obj(("name", "a (1).png"), ("subfolder", ""), ("type", "input")))
        // server.py does not strip the name to its last component: one that leaves the folder is a 400, no JSON.
        #expect(try await upload("x", name: "../../evil.png") == nil)
        let info = try await mock.get("/object_info/LoadImage").json
        let images = info?["LoadImage"]?["input"]?["required"]?["image"]?[0]?.arrayValue ?? []
        #expect(images.contains("a (1).png"))
    }

    @Test("jobs API with --jobs-api: list, one job, cancel; 404 without it")
    func jobsAPI() async throws {
        let plain = try await MockHarness.start()
        #expect(try await plain.get("/api/jobs").status == 404)
        await plain.stop()
        let mock = try await MockHarness.start(jobsAPI: true)
        defer { Task { await mock.stop() } }
        let done = try await mock.submit(Workflows.slow(steps: 1, delayMS: 0, seed: 1))
        _ = try await mock.waitForHistory(done)
        let running = try await mock.submit(Workflows.slow(steps: 50, delayMS: 50, seed: 2))
        let pending = try await mock.submit(Workflows.slow(steps: 1, delayMS: 0, seed: 3))
        let list = try await mock.get("/api/jobs?sort_order=asc").json
        #expect(
            list?["jobs"]?.arrayValue?.map { $0["status"]?.stringValue ?? "" } == [
                "completed", "in_progress", "pending",
            ])
        #expect(list?["pagination"]?["total"] == 3)
        #expect(try await mock.get("/api/jobs?status=bogus").status == 400)
        #expect(try await mock.get("/jobs").status == 404)
        let one = try await mock.get("/api/jobs/\(done)").json
        #expect(one?["outputs_count"] == 1)
        #expect(one?["preview_output"]?["nodeId"] == "3")
        let cancel = try await mock.post("/api/jobs/\(pending)/cancel", json: .object([]))
        #expect(cancel.json == .obj(("cancelled", true)))
        _ = try await mock.post("/api/jobs/\(running)/cancel", json: .object([]))
        let entry = try await mock.waitForHistory(running)
        #expect(entry["status"]?["messages"]?[2]?[0] == "execution_interrupted")
        #expect(try await mock.get("/api/jobs/\(running)").json?["status"] == "cancelled")
        #expect(try await mock.get("/api/jobs/00000000-0000-0000-0000-000000000000").status == 404)
    }
}
