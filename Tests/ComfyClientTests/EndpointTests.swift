import ComfyJSON
import Foundation
import Testing

@testable import ComfyClient

@Suite("Endpoint, auth and config")
struct EndpointTests {
    @Test(
        "URLs: defaults, ports, sub-paths, WebSocket URL",
        arguments: [
            ("127.0.0.1:8188", "http://127.0.0.1:8188", "ws://127.0.0.1:8188/ws?clientId=me"),
            ("https://example.com/comfy/", "https://example.com/comfy", "wss://example.com/comfy/ws?clientId=me"),
            ("http://gpu:80", "http://gpu", "ws://gpu/ws?clientId=me"),
            ("ws://[::1]:8188", "http://[::1]:8188", "ws://[::1]:8188/ws?clientId=me"),
        ])
    func urls(input: String, display: String, ws: String) throws {
        let endpoint = try Endpoint(url: input)
        #expect(endpoint.displayURL == display)
        #expect(endpoint.webSocketURL(clientID: "me") == ws)
    }

    @Test("bad URLs say what is wrong", arguments: ["ftp://x", "http://", "http://h/?a=b"])
    func badURLs(input: String) {
        #expect(throws: ComfyError.self) { try Endpoint(url: input) }
    }

    @Test("secrets never appear in displayed URLs, summaries or scrubbed messages")
    func secrets() throws {
        let auth = Auth(
            bearerToken: "tok-SECRET", headers: ["X-API-Key": "key-SECRET"], tokenQuery: ("token", "q-SECRET"))
        let endpoint = try Endpoint(url: "https://h/comfy", auth: auth)
        #expect(!endpoint.displayURL.contains("SECRET"))
        #expect(!auth.summary.contains("SECRET"))
        #expect(endpoint.url("/prompt").contains("token=q-SECRET"))
        #expect(
            endpoint.scrub("failed: \(endpoint.url("/prompt")) Bearer tok-SECRET")
                == "failed: https://h/comfy/prompt Bearer ***")
        let error = ComfyError.unauthorized(url: endpoint.displayURL, status: 401, authSummary: auth.summary)
        #expect(!error.description.contains("SECRET"))
    }

    @Test("server selection: --url, then --server, then COMFYUI_URL, then the config default")
    func resolution() throws {
        let config = try ServerConfig.parse(
            """
            default = "lab"
            [servers.lab]
            url = "http://lab:8188"
            token_env = "LAB_TOKEN"
            [servers.gpu]
            url = "https://gpu/comfy"
            user = "alice"
            password = "pw"
            headers = { "X-Team" = "render" }
            """)
        var options = ServerOptions()
        let env = ["LAB_TOKEN": "t1"]
        var endpoint = try options.resolve(config: config, environment: env)
        #expect(endpoint.displayURL == "http://lab:8188")
        #expect(endpoint.auth.bearerToken == "t1")
        options.server = "gpu"
        endpoint = try options.resolve(config: config, environment: env)
        #expect(endpoint.displayURL == "https://gpu/comfy")
        #expect(endpoint.auth.httpHeaders.contains { $0 == ("Authorization", "Basic YWxpY2U6cHc=") })
        #expect(endpoint.auth.headers["X-Team"] == "render")
        options.server = nil
        endpoint = try options.resolve(config: config, environment: ["COMFYUI_URL": "http://env:1"])
        #expect(endpoint.displayURL == "http://env:1")
        options.url = "http://flag:2"
        endpoint = try options.resolve(config: config, environment: ["COMFYUI_URL": "http://env:1"])
        #expect(endpoint.displayURL == "http://flag:2")
        options.url = nil
        options.server = "nope"
        #expect(throws: ComfyError.self) { try options.resolve(config: config, environment: [:]) }
    }

    @Test("a broken config file names the line")
    func brokenConfig() {
        do {
            _ = try ServerConfig.parse("[servers.x\nurl = 1", path: "/tmp/c.toml")
            Issue.record("expected an error")
        } catch {
            #expect(error.description.contains("/tmp/c.toml") && error.description.contains("line 1"))
        }
    }

    @Test("a table header split over two lines is refused with its line, not an abort in the TOML parser")
    func splitHeader() {
        do {
            _ = try ServerConfig.parse("default = \"a\"\n[\nservers.gpu]\nurl = \"http://x\"\n", path: "/tmp/c.toml")
            Issue.record("expected an error")
        } catch {
            #expect(
                error.description
                    == "/tmp/c.toml: config file is not valid TOML at line 2: a [table] header must be on one line")
        }
        // Arrays across lines, brackets in strings and comments are not headers.
        #expect(ServerConfig.splitHeader("x = [\n  [1, 2],\n]\ny = \"[\"\n# [\n[servers.a]\n") == nil)
    }

    @Test("reconnect delays grow exponentially, are capped, and jitter stays within bounds")
    func backoff() {
        let policy = ReconnectPolicy(initialDelay: 0.5, maxDelay: 10, multiplier: 2, jitter: 0.2)
        #expect(policy.delay(attempt: 1, random: 0.5) == 0.5)
        #expect(policy.delay(attempt: 3, random: 0.5) == 2)
        #expect(policy.delay(attempt: 20, random: 0.5) == 10)
        #expect(policy.delay(attempt: 2, random: 0) == 0.8)
        #expect(policy.delay(attempt: 2, random: 1) == 1.2)
    }

    @Test("error messages, word for word")
    func messages() {
        #expect(
            ComfyError.connectionRefused(url: "http://127.0.0.1:8188").description
                == "cannot connect to http://127.0.0.1:8188: connection refused. Is ComfyUI running at http://127.0.0.1:8188? Start it, or point comfytop elsewhere with --url or COMFYUI_URL."
        )
        let nodes = NodeValidationError.list(
            .obj(
                (
                    "7",
                    .obj(
                        (
                            "errors",
                            [
                                .obj(
                                    ("type", "required_input_missing"), ("message", "Required input is missing"),
                                    ("details", "model"))
                            ]
                        ),
                        ("class_type", "KSampler"))
                )))
        #expect(nodes.map(\.rendered) == ["node 7 KSampler: Required input is missing: model"])
        #expect(
            ComfyError.validation(
                type: "prompt_outputs_failed_validation", message: "Prompt outputs failed validation", details: "",
                nodes: nodes
            ).description
                == "the workflow was rejected (prompt_outputs_failed_validation): Prompt outputs failed validation\n  node 7 KSampler: Required input is missing: model"
        )
    }
}
