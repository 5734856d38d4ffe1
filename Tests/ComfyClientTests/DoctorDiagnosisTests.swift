import ComfyJSON
import Foundation
import Testing

@testable import ComfyClient

@Suite struct AuthChallengeTests {
    @Test func basicWithRealm() {
        #expect(
            AuthChallenge.parse(["Basic realm=\"lab box\""]) == [
                AuthChallenge(scheme: "basic", parameters: ["realm": "lab box"])
            ])
    }

    @Test func bearerWithErrorAndSeveralChallengesInOneHeader() {
        let parsed = AuthChallenge.parse([
            "Bearer realm=\"api\", error=\"invalid_token\", error_description=\"The token expired\", Basic realm=\"a, b\""
        ])
        #expect(parsed.map(\.scheme) == ["bearer", "basic"])
        #expect(parsed[0].parameters["error"] == "invalid_token")
        #expect(parsed[0].parameters["error_description"] == "The token expired")
        #expect(parsed[1].realm == "a, b")
    }

    @Test func bareSchemesToken68AndSeveralHeaders() {
        let parsed = AuthChallenge.parse(["Negotiate", "Digest realm=\"r\", nonce=\"n\\\"x\", qop=auth", "NTLM abc=="])
        #expect(parsed.map(\.scheme) == ["negotiate", "digest", "ntlm"])
        #expect(parsed[1].parameters["nonce"] == "n\"x")
        #expect(parsed[1].parameters["qop"] == "auth")
    }

    @Test func emptyAndJunk() {
        #expect(AuthChallenge.parse([]) == [])
        #expect(AuthChallenge.parse([""]) == [])
        #expect(AuthChallenge.parse(["=x"]).isEmpty)
    }
}

@Suite struct ClockSkewTests {
    let base = Date(timeIntervalSince1970: 1_764_320_000)  // 2025-11-28 08:53:20 UTC

    @Test func parsesIMFFixdate() {
        #expect(ClockSkew.parseHTTPDate("Fri, 28 Nov 2025 08:53:20 GMT") == base)
        #expect(ClockSkew.parseHTTPDate("Sun, 06 Nov 1994 08:49:37 GMT")?.timeIntervalSince1970 == 784_111_777)
    }

    @Test(arguments: [
        "", "yesterday", "Fri, 28 Nov 2025 08:53:20 UTC", "Fri, 32 Nov 2025 08:53:20 GMT",
        "Fri, 28 Foo 2025 08:53:20 GMT", "Friday, 28-Nov-25 08:53:20 GMT", "Fri, 28 Nov 2025 25:00:00 GMT",
    ])
    func refusesOtherForms(_ text: String) {
        #expect(ClockSkew.parseHTTPDate(text) == nil)
    }

    @Test func inStepWhenTheDateFallsInTheExchange() throws {
        let skew = try #require(
            ClockSkew(
                dateHeader: "Fri, 28 Nov 2025 08:53:20 GMT", sent: base.addingTimeInterval(0.2),
                received: base.addingTimeInterval(0.4)))
        #expect(abs(skew.seconds - 0.2) < 0.001)
        #expect(abs(skew.uncertainty - 0.6) < 0.001)
        #expect(!skew.isSignificant)
        #expect(DoctorDiagnosis.clock(skew).status == .ok)
    }

    @Test func serverBehindByMinutes() throws {
        let skew = try #require(
            ClockSkew(
                dateHeader: "Fri, 28 Nov 2025 08:48:20 GMT", sent: base, received: base.addingTimeInterval(0.1)))
        #expect(skew.seconds < -299 && skew.seconds > -300)
        #expect(skew.isSignificant)
        let check = DoctorDiagnosis.clock(skew)
        #expect(check.status == .warn)
        #expect(check.summary == "the server's clock is 4 min 59 s behind this machine's")
        #expect(check.fix?.contains("timedatectl set-ntp true") == true)
    }

    @Test func aSlowExchangeWidensTheTolerance() throws {
        // 3 s ahead, but the answer took 4 s: it cannot be told from being in step.
        let skew = try #require(
            ClockSkew(dateHeader: "Fri, 28 Nov 2025 08:53:25 GMT", sent: base, received: base.addingTimeInterval(4)))
        #expect(!skew.isSignificant)
        #expect(ClockSkew(dateHeader: "bad", sent: base, received: base) == nil)
        #expect(DoctorDiagnosis.clock(nil).status == .warn)
    }
}

@Suite struct DoctorDiagnosisTests {
    let now = Date(timeIntervalSince1970: 1_764_320_000)

    func endpoint(_ url: String = "http://gpu-box:8188", auth: Auth = Auth()) throws -> Endpoint {
        try Endpoint(url: url, auth: auth)
    }

    func answer(_ status: Int, headers: [String: [String]] = [:], body: String = "") -> HTTPOutcome {
        .answered(HTTPAnswer(status: status, headers: headers, body: Array(body.utf8), sent: now, received: now))
    }

    @Test func unknownHostAndRefusedPortSayWhatToDo() throws {
        let name = DoctorDiagnosis.resolve(.notFound(detail: "Name or service not known"), host: "gpu-bx")
        #expect(name.status == .fail)
        #expect(name.summary == "gpu-bx does not resolve (Name or service not known)")
        #expect(name.fix?.contains("--url") == true)
        let refused = DoctorDiagnosis.connect(.refused(address: "10.0.0.7"), endpoint: try endpoint())
        #expect(refused.summary == "10.0.0.7 port 8188: connection refused")
        #expect(refused.fix?.contains("--listen") == true)
        #expect(DoctorReport(url: "x", checks: [refused]).exitCode == 3)
        let dns = DoctorDiagnosis.resolve(.temporaryFailure(detail: "Temporary failure"), host: "h")
        #expect(dns.cause?.contains("DNS") == true)
    }

    @Test func tlsFailuresNameOurOptions() throws {
        let e = try endpoint("https://gpu-box:8443/comfy")
        let selfSigned = DoctorDiagnosis.tls(.selfSigned, endpoint: e, now: now)
        #expect(selfSigned.summary == "the server's certificate is self-signed")
        #expect(selfSigned.fix?.contains("--ca-file server.pem") == true)
        #expect(selfSigned.fix?.contains("--insecure") == true)
        #expect(selfSigned.fix?.contains("-connect gpu-box:8443") == true)
        let expired = DoctorDiagnosis.tls(
            .expired(notAfter: Date(timeIntervalSince1970: 1_577_923_200)), endpoint: e, now: now)
        #expect(expired.summary == "the server's certificate expired on 2020-01-02")
        let name = DoctorDiagnosis.tls(.nameMismatch(names: ["comfy.example.org"]), endpoint: e, now: now)
        #expect(name.summary == "the certificate is for comfy.example.org, not gpu-box")
        #expect(name.fix?.hasPrefix("use a name it covers: --url https://comfy.example.org:8443/comfy") == true)
        let plain = DoctorDiagnosis.tls(.notTLS, endpoint: e, now: now)
        #expect(plain.fix == "use http:// instead: --url http://gpu-box:8443/comfy")
        let soon = DoctorDiagnosis.tls(.verified(expires: now.addingTimeInterval(3 * 86_400)), endpoint: e, now: now)
        #expect(soon.status == .warn)
        #expect(DoctorDiagnosis.tls(.unchecked(problem: "self-signed"), endpoint: e, now: now).status == .warn)
        #expect(DoctorReport(url: "x", checks: [selfSigned]).exitCode == 3)
    }

    @Test func certificateNames() {
        #expect(DoctorProbes.certificate(names: ["Comfy.Example.org"], covers: "comfy.example.org"))
        #expect(DoctorProbes.certificate(names: ["*.example.org"], covers: "comfy.example.org"))
        #expect(!DoctorProbes.certificate(names: ["*.example.org"], covers: "a.comfy.example.org"))
        #expect(!DoctorProbes.certificate(names: ["*.example.org"], covers: "example.org"))
        #expect(DoctorProbes.certificate(names: ["localhost", "127.0.0.1"], covers: "127.0.0.1"))
        #expect(DoctorProbes.certificate(names: ["::1"], covers: "0:0::1"))
        #expect(!DoctorProbes.certificate(names: [], covers: "localhost"))
    }

    @Test func basicAuthWantedAndRefused() throws {
        let challenge = ["www-authenticate": ["Basic realm=\"ComfyUI\""]]
        let wanted = DoctorDiagnosis.stats(answer(401, headers: challenge), endpoint: try endpoint())
        #expect(wanted.map(\.status) == [.ok, .fail])
        #expect(wanted[1].summary == "401 Unauthorized: HTTP basic auth wanted (realm \"ComfyUI\")")
        #expect(wanted[1].fix?.hasPrefix("--user NAME --password") == true)
        #expect(wanted[1].fix?.contains("password_env") == true)
        let refused = DoctorDiagnosis.stats(
            answer(401, headers: challenge), endpoint: try endpoint(auth: Auth(basicUser: "alice", basicPassword: "x")))
        #expect(refused[1].summary == "401 Unauthorized: the user and password were refused (realm \"ComfyUI\")")
        #expect(DoctorReport(url: "x", checks: refused).exitCode == 1)
    }

    @Test func bearerTokenWantedOrRefused() throws {
        let headers = ["www-authenticate": ["Bearer error=\"invalid_token\", error_description=\"expired\""]]
        let wanted = DoctorDiagnosis.auth(
            HTTPAnswer(status: 401, headers: headers, sent: now, received: now), endpoint: try endpoint())
        #expect(wanted.summary == "401 Unauthorized: a bearer token wanted")
        #expect(wanted.fix?.contains("--token TOKEN") == true)
        #expect(wanted.fix?.contains("token_env") == true)
        let refused = DoctorDiagnosis.auth(
            HTTPAnswer(status: 401, headers: headers, sent: now, received: now),
            endpoint: try endpoint(auth: Auth(bearerToken: "secret-token")))
        #expect(refused.summary == "401 Unauthorized: the token was refused (expired)")
        let forbidden = DoctorDiagnosis.auth(
            HTTPAnswer(status: 403, sent: now, received: now), endpoint: try endpoint())
        #expect(forbidden.summary == "403 Forbidden")
        #expect(forbidden.cause?.contains("Origin") == true)
    }

    @Test func notFoundAtTheRootSuggestsTheSubPath() throws {
        let found = DoctorDiagnosis.stats(
            answer(404, headers: ["server": ["nginx/1.22.1"]]), endpoint: try endpoint("http://box:8080"),
            subPath: "http://box:8080/comfy")
        #expect(found[0].status == .fail)
        #expect(found[0].summary.hasSuffix("not found (Server: nginx/1.22.1)"))
        #expect(found[0].fix == "ComfyUI answers at http://box:8080/comfy: use --url http://box:8080/comfy")
        #expect(found[1].status == .skipped)
        let unknown = DoctorDiagnosis.stats(answer(404), endpoint: try endpoint("http://box:8080"))
        #expect(unknown[0].cause?.contains("sub-path") == true)
        let wrongPath = DoctorDiagnosis.stats(answer(404), endpoint: try endpoint("http://box:8080/comfyui"))
        #expect(wrongPath[0].cause?.contains("/comfyui") == true)
    }

    @Test func redirectsGatewaysAndPages() throws {
        let https = DoctorDiagnosis.stats(
            answer(301, headers: ["location": ["https://box/system_stats"]]), endpoint: try endpoint("http://box"))
        #expect(https[0].fix == "use --url https://box")
        let login = DoctorDiagnosis.stats(
            answer(302, headers: ["location": ["https://auth.example/oauth2/start?rd=%2F&token=abc"]]),
            endpoint: try endpoint("https://box"))
        #expect(login[0].summary.contains("login page"))
        #expect(!login[0].summary.contains("token=abc"))
        let gateway = DoctorDiagnosis.stats(answer(502), endpoint: try endpoint())
        #expect(gateway[0].cause?.contains("cannot reach ComfyUI") == true)
        let page = DoctorDiagnosis.stats(
            answer(200, headers: ["content-type": ["text/html"]], body: "<html>hi</html>"), endpoint: try endpoint())
        #expect(page[0].summary.hasSuffix("but an HTML page"))
        let ok = DoctorDiagnosis.stats(answer(200, body: "{\"system\": {}}"), endpoint: try endpoint())
        #expect(ok.map(\.status) == [.ok, .ok])
        #expect(ok[1].summary == "none needed")
        let silent = DoctorDiagnosis.stats(.timedOut(seconds: 2), endpoint: try endpoint())
        #expect(silent[0].summary == "no answer within 2 s")
        #expect(DoctorReport(url: "x", checks: silent).exitCode == 3)
        let tlsPort = DoctorDiagnosis.stats(.failed(detail: "closed"), endpoint: try endpoint(), speaksTLS: true)
        #expect(tlsPort[0].fix == "use https://: --url https://gpu-box:8188")
    }

    @Test func webSocketRefusals() throws {
        let e = try endpoint("http://box:8080/comfy")
        let dropped = DoctorDiagnosis.webSocket(.refused(status: 400, challenges: [], server: nil), endpoint: e)
        #expect(dropped.summary == "ws://box:8080/comfy/ws: HTTP 400 instead of 101 Switching Protocols")
        #expect(dropped.fix?.contains("proxy_set_header Upgrade $http_upgrade") == true)
        let origin = DoctorDiagnosis.webSocket(.refused(status: 403, challenges: [], server: nil), endpoint: e)
        #expect(origin.summary == "ws://box:8080/comfy/ws: 403 Forbidden")
        #expect(origin.cause?.contains("comfytop sends no Origin") == true)
        #expect(origin.cause?.contains("adds or rewrites Origin") == true)
        #expect(origin.fix?.contains("proxy_set_header Host $http_host") == true)
        #expect(origin.fix?.contains("--enable-cors-header") == true)
        let ok = DoctorDiagnosis.webSocket(.upgraded(firstMessage: "status"), endpoint: try endpoint("https://box"))
        #expect(ok.summary == "wss://box/ws upgraded; the server greeted with \"status\"")
        #expect(DoctorDiagnosis.webSocket(.upgraded(firstMessage: nil), endpoint: e).status == .warn)
        #expect(DoctorReport(url: "x", checks: [ok, dropped]).exitCode == 1)
    }

    @Test func previewsFromTheCommandLine() {
        #expect(DoctorDiagnosis.previews(argv: ["main.py", "--preview-method", "auto"]).status == .ok)
        #expect(
            DoctorDiagnosis.previews(argv: ["main.py", "--preview-method=taesd"]).summary == "--preview-method taesd")
        let none = DoctorDiagnosis.previews(argv: ["main.py", "--listen"])
        #expect(none.status == .warn)
        #expect(none.fix?.contains("--preview-method auto") == true)
        #expect(DoctorDiagnosis.previews(argv: ["main.py", "--preview-method", "none"]).status == .warn)
        #expect(DoctorDiagnosis.previews(argv: nil).summary == "cannot tell")
    }

    @Test func capabilitiesAndLogs() {
        let old = DoctorDiagnosis.capabilities(ServerCapabilities(version: "0.3.40", features: nil, hasJobsAPI: false))
        #expect(
            old.summary
                == "no /features (a server before 0.3.45), /api/jobs (comfytop reads /queue and /history instead)")
        let new = DoctorDiagnosis.capabilities(
            ServerCapabilities(
                version: "0.38.1", features: .obj(("supports_preview_metadata", .bool(true))), hasJobsAPI: true))
        #expect(new.summary == "/features, preview metadata, /api/jobs")
        #expect(DoctorDiagnosis.capabilities(nil, problem: "boom").status == .warn)
        #expect(DoctorDiagnosis.logs(status: 200).status == .ok)
        #expect(DoctorDiagnosis.logs(status: 404).cause?.contains("other clients") == true)
        #expect(DoctorDiagnosis.logs(status: 200, subscribeStatus: 405).summary.hasSuffix("answered HTTP 405"))
        #expect(DoctorDiagnosis.logs(status: 200, subscribeStatus: 200).status == .ok)
    }

    @Test func reportExitCodesAndJSON() {
        let ok = DoctorCheck(.http, .ok, "fine")
        let warn = DoctorCheck(.previews, .warn, "none")
        #expect(DoctorReport(url: "u", checks: [ok, warn]).exitCode == 0)
        #expect(DoctorReport(url: "u", checks: [ok, warn]).worst == .warn)
        #expect(DoctorReport(url: "u", checks: [DoctorCheck(.config, .fail, "bad")]).exitCode == 2)
        let json = DoctorReport(url: "u", checks: [ok]).json
        #expect(json["ok"] == .bool(true))
        #expect(json["checks"]?[0]?["step"] == .string("http"))
    }

    @Test func upgradeAnswersAndFirstFrames() throws {
        let head = Array("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nServer: x\r\n\r\n".utf8)
        #expect(UpgradeAnswer(Array(head.dropLast(2))) == nil)
        let parsed = try #require(UpgradeAnswer(head))
        #expect(parsed.status == 101)
        #expect(parsed.values("server") == ["x"])
        #expect(parsed.length == head.count)
        let text = Array("{\"type\": \"status\", \"data\": {}}".utf8)
        #expect(UpgradeAnswer.firstMessage([0x81, UInt8(text.count)] + text) == "status")
        #expect(UpgradeAnswer.firstMessage([0x81, UInt8(text.count)] + text.prefix(5)) == nil)
        #expect(UpgradeAnswer.firstMessage([0x82, 1, 0]) == "binary")
        #expect(UpgradeAnswer(Array("garbage\r\n\r\n".utf8)) == nil)
    }
}
