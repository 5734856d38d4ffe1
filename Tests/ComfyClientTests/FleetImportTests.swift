import ComfyJSON
import Foundation
import Testing

@testable import ComfyClient

@Suite("fleet import: a ComfyUI-Distributed master's workers into the config")
struct FleetImportTests {
    /// The shape of the extension's `gpu_config.json` as `GET /distributed/config` answers it.
    static let answer = """
        {"master": {"host": "", "cuda_device": 0, "extra_args": ""},
         "workers": [
          {"id": "worker_1", "name": "Worker 1", "host": "localhost", "port": 8189, "cuda_device": 1,
           "enabled": true, "extra_args": "", "type": "local"},
          {"id": "box", "name": "Lab box", "host": "10.0.0.7", "port": "8188", "enabled": true, "type": "remote"},
          {"id": "pod", "name": "RunPod A100", "host": "abc123-8188.proxy.runpod.net", "port": 443, "enabled": true,
           "type": "cloud"},
          {"id": "tunnel", "name": "Tunnel", "host": "https://w.example.com/comfy/", "enabled": true, "type": "cloud"},
          {"id": "old", "name": "Old box", "host": "10.0.0.9", "port": 8188, "enabled": false, "type": "remote"}
         ],
         "settings": {"debug": false, "api_token": "s3cret"},
         "tunnel": {"status": "stopped", "public_url": ""}}
        """

    static func parse(_ text: String) throws -> DistributedConfig {
        try DistributedConfig.parse(Array(text.utf8))
    }

    /// The master as this client reaches it.
    static var master: Endpoint {
        get throws { try Endpoint(url: "http://10.0.0.5:8188") }
    }

    @Test("the master and every enabled worker, each at its URL as ComfyUI-Distributed builds it")
    func urls() throws {
        let plan = FleetImport.plan(config: try Self.parse(Self.answer), master: try Self.master, existing: [:])
        #expect(plan.added.map(\.name) == ["master", "worker-1", "lab-box", "runpod-a100", "tunnel"])
        #expect(
            plan.added.map(\.url) == [
                "http://10.0.0.5:8188",
                // localhost on the master is the master's host, as this client reaches it.
                "http://10.0.0.5:8189",
                "http://10.0.0.7:8188",
                "https://abc123-8188.proxy.runpod.net",
                "https://w.example.com/comfy",
            ])
        #expect(plan.added[0].isMaster && !plan.added[1].isMaster)
        #expect(plan.skipped.map(\.label) == ["Old box"])
        #expect(plan.skipped[0].reason.contains("disabled"))
        let all = FleetImport.plan(
            config: try Self.parse(Self.answer), master: try Self.master, existing: [:], includeDisabled: true)
        #expect(all.added.last?.name == "old-box")
        #expect(all.added.last?.disabled == true)
        #expect(all.toml(source: "x", date: Date()).contains("disabled in ComfyUI-Distributed"))
    }

    @Test(
        "worker hosts: loopback and empty are the master's; cloud is https; missing port is 8188",
        arguments: [
            ("", nil, nil, "http://10.0.0.5:8188"),
            ("127.0.0.1", 8190, nil, "http://10.0.0.5:8190"),
            ("0.0.0.0", 8191, "local", "http://10.0.0.5:8191"),
            ("[::1]", 8192, nil, "http://10.0.0.5:8192"),
            ("gpu.lan/extra", 8188, nil, "http://gpu.lan:8188"),
            ("gpu.lan", 8188, "cloud", "https://gpu.lan:8188"),
            ("fe80::1", 9000, "remote", "http://[fe80::1]:9000"),
            ("http://localhost:7000/", nil, nil, "http://10.0.0.5:7000"),
        ] as [(String, Int?, String?, String)])
    func workerURL(host: String, port: Int?, type: String?, url: String) throws {
        let worker = DistributedConfig.Machine(host: host, port: port, type: type)
        #expect(try worker.workerURL(master: try Self.master) == url)
    }

    @Test("a worker's host that is not a host is left out, said why")
    func badHosts() throws {
        for host in ["a b", "evil\"\n[servers.x]", "http://[zz", "host;rm -rf", "ftp://x"] {
            let worker = DistributedConfig.Machine(name: "w", host: host, port: 8188, enabled: true)
            let plan = FleetImport.plan(
                config: DistributedConfig(workers: [worker]), master: try Self.master, existing: [:])
            #expect(plan.added.map(\.name) == ["master"], "\(host)")
            #expect(plan.skipped.first?.reason.contains("host") == true, "\(host)")
        }
    }

    @Test("hostile names become plain keys; the TOML written parses to exactly the planned entries")
    func hostileNames() throws {
        let names = [
            "evil\"]\n[servers.pwned]\nurl = \"http://attacker:1\"", "\u{1B}]52;c;aGk=\u{07}clip", "Küche GPU #2",
            "\u{202E}gnp.exe", "", "###", String(repeating: "x", count: 300),
        ]
        let workers = names.enumerated().map { i, name in
            DistributedConfig.Machine(id: "id\(i)", name: name, host: "10.0.1.\(i + 1)", port: 8188, enabled: true)
        }
        let plan = FleetImport.plan(config: DistributedConfig(workers: workers), master: try Self.master, existing: [:])
        #expect(plan.added.count == names.count + 1)
        for entry in plan.added { #expect(TOMLText.isBareKey(entry.name), "\(entry.name)") }
        #expect(plan.added[1].name == "evil-servers-pwned-url-http-attacker-1")
        #expect(plan.added[3].name == "kuche-gpu-2")
        #expect(plan.added[5].name == "worker-id4")
        #expect(plan.added[7].name.count == 40)
        let toml = plan.toml(source: "http://10.0.0.5:8188", date: Date())
        #expect(!toml.contains("\u{1B}") && !toml.contains("\u{202E}") && !toml.contains("\u{07}"))
        let parsed = try ServerConfig.parse(toml)
        #expect(parsed.servers.count == plan.added.count)
        #expect(parsed.servers["pwned"] == nil)
        for entry in plan.added { #expect(parsed.servers[entry.name]?.url == entry.url) }
        // Each entry's comment is one line: a newline in a name cannot start a table.
        #expect(toml.split(separator: "\n").filter { $0.hasPrefix("[") }.count == plan.added.count)
    }

    @Test("an entry with the same URL is not added again; a name taken by another URL gets a suffix")
    func merging() throws {
        let existing: [String: ServerConfig.Server] = [
            "master": ServerConfig.Server(url: "http://10.0.0.99:8188"),
            "lab": ServerConfig.Server(url: "HTTP://10.0.0.7:8188/"),
            "worker-1": ServerConfig.Server(url: "http://elsewhere:1"),
            "worker-1-2": ServerConfig.Server(url: "http://elsewhere:2"),
        ]
        let plan = FleetImport.plan(config: try Self.parse(Self.answer), master: try Self.master, existing: existing)
        #expect(plan.added.map(\.name) == ["master-2", "worker-1-3", "runpod-a100", "tunnel"])
        #expect(plan.skipped.contains { $0.label == "Lab box" && $0.reason == "already in the config as lab" })
        // Two workers at one address: the second is the same server.
        let twins = DistributedConfig(workers: [
            .init(name: "a", host: "10.0.0.8", port: 8188, enabled: true),
            .init(name: "b", host: "10.0.0.8", port: 8188, enabled: true),
        ])
        let once = FleetImport.plan(config: twins, master: try Self.master, existing: [:])
        #expect(once.added.map(\.name) == ["master", "a"])
        #expect(once.skipped.first?.reason == "the same URL as a")
        // A second import of the same master adds nothing.
        var after = existing
        for entry in plan.added { after[entry.name] = ServerConfig.Server(url: entry.url) }
        let again = FleetImport.plan(config: try Self.parse(Self.answer), master: try Self.master, existing: after)
        #expect(again.added.isEmpty)
        #expect(again.toml(source: "x", date: Date()).isEmpty)
    }

    @Test("--prefix goes before every name; the master's own name is used when it has one")
    func prefix() throws {
        var config = try Self.parse(Self.answer)
        config.master?.name = "Main Rig"
        let plan = FleetImport.plan(config: config, master: try Self.master, existing: [:], prefix: "Studio A")
        #expect(plan.added.map(\.name).prefix(2) == ["studio-a-main-rig", "studio-a-worker-1"])
    }

    @Test("missing fields: no name is worker-ID or worker-N, no port is 8188, no enabled is disabled")
    func missingFields() throws {
        let config = try Self.parse(
            """
            {"workers": [{"id": "7", "host": "10.0.0.7", "enabled": true}, {"host": "10.0.0.8", "enabled": true},
                         {"name": "quiet", "host": "10.0.0.9"}]}
            """)
        #expect(config.master == nil)
        let plan = FleetImport.plan(config: config, master: try Self.master, existing: [:])
        #expect(plan.added.map(\.name) == ["master", "worker-7", "worker-2"])
        #expect(plan.added[1].url == "http://10.0.0.7:8188")
        #expect(plan.skipped.map(\.label) == ["quiet"])
    }

    @Test("answers that are not a ComfyUI-Distributed config are errors; bad workers are left out, said why")
    func badAnswers() throws {
        for text in ["<html>nope</html>", "[1, 2]", "{\"queue_running\": []}", "{\"workers\": 3}", ""] {
            #expect(throws: DistributedConfigError.self, "\(text)") { try Self.parse(text) }
        }
        let config = try Self.parse(
            """
            {"workers": [5, {"name": "p", "host": "h", "port": 70000, "enabled": true},
                         {"name": "q", "host": "h", "port": "x", "enabled": true}, null]}
            """)
        #expect(config.workers.isEmpty)
        #expect(config.problems.count == 4)
        #expect(config.problems[0] == "workers[0] is not an object")
        #expect(config.problems[1].contains("port"))
        let plan = FleetImport.plan(config: config, master: try Self.master, existing: [:])
        #expect(plan.added.map(\.name) == ["master"])
        #expect(plan.skipped.count == 4)
    }

    @Test("the settings (which may hold the extension's token) never reach the plan or the TOML")
    func noSecrets() throws {
        let plan = FleetImport.plan(config: try Self.parse(Self.answer), master: try Self.master, existing: [:])
        #expect(!plan.toml(source: try Self.master.displayURL, date: Date()).contains("s3cret"))
    }
}
