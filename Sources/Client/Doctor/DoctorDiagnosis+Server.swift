import ComfyJSON
import Foundation

extension DoctorDiagnosis {
    static let upgradeFix =
        "have the proxy forward the upgrade (nginx: proxy_http_version 1.1; proxy_set_header Upgrade $http_upgrade; "
        + "proxy_set_header Connection \"upgrade\"; Caddy and Traefik forward it by themselves)"

    /// The `/ws` upgrade as comfytop sends it: `Host` and credentials, no `Origin` (so ComfyUI's origin check
    /// passes it unless something in between adds one).
    public static func webSocket(_ outcome: WebSocketOutcome, endpoint: Endpoint) -> DoctorCheck {
        let url = (endpoint.isTLS ? "wss://" : "ws://") + endpoint.hostHeader + endpoint.basePath + "/ws"
        var facts: [(String, JSONValue)] = [("url", .string(url))]
        switch outcome {
        case .upgraded(let first):
            if let first {
                facts.append(("first_message", .string(first)))
                return DoctorCheck(
                    .websocket, .ok, "\(url) upgraded; the server greeted with \"\(first)\"", facts: facts)
            }
            return DoctorCheck(
                .websocket, .warn, "\(url) upgraded, but no message came",
                cause: "ComfyUI greets every socket at once with a status message: a proxy may be buffering the "
                    + "socket's frames",
                fix: "turn buffering off for /ws in the proxy (nginx: proxy_buffering off;)", facts: facts)
        case .refused(let status, let challenges, let server):
            facts.append(("status", .int(status)))
            if let server { facts.append(("server", .string(server))) }
            let via = server.map { " (Server: \($0))" } ?? ""
            switch status {
            case 403:
                return DoctorCheck(
                    .websocket, .fail, "\(url): 403 Forbidden\(via)",
                    cause: "the upgrade was refused. comfytop sends no Origin header, so ComfyUI's origin check "
                        + "refuses it only when a proxy adds or rewrites Origin to name a host other than the (loopback) "
                        + "Host it passes; or a rule of the proxy for /ws refuses it",
                    fix: "have the proxy leave Origin alone (nginx: no proxy_set_header Origin) or pass the "
                        + "client's Host (proxy_set_header Host $http_host;), or start ComfyUI with "
                        + "--enable-cors-header; else allow /ws in the proxy",
                    facts: facts)
            case 401:
                let scheme = challenges.first.map { " (\($0.scheme))" } ?? ""
                return DoctorCheck(
                    .websocket, .fail, "\(url): 401 Unauthorized\(scheme)",
                    cause: "the proxy wants credentials for the socket that it did not want for HTTP (browsers "
                        + "send a cookie there)",
                    fix: "pass credentials it accepts on the upgrade: --token, --user/--password, --header, or "
                        + "--token-query token=… for gateways that read the socket's token from the URL",
                    facts: facts)
            case 404:
                return DoctorCheck(
                    .websocket, .fail, "\(url): 404 Not Found\(via)",
                    cause: "the proxy does not route /ws to ComfyUI",
                    fix: "route \(endpoint.basePath)/ws to ComfyUI "
                        + "too, and " + upgradeFix,
                    facts: facts)
            case 502, 503, 504:
                return DoctorCheck(
                    .websocket, .fail, "\(url): HTTP \(status)\(via)",
                    cause: "the proxy could not open the socket to ComfyUI", fix: upgradeFix, facts: facts)
            default:
                return DoctorCheck(
                    .websocket, .fail, "\(url): HTTP \(status) instead of 101 Switching Protocols\(via)",
                    cause: "the upgrade did not reach ComfyUI: a proxy in front drops the Upgrade and Connection "
                        + "headers (ComfyUI answers a plain GET /ws with 400). Without the socket comfytop sees no "
                        + "progress, only what it polls",
                    fix: upgradeFix, facts: facts)
            }
        case .closed:
            return DoctorCheck(
                .websocket, .fail, "\(url): the connection closed without an answer",
                cause: "a proxy or the server dropped the upgrade request", fix: upgradeFix, facts: facts)
        case .timedOut(let seconds):
            return DoctorCheck(
                .websocket, .fail, "\(url): no answer to the upgrade in \(ComfyError.format(seconds)) s",
                cause: "a proxy holds the upgrade request without answering", fix: upgradeFix, facts: facts)
        case .failed(let detail):
            return DoctorCheck(
                .websocket, .fail, "\(url): \(detail)", cause: "the socket could not be opened", fix: upgradeFix,
                facts: facts)
        }
    }

    /// The server's version and devices, from `/system_stats`.
    public static func server(_ stats: JSONValue) -> DoctorCheck {
        let parsed = SystemStats(stats)
        var parts = ["ComfyUI \(parsed.comfyUIVersion ?? "(version not said)")"]
        if let python = parsed.pythonVersion?.split(separator: " ").first { parts.append("Python \(python)") }
        if let torch = parsed.pytorchVersion { parts.append("PyTorch \(torch)") }
        let devices = parsed.devices.map(\.name)
        if !devices.isEmpty { parts.append(devices.prefix(2).joined(separator: ", ")) }
        let facts: [(String, JSONValue)] = [
            ("version", .optional(parsed.comfyUIVersion)), ("python", .optional(parsed.pythonVersion)),
            ("devices", .array(devices.map { .string($0) })),
        ]
        if parsed.comfyUIVersion == nil {
            return DoctorCheck(
                .server, .warn, parts.joined(separator: ", "),
                cause: "a ComfyUI older than 0.2 does not say its version; comfytop treats it as old",
                fix: "update ComfyUI (git pull, or the desktop app's update)", facts: facts)
        }
        return DoctorCheck(.server, .ok, parts.joined(separator: ", "), facts: facts)
    }

    /// What the server offers beyond the 0.3 API, from ``ServerCapabilities`` (`ComfyAPI.probe()`): `/features`
    /// and its flags, `/api/jobs`. Nil when the probe failed.
    public static func capabilities(_ capabilities: ServerCapabilities?, problem: String? = nil) -> DoctorCheck {
        guard let capabilities else {
            return DoctorCheck(
                .capabilities, .warn, "could not be read" + (problem.map { ": \($0)" } ?? ""),
                cause: "comfytop asks /features and /api/jobs to know what the server can do; without them it "
                    + "assumes the oldest behaviour", fix: nil)
        }
        var have: [String] = []
        var lacks: [String] = []
        if capabilities.hasFeatures {
            have.append("/features")
            if capabilities.previewMetadata {
                have.append("preview metadata")
            } else {
                lacks.append("preview metadata")
            }
            if let size = capabilities.maxUploadSize { have.append("uploads up to \(size / (1024 * 1024)) MiB") }
            if capabilities.assets { have.append("assets") }
            if capabilities.managerV4 { have.append("Manager v4") }
        } else {
            lacks.append("/features (a server before 0.3.45)")
        }
        if capabilities.hasJobsAPI { have.append("/api/jobs") } else { lacks.append("/api/jobs") }
        var facts: [(String, JSONValue)] = [
            ("features", capabilities.features ?? .null), ("jobs_api", .bool(capabilities.hasJobsAPI)),
            ("preview_metadata", .bool(capabilities.previewMetadata)),
        ]
        if let environment = capabilities.deployEnvironment {
            facts.append(("deploy_environment", .string(environment)))
        }
        var summary = have.joined(separator: ", ")
        if !lacks.isEmpty { summary += (summary.isEmpty ? "" : "; ") + "no " + lacks.joined(separator: ", ") }
        if !capabilities.hasJobsAPI { summary += " (comfytop reads /queue and /history instead)" }
        return DoctorCheck(.capabilities, .ok, summary, facts: facts)
    }

    /// `/internal/logs/raw` and `PATCH /internal/logs/subscribe`: whether the server's log can be followed (the
    /// monitor subscribes to it for the sampler steps of other clients' jobs, which ComfyUI sends only to the
    /// submitting socket).
    public static func logs(status: Int?, subscribeStatus: Int? = nil) -> DoctorCheck {
        let lost =
            "without the server's log the monitor cannot show the steps of jobs other clients queued (their nodes "
            + "show as unknown)"
        guard let status else {
            return DoctorCheck(.logs, .warn, "no answer from /internal/logs/raw", cause: lost, fix: nil)
        }
        var facts: [(String, JSONValue)] = [("status", .int(status))]
        if let subscribeStatus { facts.append(("subscribe_status", .int(subscribeStatus))) }
        guard (200..<300).contains(status) else {
            return DoctorCheck(
                .logs, .warn, "/internal/logs/raw answered HTTP \(status)",
                cause: lost + "; a proxy that forwards only some paths, or a server older than 0.3.0",
                fix: "forward /internal/ too in the proxy, or update ComfyUI", facts: facts)
        }
        if let subscribeStatus, !(200..<300).contains(subscribeStatus) {
            return DoctorCheck(
                .logs, .warn, "the log can be read, but subscribing answered HTTP \(subscribeStatus)",
                cause: lost + "; the subscription is a PATCH request, which this proxy or server refuses",
                fix: "allow PATCH to /internal/logs/subscribe in the proxy", facts: facts)
        }
        return DoctorCheck(
            .logs, .ok, "/internal/logs answers: the monitor shows other clients' sampler steps", facts: facts)
    }

    /// Previews: ComfyUI sends none unless started with `--preview-method` (or, from 0.5.0, asked per prompt).
    /// `/system_stats` carries the server's command line (`system.argv`), which says.
    public static func previews(argv: [String]?) -> DoctorCheck {
        guard let argv else {
            return DoctorCheck(
                .previews, .warn, "cannot tell",
                cause: "the server does not show its command line in /system_stats, so its --preview-method is "
                    + "unknown",
                fix: "if no previews appear, start ComfyUI with --preview-method auto")
        }
        var method: String?
        for (i, arg) in argv.enumerated() {
            if arg == "--preview-method", i + 1 < argv.count { method = argv[i + 1] }
            if arg.hasPrefix("--preview-method=") { method = String(arg.dropFirst("--preview-method=".count)) }
        }
        let facts: [(String, JSONValue)] = [("preview_method", .optional(method))]
        guard let method, method != "none" else {
            return DoctorCheck(
                .previews, .warn, "the server was started without a preview method",
                cause: "ComfyUI's default is --preview-method none: no preview images during sampling (servers from "
                    + "0.5.0 send them when a prompt asks through extra_data.preview_method)",
                fix: "start ComfyUI with --preview-method auto (or taesd for better pictures)", facts: facts)
        }
        return DoctorCheck(.previews, .ok, "--preview-method \(method)", facts: facts)
    }

    /// The server's clock against this machine's.
    public static func clock(_ skew: ClockSkew?) -> DoctorCheck {
        guard let skew else {
            return DoctorCheck(
                .clock, .warn, "the server sent no usable Date header",
                cause: "the clocks cannot be compared; times from the server's history may be off",
                fix: "make sure both machines keep time with NTP (timedatectl set-ntp true)")
        }
        let amount = ClockSkew.describe(skew.seconds)
        let facts: [(String, JSONValue)] = [
            ("skew_seconds", .double(skew.seconds)), ("uncertainty", .double(skew.uncertainty)),
        ]
        guard skew.isSignificant else {
            return DoctorCheck(
                .clock, .ok,
                "in step with this machine (within \(String(format: "%.1f", skew.uncertainty + ClockSkew.tolerance)) s)",
                facts: facts)
        }
        let direction = skew.seconds > 0 ? "ahead of" : "behind"
        return DoctorCheck(
            .clock, .warn, "the server's clock is \(amount) \(direction) this machine's",
            cause: "comfytop compares the server's timestamps (a run's start and end, queue waits) with this "
                + "machine's clock: elapsed times, \"ago\" and ETAs are off by that much",
            fix: "turn on NTP on the machine that is wrong (timedatectl set-ntp true)", facts: facts)
    }
}
