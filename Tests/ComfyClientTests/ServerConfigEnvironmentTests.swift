import Foundation
import Testing

@testable import ComfyClient

/// An empty environment variable counts as unset, as shells make them easily (`COMFYUI_TOKEN= comfytop …`).
struct ServerConfigEnvironmentTests {
    @Test("an empty COMFYUI_TOKEN sends no Authorization and leaves basic auth alone")
    func emptyToken() throws {
        var options = ServerOptions()
        var endpoint = try options.resolve(config: ServerConfig(), environment: ["COMFYUI_TOKEN": ""])
        #expect(endpoint.auth.bearerToken == nil)
        #expect(!endpoint.auth.httpHeaders.contains { $0.0 == "Authorization" })
        options.user = "alice"
        options.password = "pw"
        endpoint = try options.resolve(config: ServerConfig(), environment: ["COMFYUI_TOKEN": ""])
        #expect(endpoint.auth.httpHeaders.filter { $0.0 == "Authorization" }.map(\.1) == ["Basic YWxpY2U6cHc="])
        // A token that is set still wins.
        endpoint = try options.resolve(config: ServerConfig(), environment: ["COMFYUI_TOKEN": "t1"])
        #expect(endpoint.auth.bearerToken == "t1")
    }

    @Test("an empty token_env variable or COMFYUI_URL counts as unset")
    func emptyConfigVariables() throws {
        let config = try ServerConfig.parse(
            """
            default = "lab"
            [servers.lab]
            url = "http://lab:8188"
            token_env = "LAB_TOKEN"
            password_env = "LAB_PASSWORD"
            user = "bob"
            """)
        let endpoint = try ServerOptions().resolve(
            config: config, environment: ["COMFYUI_URL": "", "LAB_TOKEN": "", "LAB_PASSWORD": "", "COMFYUI_TOKEN": ""])
        #expect(endpoint.displayURL == "http://lab:8188")
        #expect(endpoint.auth.bearerToken == nil)
        #expect(endpoint.auth.basicPassword == nil)
    }
}
