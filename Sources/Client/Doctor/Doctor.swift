import ComfyJSON
import Foundation
import NIOHTTP1

/// `comfytop doctor`: every step between this machine and a working ComfyUI, in order, each a ``DoctorCheck``.
///
/// A step that cannot go on (no address, no connection, a refused certificate, no ComfyUI answer) marks the
/// steps after it `skipped`; the WebSocket and the server's capabilities are looked at whenever `/system_stats`
/// answered, since each says something on its own.
public struct Doctor: Sendable {
    public var endpoint: Endpoint
    public var timeout: Double
    public var now: @Sendable () -> Date

    /// Sub-paths tried when `/system_stats` is not found where the URL says: the names reverse proxies give
    /// ComfyUI most often, and `/api` (ComfyUI serves its whole API there too, so a proxy forwarding only `/api/`
    /// still works).
    public static let subPathGuesses = ["/comfyui", "/comfy", "/ComfyUI", "/api"]

    public init(endpoint: Endpoint, timeout: Double = 10, now: @escaping @Sendable () -> Date = { Date() }) {
        self.endpoint = endpoint
        self.timeout = timeout
        self.now = now
    }

    /// Runs every step; `progress` sees each check as soon as it is known.
    public func run(progress: (DoctorCheck) -> Void = { _ in }) async -> DoctorReport {
        var checks: [DoctorCheck] = []
        // One choke point for secrets: a server may echo a token or password in a body, a header or a URL.
        let scrub = endpoint.scrub
        func add(_ check: DoctorCheck) {
            var clean = check
            clean.summary = scrub(check.summary)
            clean.cause = check.cause.map(scrub)
            clean.fix = check.fix.map(scrub)
            clean.facts = check.facts.map { name, value in
                if case .string(let text) = value { return (name, .string(scrub(text))) }
                return (name, value)
            }
            checks.append(clean)
            progress(clean)
        }
        func finish() -> DoctorReport {
            for step in DoctorCheck.Step.allCases where !checks.contains(where: { $0.step == step }) {
                add(DoctorCheck(step, .skipped, DoctorCheck.notReached))
            }
            return DoctorReport(url: endpoint.displayURL, checks: checks)
        }
        let probes = DoctorProbes(timeout: timeout)

        var caProblem: String?
        do {
            _ = try ComfyAPI.tlsConfiguration(endpoint)
        } catch {
            if case .tls(_, let detail) = error { caProblem = detail } else { caProblem = error.description }
        }
        add(DoctorDiagnosis.config(endpoint, caFileProblem: caProblem))
        if caProblem != nil { return finish() }

        let resolved = await probes.resolve(host: endpoint.host, port: endpoint.port)
        add(DoctorDiagnosis.resolve(resolved, host: endpoint.host))
        guard case .resolved(let addresses) = resolved else { return finish() }

        let connected = await probes.connect(addresses: addresses, port: endpoint.port)
        add(DoctorDiagnosis.connect(connected, endpoint: endpoint))
        guard case .connected(let address, _) = connected else { return finish() }

        if endpoint.isTLS {
            let tls = await probes.tls(endpoint: endpoint, address: address, now: now())
            let check = DoctorDiagnosis.tls(tls, endpoint: endpoint, now: now())
            add(check)
            if check.status == .fail { return finish() }
        } else {
            add(DoctorCheck(.tls, .skipped, "not used (http://)"))
        }

        guard let http = try? DoctorHTTP(endpoint: endpoint, timeout: timeout) else { return finish() }
        await serverSteps(http: http, probes: probes, address: address, add: add)
        await http.shutdown()
        return finish()
    }

    /// `/system_stats` and everything after it.
    private func serverSteps(
        http: DoctorHTTP, probes: DoctorProbes, address: String, add: (DoctorCheck) -> Void
    ) async {
        let stats = await http.get("/system_stats")
        var subPath: String?
        var speaksTLS = false
        switch stats {
        case .answered(let answer) where answer.status == 404 || (answer.status == 200 && !Self.isStats(answer)):
            subPath = await findSubPath(http)
        case .failed where !endpoint.isTLS:
            speaksTLS = await probes.speaksTLS(address: address, port: endpoint.port)
        default: break
        }
        let httpChecks = DoctorDiagnosis.stats(stats, endpoint: endpoint, subPath: subPath, speaksTLS: speaksTLS)
        httpChecks.forEach(add)
        guard httpChecks.allSatisfy({ $0.status != .fail }), case .answered(let answer) = stats,
            let json = try? JSONValue.parse(answer.body)
        else { return }

        add(DoctorDiagnosis.webSocket(await probes.webSocket(endpoint: endpoint), endpoint: endpoint))

        add(DoctorDiagnosis.server(json))
        let api = try? ComfyAPI(endpoint: endpoint, requestTimeout: timeout)
        var capabilities: ServerCapabilities?
        var problem: String?
        do throws(ComfyError) {
            capabilities = try await api?.probe()
        } catch {
            problem = error.description
        }
        await api?.shutdown()
        add(DoctorDiagnosis.capabilities(capabilities, problem: problem))
        var logsStatus: Int?
        if case .answered(let a) = await http.get("/internal/logs/raw") { logsStatus = a.status }
        var subscribeStatus: Int?
        if let logsStatus, (200..<300).contains(logsStatus) {
            // The monitor subscribes its socket's clientId; the server takes any id, so one that is not connected
            // tests the route (PATCH, which a proxy may refuse) without a socket, and is unsubscribed at once.
            let clientID = "comfytop-doctor-" + String(UInt64.random(in: 0...UInt64.max), radix: 16)
            let on = await http.request(
                .PATCH, "/internal/logs/subscribe",
                body: .obj(("clientId", .string(clientID)), ("enabled", .bool(true))))
            if case .answered(let a) = on { subscribeStatus = a.status }
            _ = await http.request(
                .PATCH, "/internal/logs/subscribe",
                body: .obj(("clientId", .string(clientID)), ("enabled", .bool(false))))
        }
        add(DoctorDiagnosis.logs(status: logsStatus, subscribeStatus: subscribeStatus))
        add(DoctorDiagnosis.previews(argv: json["system"]?["argv"]?.arrayValue?.compactMap(\.stringValue)))
        let skew = answer.header("date").flatMap {
            ClockSkew(dateHeader: $0, sent: answer.sent, received: answer.received)
        }
        add(DoctorDiagnosis.clock(skew))
    }

    static func isStats(_ answer: HTTPAnswer) -> Bool {
        (try? JSONValue.parse(answer.body))?["system"] != nil
    }

    /// The first URL (a guessed sub-path, or the root when the URL has a sub-path) where `/system_stats` answers
    /// as ComfyUI.
    private func findSubPath(_ http: DoctorHTTP) async -> String? {
        var guesses = Self.subPathGuesses.map { endpoint.basePath + $0 }
        if !endpoint.basePath.isEmpty { guesses.insert("", at: 0) }
        for base in guesses {
            if case .answered(let answer) = await http.get("/system_stats", basePath: base), answer.status == 200,
                Self.isStats(answer)
            {
                return "\(endpoint.scheme)://\(endpoint.hostHeader)\(base)"
            }
        }
        return nil
    }
}
