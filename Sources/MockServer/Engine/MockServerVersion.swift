import ComfyJSON
import Foundation

/// Which ComfyUI the mock imitates. 0.3.64 is the recorded truth (the transcripts); `current` is the server of
/// ComfyUI's main branch as read from its source (0.38: `server.py` 002c3fb9, `comfy_execution/jobs.py` 172be438,
/// `comfy_execution/progress.py` 1b71f275, `comfy_api/feature_flags.py` 1924b05e).
public enum MockServerVersion: String, Sendable, CaseIterable {
    case v0_3_64 = "0.3.64"
    case current

    /// What `system.comfyui_version` says.
    var versionString: String {
        switch self {
        case .v0_3_64: return "0.3.64"
        case .current: return "0.38.1"
        }
    }
}

/// The parts of the server that changed after 0.3.64.
extension MockEngine {
    var isCurrent: Bool { config.serverVersion == .current }

    /// `/features` and the socket's `feature_flags` answer: `_CORE_FEATURE_FLAGS` of `comfy_api/feature_flags.py`
    /// (`max_upload_size` is `args.max_upload_size * 1024 * 1024` with a float argument: a float on the wire).
    var serverFeatureFlags: JSONValue {
        guard isCurrent else { return Self.serverFeatures }
        return .obj(
            ("supports_preview_metadata", true), ("supports_model_type_tags", true),
            ("max_upload_size", .double(104_857_600)),
            ("extension", .obj(("manager", .obj(("supports_v4", true))))), ("node_replacements", true),
            ("assets", true))
    }

    /// The `system` keys newer servers add, and their `os` (`sys.platform`).
    func currentSystemKeys(_ system: JSONValue) -> JSONValue {
        guard isCurrent, let pairs = system.objectValue else { return system }
        // In the order `system_stats` writes them.
        var out: [(String, JSONValue)] = []
        for (key, value) in pairs {
            if key == "argv" { out.append(("deploy_environment", "local-git")) }
            out.append((key, key == "os" ? "linux" : value))
            if key == "required_templates_version" {
                out.append(
                    (
                        "comfy_package_versions",
                        .array([
                            .obj(("name", "comfyui-frontend-package"), ("installed", "1.33.4"), ("required", "1.33.4")),
                            .obj(("name", "comfyui-workflow-templates"), ("installed", "0.7.9"), ("required", "0.7.9")),
                        ])
                    ))
            }
        }
        return .object(out)
    }

    /// Every torch device with the primary first (newer servers); 0.3.64 shows the primary only.
    func currentDevices(_ primary: JSONValue) -> [JSONValue] {
        guard isCurrent else { return [primary] }
        let total = 25_757_220_864
        let second: JSONValue = .obj(
            ("name", "cuda:1 Mock GPU : cudaMallocAsync"), ("type", "cuda"), ("index", 1),
            ("vram_total", .int(total)), ("vram_free", .int(total - 512 * 1_048_576)),
            ("torch_vram_total", .int(0)), ("torch_vram_free", .int(0)))
        return [primary, second]
    }

    /// `POST /prompt` of a newer server, before validation: a client prompt_id must be a canonical lowercase UUID
    /// (`validate_job_id`), else 400 `invalid_prompt_id` (the queue counter is already consumed, as there).
    func rejectPromptID(_ json: JSONValue) -> MockResponse? {
        guard isCurrent, let given = json["prompt_id"], !given.isNull else { return nil }
        if let text = given.stringValue, let uuid = UUID(uuidString: text), uuid.uuidString.lowercased() == text {
            return nil
        }
        log("invalid prompt: prompt_id must be a valid UUID\n")
        let error = JSONValue.obj(
            ("type", "invalid_prompt_id"), ("message", "prompt_id must be a valid UUID"),
            (
                "details",
                "prompt_id must be a UUID string in canonical lowercase hyphenated form; omit it to let the server generate one"
            ),
            ("extra_info", .object([])))
        return .json(.obj(("error", error), ("node_errors", .object([]))), status: 400)
    }

    /// `extra_data` as a newer server queues it: `comfy_usage_source` from the header when absent, and the secret
    /// keys (`SENSITIVE_EXTRA_DATA_KEYS`) moved out of it (kept in the internal sixth tuple element there).
    func currentExtraData(_ extraData: JSONValue, usageSource: String?) -> JSONValue {
        guard isCurrent, var pairs = extraData.objectValue else { return extraData }
        if let usageSource, !usageSource.isEmpty, !pairs.contains(where: { $0.0 == "comfy_usage_source" }) {
            pairs.append(("comfy_usage_source", .string(usageSource)))
        }
        pairs.removeAll { $0.0 == "auth_token_comfy_org" || $0.0 == "api_key_comfy_org" }
        return .object(pairs)
    }

    /// `GET /object_info` starts the assets scan on a newer server (`ensure_scan_started`); its seeder broadcasts
    /// `assets.seed.*` messages, which clients that do not know them must ignore.
    func seedAssetsOnce() {
        guard isCurrent, !assetsSeeded else { return }
        assetsSeeded = true
        let lists = files.lists()
        let total = lists.checkpoints.count + lists.loras.count + lists.inputImages.count
        send("assets.seed.started", .obj(("roots", .array(["models", "input", "output"]))), to: nil)
        send(
            "assets.seed.progress",
            .obj(("phase", "fast"), ("scanned", .int(total)), ("total", .int(total)), ("created", .int(total))),
            to: nil)
        send("assets.seed.completed", .obj(("scanned", .int(total)), ("total", .int(total))), to: nil)
    }
}
