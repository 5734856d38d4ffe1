import ComfyJSON
import Foundation
import Testing

@testable import ComfyClient

/// Secrets never leave in a message, and never go to another host.
@Suite("Secrets never leak")
struct SecretsTests {
    static let token = "tok/SECRET+1 x"
    static let password = "pa:ss/WORD"
    static let apiKey = "KEY-abc123-SECRET"

    /// Each auth style with the secrets it carries.
    static func auths() -> [(auth: Auth, secrets: [String])] {
        [
            (Auth(tokenQuery: (name: "token", value: token)), [token]),
            (Auth(bearerToken: token), [token]),
            (Auth(basicUser: "alice", basicPassword: password), [password, "alice:\(password)"]),
            (Auth(headers: ["X-API-Key": apiKey]), [apiKey]),
        ]
    }

    /// Every form of these secrets a message must not contain.
    static func forbidden(_ secrets: [String]) -> [String] {
        secrets.flatMap { [$0, Endpoint.encode($0), Data($0.utf8).base64EncodedString()] }
    }

    static func expectClean(_ text: String, _ secrets: [String], _ context: String) {
        for secret in forbidden(secrets) { #expect(!text.contains(secret), "\(context): \(secret) in \(text)") }
    }

    @Test("a 500 page that echoes the request (raw, percent-encoded, base64, JSON) shows no secret", arguments: 0..<4)
    func echoingServerError(which: Int) async throws {
        let (auth, secrets) = Self.auths()[which]
        let server = try LoopbackServer { request in
            // The request as it came, and each secret in every encoding a server might echo it in.
            let encodings = secrets.map {
                "raw: \($0) pct: \(Endpoint.encode($0)) b64: \(Data($0.utf8).base64EncodedString()) "
                    + "json: \(JSONValue.string($0).pythonJSON)"
            }
            let echo = "<pre>\(request.head)\n\(encodings.joined(separator: "\n"))</pre>"
            return .http("500 Internal Server Error", body: echo)
        }
        defer { server.stop() }
        let api = try ComfyAPI(
            endpoint: try Endpoint(url: "http://127.0.0.1:\(server.port)", auth: auth), requestTimeout: 10)
        defer { Task { await api.shutdown() } }
        do {
            _ = try await api.systemStats()
            Issue.record("a 500 was accepted")
        } catch {
            Self.expectClean(error.description, secrets, "500 echo")
            #expect(error.description.contains("500"))
            #expect(error.description.contains("***"))
        }
    }

    @Test("an HTML login page: the message names the server without the token query", arguments: 0..<4)
    func htmlProxyPage(which: Int) async throws {
        let server = try LoopbackServer { _ in
            .http("200 OK", body: "<html>please log in</html>", headers: ["Content-Type: text/html"])
        }
        defer { server.stop() }
        let api = try ComfyAPI(
            endpoint: try Endpoint(url: "http://127.0.0.1:\(server.port)", auth: Self.auths()[which].auth),
            requestTimeout: 10)
        defer { Task { await api.shutdown() } }
        do {
            _ = try await api.systemStats()
            Issue.record("an HTML page was accepted")
        } catch {
            Self.expectClean(error.description, Self.auths()[which].secrets, "html")
            #expect(error.description.contains("127.0.0.1:\(server.port)/system_stats"))
        }
    }

    @Test("a closed port: the message has no secret")
    func closedPort() async throws {
        let server = try LoopbackServer { _ in .http("200 OK", body: "{}") }
        let port = server.port
        server.stop()
        for (auth, secrets) in Self.auths() {
            let api = try ComfyAPI(
                endpoint: try Endpoint(url: "http://127.0.0.1:\(port)", auth: auth), requestTimeout: 5)
            defer { Task { await api.shutdown() } }
            do {
                _ = try await api.queue()
                Issue.record("a closed port answered")
            } catch {
                Self.expectClean(error.description, secrets, "closed")
            }
        }
    }

    @Test("a redirect to another host gets no credentials: no Authorization, no custom header, no token query")
    func crossHostRedirect() async throws {
        // Another host: 127.0.0.2 (not "localhost", which may resolve to ::1, where another test's mock may listen).
        let elsewhere = try LoopbackServer(host: "127.0.0.2") { _ in
            .http("200 OK", body: #"{"system": {}, "devices": []}"#)
        }
        defer { elsewhere.stop() }
        let origin = try LoopbackServer { request in
            // Same origin first (credentials still go), then another host.
            if request.path.hasPrefix("/system_stats") {
                return .http("302 Found", body: "", headers: ["Location: /moved?token=\(Endpoint.encode(Self.token))"])
            }
            return .http(
                "307 Temporary Redirect", body: "",
                headers: ["Location: http://127.0.0.2:\(elsewhere.port)/x?token=\(Endpoint.encode(Self.token))&a=1"])
        }
        defer { origin.stop() }
        for (auth, secrets) in Self.auths() {
            let api = try ComfyAPI(
                endpoint: try Endpoint(url: "http://127.0.0.1:\(origin.port)", auth: auth), requestTimeout: 10)
            defer { Task { await api.shutdown() } }
            let before = elsewhere.requests.count
            _ = try await api.systemStats()
            #expect(elsewhere.requests.count == before + 1)
            for request in elsewhere.requests.dropFirst(before) {
                Self.expectClean(request.head, secrets, "sent to another host")
                #expect(request.header("Authorization") == nil)
                #expect(request.header("X-API-Key") == nil)
                #expect(request.path.contains("a=1"))
            }
        }
        #expect(origin.requests.count == 8)
        #expect(origin.requests.filter { $0.path.hasPrefix("/moved") }.count == 4)
        // The origin got the credentials on both hops.
        #expect(origin.requests.filter { $0.header("X-API-Key") == Self.apiKey }.count == 2)
        #expect(origin.requests.filter { $0.header("Authorization") != nil }.count == 4)
    }

    @Test("the scrubber masks every encoding and strips URL queries and userinfo")
    func scrubber() throws {
        let endpoint = try Endpoint(
            url: "http://h:1",
            auth: Auth(
                basicUser: "alice", basicPassword: Self.password, headers: ["X-API-Key": Self.apiKey],
                tokenQuery: (name: "token", value: Self.token)))
        let text =
            "GET https://bob:hunter2@gpu:8188/sub/ws?clientId=abc&token=zzz#frag then "
            + Endpoint.encode(Self.token) + " " + Endpoint.lowercaseHexForTests(Endpoint.encode(Self.password)) + " "
            + Data("alice:\(Self.password)".utf8).base64EncodedString() + " " + Self.apiKey
        let scrubbed = endpoint.scrub(text)
        Self.expectClean(scrubbed, [Self.token, Self.password, Self.apiKey, "alice:\(Self.password)"], "scrub")
        #expect(!scrubbed.contains("hunter2") && !scrubbed.contains("clientId") && !scrubbed.contains("frag"))
        #expect(scrubbed.hasPrefix("GET https://gpu:8188/sub/ws then "))
        #expect(Endpoint.stripURLSecrets("no url here") == "no url here")
        do {
            _ = try Endpoint(url: "http://u:p4ss@h:1/x?token=abc")
            Issue.record("a URL with a query was accepted")
        } catch {
            #expect(!error.description.contains("p4ss") && !error.description.contains("abc"))
        }
    }
}

extension Endpoint {
    static func lowercaseHexForTests(_ text: String) -> String { Auth.lowercaseHex(text) }
}
