import ComfyJSON
import Foundation

/// The HTTP-facing operations of `server.py` and `PromptQueue`, each answering as the real handler does.
extension MockEngine {
    func nextItem() async -> QueueItem? {
        while pending.isEmpty {
            if Task.isCancelled { return nil }
            await withCheckedContinuation { wake = $0 }
        }
        pending.sort(by: QueueItem.precedes)
        let item = pending.removeFirst()
        running = item
        broadcastStatus()
        return item
    }

    private func put(_ item: QueueItem) {
        pending.append(item)
        broadcastStatus()
        wake?.resume()
        wake = nil
    }

    /// `POST /prompt`.
    func postPrompt(body: [UInt8], usageSource: String? = nil) -> MockResponse {
        log("got prompt\n")
        guard let json = try? JSONValue.parse(body), case .object = json else { return .serverError }
        let number: JSONValue
        if let given = json["number"] {
            guard let value = PythonConvert.floatValue(given) else { return .serverError }
            number = .double(value)
        } else {
            number = .int(json["front"]?.isTruthy == true ? -self.number : self.number)
            self.number += 1
        }
        guard let prompt = json["prompt"] else {
            let error = Validator.error("no_prompt", "No prompt provided", "No prompt provided")
            return .json(.obj(("error", error), ("node_errors", .object([]))), status: 400)
        }
        if let rejected = rejectPromptID(json) { return rejected }
        guard let graph = prompt.objectValue else { return .serverError }
        let promptID = json["prompt_id"].flatMap { $0.isNull ? nil : $0.pythonStr } ?? UUID().uuidString.lowercased()
        let targets = json["partial_execution_targets"]?.arrayValue?.map(\.pythonStr)
        var validator = Validator(catalog: catalog, prompt: graph)
        let result = validator.validate(partialTargets: targets)
        var extraData = json["extra_data"].flatMap { $0.objectValue == nil ? nil : $0 } ?? .object([])
        if let clientID = json["client_id"] { extraData = extraData.setting("client_id", clientID) }
        extraData = currentExtraData(extraData, usageSource: usageSource)
        let now = Self.nowMillis()
        if config.jobsAPI, extraData["create_time"] == nil { extraData = extraData.setting("create_time", .int(now)) }
        guard result.ok else {
            log("invalid prompt: \(result.error.pythonRepr)\n")
            return .json(.obj(("error", result.error), ("node_errors", result.nodeErrors)), status: 400)
        }
        let item = QueueItem(
            number: number, promptID: promptID, prompt: result.prompt, extraData: extraData, outputs: result.outputs,
            queuedAt: .now, createTime: now)
        put(item)
        return .json(.obj(("prompt_id", .string(promptID)), ("number", number), ("node_errors", result.nodeErrors)))
    }

    /// `GET /prompt`.
    func queueInfo() -> MockResponse {
        .json(.obj(("exec_info", .obj(("queue_remaining", .int(queueRemaining))))))
    }

    /// `GET /queue`: running, and pending as the heap's array (not sorted, as the real server).
    func queueSnapshot() -> MockResponse {
        .json(
            .obj(
                ("queue_running", .array(running.map { [$0.tuple] } ?? [])),
                ("queue_pending", .array(pending.map(\.tuple)))))
    }

    /// `POST /queue`: `clear` and/or `delete` pending items; the running one is never touched.
    func postQueue(body: [UInt8]) -> MockResponse {
        guard let json = try? JSONValue.parse(body) else { return .serverError }
        if json["clear"]?.isTruthy == true {
            pending = []
            broadcastStatus()
        }
        for id in json["delete"]?.arrayValue ?? [] {
            if let index = pending.firstIndex(where: { $0.promptID == id.pythonStr }) {
                pending.remove(at: index)
                broadcastStatus()
            }
        }
        return .empty
    }

    /// `POST /interrupt`, with or without `prompt_id`.
    func postInterrupt(body: [UInt8]) -> MockResponse {
        let json = (try? JSONValue.parse(body)) ?? .object([])
        if let id = json["prompt_id"], id.isTruthy {
            if running?.promptID == id.pythonStr {
                log("Interrupting prompt \(id.pythonStr)\n")
                interruptFlag = true
            } else {
                log("Prompt \(id.pythonStr) is not currently running, skipping interrupt\n")
            }
        } else {
            log("Global interrupt (no prompt_id specified)\n")
            interruptFlag = true
        }
        return .empty
    }

    /// `GET /history` with `max_items` and `offset` (a bad integer is a 500, as `int()` raising is).
    func getHistory(maxItems: String?, offset: String?) -> MockResponse {
        var max: Int?
        var start = -1
        if let maxItems {
            guard let value = Int(maxItems.trimmingCharacters(in: .whitespaces)) else { return .serverError }
            max = value
        }
        if let offset {
            guard let value = Int(offset.trimmingCharacters(in: .whitespaces)) else { return .serverError }
            start = value
        }
        let page = history.page(maxItems: max, offset: start)
        return .json(.object(page.map { ($0.item.promptID, $0.json) }))
    }

    /// `GET /history/{id}`: the entry, or `{}` while queued, running, unknown or deleted.
    func getHistory(id: String) -> MockResponse {
        guard let entry = history.entries[id] else { return .json(.object([])) }
        return .json(.obj((id, entry.json)))
    }

    /// `POST /history`: `clear` and/or `delete`.
    func postHistory(body: [UInt8]) -> MockResponse {
        guard let json = try? JSONValue.parse(body) else { return .serverError }
        if json["clear"]?.isTruthy == true { history.clear() }
        for id in json["delete"]?.arrayValue ?? [] { history.delete(id.pythonStr) }
        return .empty
    }

    /// `POST /free`.
    func postFree(body: [UInt8]) -> MockResponse {
        // `json_data.get(...)` on anything but an object raises: a 500, as for a body that is not JSON.
        guard let json = try? JSONValue.parse(body), json.objectValue != nil else { return .serverError }
        if json["unload_models"]?.isTruthy == true { modelsLoaded = false }
        if json["free_memory"]?.isTruthy == true {
            cache = [:]
            modelsLoaded = false
        }
        return .empty
    }

    /// `GET /system_stats`, with VRAM that moves as models load and prompts run.
    func systemStats() -> MockResponse {
        let total = 25_757_220_864
        let used = (modelsLoaded ? 6_938_000_000 : 0) + (running == nil ? 0 : 2_147_483_648)
        let system: JSONValue = .obj(
            ("os", "posix"), ("ram_total", .int(67_334_569_984)), ("ram_free", .int(51_234_567_890)),
            (
                "comfyui_version",
                .string(isCurrent ? config.serverVersion.versionString : config.jobsAPI ? "0.6.0" : "0.3.64")
            ),
            ("required_frontend_version", "1.27.10"), ("installed_templates_version", "0.1.95"),
            ("required_templates_version", "0.1.95"), ("python_version", "3.11.7 (comfytop mock)"),
            ("pytorch_version", "2.8.0+cu128"), ("embedded_python", false),
            ("argv", .array(["main.py", "--listen", "127.0.0.1", "--port", "8188", "--preview-method", "auto"])))
        let device: JSONValue = .obj(
            ("name", "cuda:0 Mock GPU : cudaMallocAsync"), ("type", "cuda"), ("index", 0),
            ("vram_total", .int(total)), ("vram_free", .int(total - used)),
            ("torch_vram_total", .int(used + 1_073_741_824)), ("torch_vram_free", .int(1_073_741_824)))
        return .json(.obj(("system", currentSystemKeys(system)), ("devices", .array(currentDevices(device)))))
    }

    func objectInfo(_ name: String?) -> MockResponse {
        let catalog = self.catalog
        seedAssetsOnce()
        guard let name else { return .json(catalog.objectInfo()) }
        guard let def = catalog.definition(name) else { return .json(.object([])) }
        return .json(.obj((name, def.info)))
    }

    func logsRaw() -> MockResponse { .json(logs.rawJSON) }
    func logsJoined() -> MockResponse { .json(.string(logs.joined)) }

    func patchLogSubscription(body: [UInt8]) -> MockResponse {
        guard let json = try? JSONValue.parse(body), let sid = json["clientId"]?.pythonStr else {
            return .serverError
        }
        subscribeLogs(sid: sid, enabled: json["enabled"]?.isTruthy ?? false)
        return .empty
    }

    func models(folder: String?) -> MockResponse {
        guard let folder else { return .json(.array(DataDirectory.modelFolders.map { .string($0) })) }
        guard DataDirectory.modelFolders.contains(folder) else { return .notFound }
        let lists = files.lists()
        let names: [String]
        switch folder {
        case "checkpoints": names = lists.checkpoints
        case "loras": names = lists.loras
        default: names = files.modelFiles(folder)
        }
        return .json(.array(names.map { .string($0) }))
    }

    /// `POST /mock/fault`: test hooks. Body keys: `fail_node`, `fail_class`, `slow_step_ms`, `http_500`,
    /// `output_name`, `output_subfolder`, `drop_websockets`, `restart`, `clear` (forget pending faults).
    func postFault(body: [UInt8]) -> MockResponse {
        guard let json = try? JSONValue.parse(body), case .object = json else {
            return .json(.obj(("error", "body must be a JSON object")), status: 400)
        }
        if json["clear"]?.isTruthy == true { faults = Faults() }
        if let v = json["fail_node"] { faults.failNodeID = v.isNull ? nil : v.pythonStr }
        if let v = json["fail_class"] { faults.failClass = v.isNull ? nil : v.pythonStr }
        if let v = json["slow_step_ms"]?.intValue { faults.slowStepMS = max(0, v) }
        if let v = json["http_500"]?.intValue { faults.http500Remaining = max(0, v) }
        if let v = json["output_name"] { faults.outputName = v.isNull ? nil : v.pythonStr }
        if let v = json["output_subfolder"] { faults.outputSubfolder = v.isNull ? nil : v.pythonStr }
        if json["restart"]?.isTruthy == true { restart() }
        if let n = json["seed_history"]?.intValue { seedHistory(min(n, 100_000)) }
        if json["drop_websockets"]?.isTruthy == true { dropAllSockets() }
        return .json(
            .obj(
                ("fail_node", .optional(faults.failNodeID)), ("fail_class", .optional(faults.failClass)),
                ("slow_step_ms", .int(faults.slowStepMS)), ("http_500", .int(faults.http500Remaining))))
    }
}

extension PythonConvert {
    /// `float(x)` for the `number` field.
    static func floatValue(_ value: JSONValue) -> Double? {
        if case .success(let converted) = convert(value, to: "FLOAT") { return converted.doubleValue }
        return nil
    }
}
