import ArgumentParser
import ComfyClient
import ComfyMock
import Foundation
import Logging

/// Options shared by `mock` and `demo`.
struct MockOptions: ParsableArguments {
    @Option(help: "Address to bind. Loopback by default; use 0.0.0.0 only on a network you trust.")
    var host = "127.0.0.1"

    @Option(help: "Port to listen on (0 picks a free one).")
    var port = 8188

    @Option(
        name: .customLong("data-dir"),
        help: "Folder for input/, output/, temp/ and models/ (default: $XDG_DATA_HOME/comfytop/mock).")
    var dataDir: String?

    @Option(help: "Speed factor for the simulated nodes: 2 runs twice as fast, 0.5 half as fast.")
    var speed = 1.0

    @Flag(name: .customLong("jobs-api"), help: "Also serve the /api/jobs routes of newer ComfyUI servers.")
    var jobsAPI = false

    @Option(
        name: .customLong("server-version"),
        help: "Which ComfyUI to imitate: 0.3.64 (the recorded one) or current (jobs API, client prompt ids, …).")
    var serverVersion: MockServerVersion = .v0_3_64

    @Option(name: .customLong("history-limit"), help: "How many finished prompts history keeps.")
    var historyLimit = 10_000

    @Option(name: .customLong("tls-certfile"), help: "PEM certificate (chain): serve HTTPS/WSS, as ComfyUI does.")
    var tlsCertfile: String?

    @Option(name: .customLong("tls-keyfile"), help: "PEM private key for --tls-certfile.")
    var tlsKeyfile: String?

    @Flag(
        name: .customLong("origin-check"),
        help: "ComfyUI's origin check: 403 to an Origin other than a loopback Host (or COMFYTOP_MOCK_ORIGIN_CHECK=1).")
    var originCheck = false

    func validate() throws {
        guard speed > 0, speed.isFinite else {
            throw ValidationError("--speed must be a positive number, got \(speed).")
        }
        guard (0...65535).contains(port) else { throw ValidationError("--port must be 0…65535, got \(port).") }
        guard historyLimit > 0 else { throw ValidationError("--history-limit must be at least 1.") }
        guard (tlsCertfile == nil) == (tlsKeyfile == nil) else {
            throw ValidationError("--tls-certfile and --tls-keyfile go together.")
        }
    }

    var dataDirectory: URL {
        if let dataDir { return URL(fileURLWithPath: (dataDir as NSString).expandingTildeInPath) }
        return URL(fileURLWithPath: Paths().mockDataDirectory)
    }

    /// Turns a bind failure into a message that says what to do.
    func explain(_ error: any Error) -> any Error {
        let text = String(describing: error)
        if text.contains("Address already in use") {
            return CommandFailure(
                "port \(port) on \(host) is already in use: is ComfyUI or another comfytop mock running there? "
                    + "Stop it, or pick another port with --port (0 picks a free one).")
        }
        if text.contains("Cannot assign requested address") || text.contains("Name or service not known") {
            return CommandFailure(
                "cannot listen on \(host): it is not an address of this machine. Try --host 127.0.0.1.")
        }
        return error
    }

    func server(logger: Logger, echoLogs: Bool) -> MockServer {
        var server = MockServer(
            host: host, port: port,
            configuration: .init(
                dataDirectory: dataDirectory, speed: speed, jobsAPI: jobsAPI, historyLimit: historyLimit,
                echoLogs: echoLogs, serverVersion: serverVersion),
            logger: logger)
        if let tlsCertfile, let tlsKeyfile { server.tls = (tlsCertfile, tlsKeyfile) }
        if originCheck { server.originCheck = true }
        return server
    }
}

struct MockCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mock",
        abstract: "Run a mock ComfyUI server (the API of ComfyUI 0.3.64, simulated nodes, no GPU needed).",
        discussion: """
            Serves the HTTP routes (also under /api) and the /ws WebSocket of a real ComfyUI, with its routing \
            rules, validation errors and history semantics. Nodes: EmptyImage, ImageInvert, ImageScale, SaveImage, \
            PreviewImage, SlowSteps, FailAfter, CheckpointLoaderSimple, LoraLoader, CLIPTextEncode, \
            EmptyLatentImage, KSampler, VAEDecode, LoadImage. Outputs are real PNG files in the data dir.

            Test hooks: POST /mock/fault with a JSON object: {"fail_node": "3"}, {"fail_class": "KSampler"}, \
            {"slow_step_ms": 500}, {"http_500": 2}, {"output_name": "../x.png"}, {"drop_websockets": true}, {"restart": true}, {"clear": true}.
            """)

    @OptionGroup var options: MockOptions

    @Option(
        help: "Run this many independent servers in one process, on ports --port … --port+N-1 (each its own data dir).")
    var servers = 1

    func validate() throws {
        guard (1...MockFleet.maxServers).contains(servers) else {
            throw ValidationError("--servers must be 1…\(MockFleet.maxServers), got \(servers).")
        }
        guard servers == 1 || options.port == 0 || options.port + servers - 1 <= 65535 else {
            throw ValidationError("--port \(options.port) + --servers \(servers) goes past port 65535.")
        }
    }

    func run() async throws {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler(label: label, stream: SafeStandardError())
            handler.logLevel = .info
            return handler
        }
        if servers > 1 { return try await MockFleet.run(options, count: servers) }
        let server = options.server(logger: Logger(label: "comfytop.mock"), echoLogs: true)
        let host = options.host
        let dataDir = options.dataDirectory.path
        let scheme = options.tlsCertfile == nil ? "http" : "https"
        do {
            try await server.run(stopOnSignals: true) { port in
                Output.error(
                    "comfytop mock: ComfyUI \(options.serverVersion.rawValue) API on \(scheme)://\(host):\(port) (data in \(dataDir)); Ctrl-C stops\n"
                )
            }
        } catch {
            throw options.explain(error)
        }
    }
}

struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "The monitor on an embedded mock ComfyUI with a demo workload: try everything without a GPU.",
        discussion: """
            Several simulated clients keep the mock busy: jobs of this monitor (own), a browser-like client \
            (other), anonymous scripts, a job that fails, one that is interrupted, and a cached re-run. \
            Without a terminal (or with --no-monitor) it only runs the mock and prints how to reach it.
            """)

    @OptionGroup var options: MockOptions
    @OptionGroup var screen: ScreenFlags

    @Flag(name: .customLong("no-workload"), help: "Start the mock without the demo workload.")
    var noWorkload = false

    @Flag(name: .customLong("no-monitor"), help: "Only run the mock (and its workload), as `comfytop mock` does.")
    var noMonitor = false

    func run() async throws {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler(label: label, stream: SafeStandardError())
            handler.logLevel = .critical  // nothing may reach the screen while curses owns it
            return handler
        }
        let interactive = !noMonitor && isatty(STDOUT_FILENO) == 1 && isatty(STDIN_FILENO) == 1
        var (server, serverTask, port) = try await start(port: options.port)
        if port == nil, options.port == 8188 {
            // ComfyUI (or another mock) may own 8188: the demo does not need that port.
            (server, serverTask, port) = try await start(port: 0)
        }
        guard let port else {
            throw CommandFailure(
                "the mock could not listen on \(options.host):\(options.port); pick another with --port")
        }
        let url = "http://\(options.host == "0.0.0.0" ? "127.0.0.1" : options.host):\(port)"
        defer { serverTask.cancel() }
        if !interactive {
            if !noWorkload { await server.engine.startDemoWorkload() }
            Output.out(
                """
                comfytop demo: a mock ComfyUI 0.3.64 is running at \(url)\(noWorkload ? "" : " with a demo workload")
                  (no terminal for the monitor; from another terminal: comfytop --url \(url))

                  curl -s \(url)/queue
                  comfytop watch --url \(url)

                Ctrl-C stops the server.

                """)
            _ = await serverTask.result
            return
        }
        let api = try ComfyAPI(endpoint: try Endpoint(url: url))
        // The demo's runs are kept beside the mock's files, not in the user's own store.
        let store = try? LocalHistory(path: LocalHistory.defaultPath(dataDir: options.dataDirectory.path))
        let session = MonitorSession(api: api, store: store)
        if !noWorkload { await server.engine.startDemoWorkload(ownClientID: await session.clientID) }
        try await screen.run(session: session)
        await api.shutdown()
    }

    /// Starts the mock; the port it listens on, or nil when that port is taken.
    private func start(port: Int) async throws -> (MockServer, Task<Void, any Error>, Int?) {
        var opts = options
        opts.port = port
        let server = opts.server(logger: Logger(label: "comfytop.mock"), echoLogs: false)
        let (ports, continuation) = AsyncStream<Int?>.makeStream()
        let task = Task {
            do {
                try await server.run(stopOnSignals: !isatty(STDOUT_FILENO).boolValue) { continuation.yield($0) }
            } catch {
                continuation.yield(nil)
                throw error
            }
        }
        var iterator = ports.makeAsyncIterator()
        let bound = await iterator.next() ?? nil
        return (server, task, bound)
    }
}

extension Int32 {
    fileprivate var boolValue: Bool { self != 0 }
}

extension MockServerVersion: ExpressibleByArgument {}

/// The mock's log on stderr, through ``Output/error(_:)``: what clients sent (a prompt id to interrupt, values in a
/// traceback) is shown with its control characters escaped.
struct SafeStandardError: TextOutputStream, Sendable {
    mutating func write(_ string: String) { Output.error(string) }
}

/// A failure the user can act on; ArgumentParser prints it as `Error: <description>` and exits non-zero.
struct CommandFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
