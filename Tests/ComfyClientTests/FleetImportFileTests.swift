import ComfyJSON
import Foundation
import Testing

@testable import ComfyClient

#if canImport(Glibc)
    import Glibc
#endif

@Suite("fleet import: appending to the config file, and reading a master's answer")
struct FleetImportFileTests {
    static func folder() throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("comfytop-import-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir.path
    }

    static func mode(_ path: String) -> mode_t {
        var info = stat()
        return stat(path, &info) == 0 ? info.st_mode & 0o7777 : 0
    }

    @Test("the user's text stays byte for byte; the new entries go after it, on a line of their own")
    func appending() {
        let block = "\n# From x\n[servers.a]\nurl = \"http://a:1\"\n"
        #expect(ConfigFileEditor.appending(block, to: "x = 1  # mine") == "x = 1  # mine\n" + block)
        #expect(ConfigFileEditor.appending(block, to: "x = 1\n") == "x = 1\n" + block)
        #expect(ConfigFileEditor.appending(block, to: "") == "# From x\n[servers.a]\nurl = \"http://a:1\"\n")
    }

    @Test("a missing file is created (its folder too), readable by its owner only")
    func creates() throws {
        let dir = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/comfytop/config.toml"
        #expect(try ConfigFileEditor.read(path) == "")
        try ConfigFileEditor.write("[servers.a]\nurl = \"http://a:1\"\n", to: path)
        #expect(try ConfigFileEditor.read(path) == "[servers.a]\nurl = \"http://a:1\"\n")
        #expect(Self.mode(path) == 0o600)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir + "/comfytop") == ["config.toml"])
    }

    @Test("an existing file keeps its permissions; a symbolic link is followed, not replaced")
    func keepsModeAndLink() throws {
        let dir = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let real = dir + "/dotfiles-config.toml"
        try "x = 1\n".write(toFile: real, atomically: false, encoding: .utf8)
        chmod(real, 0o640)
        let link = dir + "/config.toml"
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: real)
        try ConfigFileEditor.write("x = 1\ny = 2\n", to: link)
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: link) == real)
        #expect(try String(contentsOfFile: real, encoding: .utf8) == "x = 1\ny = 2\n")
        #expect(Self.mode(real) == 0o640)
    }

    @Test("a master's answer: the config read; 404, 403 and a page that is not JSON say what to do")
    func fetch() async throws {
        let answer =
            #"{"master": {"host": ""}, "workers": [{"name": "w", "host": "localhost", "port": 9, "enabled": true}]}"#
        let server = try LoopbackServer { request in
            switch request.path {
            case "/ok/distributed/config": return .http("200 OK", body: answer)
            case "/locked/distributed/config": return .http("403 Forbidden", body: #"{"error": "Unauthorized"}"#)
            case "/page/distributed/config": return .http("200 OK", body: "<html>hello</html>")
            default: return .http("404 Not Found", body: "404: Not Found")
            }
        }
        defer { server.stop() }
        func fetch(_ sub: String) async throws -> Result<DistributedConfig, DistributedConfigError> {
            let api = try ComfyAPI(endpoint: try Endpoint(url: "http://127.0.0.1:\(server.port)\(sub)"))
            defer { Task { await api.shutdown() } }
            do throws(DistributedConfigError) {
                return .success(try await DistributedConfig.fetch(from: api))
            } catch {
                return .failure(error)
            }
        }
        let base = "http://127.0.0.1:\(server.port)"
        #expect(try await fetch("/ok").get().workers.map(\.port) == [9])
        guard case .failure(let missing) = try await fetch("/none") else { throw FleetTestError("no error") }
        #expect(
            missing.description == "\(base)/none has no /distributed/config: is ComfyUI-Distributed installed on it?")
        #expect(!missing.isUnreachable)
        guard case .failure(let locked) = try await fetch("/locked") else { throw FleetTestError("no error") }
        #expect(locked.description.contains("X-Distributed-Token"))
        guard case .failure(let page) = try await fetch("/page") else { throw FleetTestError("no error") }
        #expect(page.description.contains("not a ComfyUI-Distributed config"))
        let refused = try SilentListener.freePort()
        let api = try ComfyAPI(endpoint: try Endpoint(url: "http://127.0.0.1:\(refused)"))
        defer { Task { await api.shutdown() } }
        await #expect(throws: DistributedConfigError.self) { try await DistributedConfig.fetch(from: api) }
        do throws(DistributedConfigError) {
            _ = try await DistributedConfig.fetch(from: api)
        } catch {
            #expect(error.isUnreachable)
        }
    }
}
