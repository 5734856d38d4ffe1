import ComfyJSON
import Foundation
import Logging

/// A frame queued for one WebSocket connection.
enum OutFrame: Sendable {
    case text(String)
    case binary([UInt8])
    case close
}

/// Test hooks: faults the mock injects on request (`POST /mock/fault`).
struct Faults: Sendable {
    var failNodeID: String?
    var failClass: String?
    var slowStepMS = 0
    var http500Remaining = 0
    /// Report this file name (and subfolder) for saved images instead of the real one: hostile-name tests.
    var outputName: String?
    var outputSubfolder: String?
}

/// Everything the mock server knows and does: the prompt queue, the worker, history, sockets and logs.
/// One actor, so the routing rules can be applied exactly as the single-threaded Python server does.
public actor MockEngine {
    public struct Configuration: Sendable {
        public var dataDirectory: URL
        public var speed: Double
        public var jobsAPI: Bool
        public var historyLimit: Int
        public var echoLogs: Bool
        /// Which ComfyUI to imitate (`current` implies the jobs API).
        public var serverVersion: MockServerVersion

        public init(
            dataDirectory: URL, speed: Double = 1, jobsAPI: Bool = false, historyLimit: Int = 10_000,
            echoLogs: Bool = false, serverVersion: MockServerVersion = .v0_3_64
        ) {
            self.dataDirectory = dataDirectory
            self.speed = speed
            self.serverVersion = serverVersion
            self.jobsAPI = jobsAPI || serverVersion == .current
            self.historyLimit = historyLimit
            self.echoLogs = echoLogs
        }
    }

    struct Connection {
        let id: Int
        let continuation: AsyncStream<OutFrame>.Continuation
    }

    let config: Configuration
    let files: DataDirectory
    let logger: Logger
    let baseCatalog = NodeCatalog.standard

    var number = 0
    var pending: [QueueItem] = []
    var running: QueueItem?
    var history: HistoryStore
    var sockets: [String: Connection] = [:]
    var socketFlags: [String: JSONValue] = [:]
    var allConnections: [Int: Connection] = [:]
    var nextConnectionID = 0
    var logs = LogBuffer()
    var logSubscribers: Set<String> = []
    var cache: [String: CachedNode] = [:]
    var interruptFlag = false
    var currentClientID: String?
    var lastNodeID: String?
    var faults = Faults()
    var generation = 0
    var worker: Task<Void, Never>?
    var wake: CheckedContinuation<Void, Never>?
    var modelsLoaded = false
    var demoTask: Task<Void, Never>?
    var assetsSeeded = false

    public init(configuration: Configuration, logger: Logger = Logger(label: "comfytop.mock")) {
        self.config = configuration
        self.files = DataDirectory(root: configuration.dataDirectory)
        self.history = HistoryStore(limit: configuration.historyLimit)
        self.logger = logger
    }

    /// Prepares the data directory and starts the worker. Call once before serving.
    public func start() throws {
        try files.prepare()
        for line in [
            "Total VRAM 24564 MB, total RAM 64215 MB\n", "pytorch version: mock (comfytop)\n",
            "Device: cuda:0 Mock GPU : cudaMallocAsync\n", "ComfyUI version: \(config.serverVersion.versionString)\n",
            "Starting server\n\n",
        ] {
            log(line)
        }
        startWorker()
    }

    public func stop() {
        demoTask?.cancel()
        demoTask = nil
        worker?.cancel()
        worker = nil
        wake?.resume()
        wake = nil
        for connection in allConnections.values { connection.continuation.finish() }
        allConnections = [:]
        sockets = [:]
    }

    func startWorker() {
        worker = Task { [weak self] in
            while !Task.isCancelled {
                guard let self, let item = await self.nextItem() else { return }
                await self.execute(item)
            }
        }
    }

    var catalog: NodeCatalog { baseCatalog.resolved(with: files.lists()) }

    var queueRemaining: Int { pending.count + (running == nil ? 0 : 1) }

    func statusData(sid: String? = nil) -> JSONValue {
        var data: [(String, JSONValue)] = [
            ("status", .obj(("exec_info", .obj(("queue_remaining", .int(queueRemaining))))))
        ]
        if let sid { data.append(("sid", .string(sid))) }
        return .object(data)
    }

    // MARK: Sending, with the real server's routing rule.

    /// `send_sync(event, data, sid)`: `nil` goes to every socket; a sid goes to that socket only, or nowhere.
    func send(_ type: String, _ data: JSONValue, to sid: String?) {
        let text = JSONValue.obj(("type", .string(type)), ("data", data)).pythonJSON(nonFinite: .python)
        deliver(.text(text), to: sid)
    }

    func sendBytes(_ bytes: [UInt8], to sid: String?) {
        deliver(.binary(bytes), to: sid)
    }

    private func deliver(_ frame: OutFrame, to sid: String?) {
        if let sid {
            sockets[sid]?.continuation.yield(frame)
        } else {
            for connection in sockets.values { connection.continuation.yield(frame) }
        }
    }

    func broadcastStatus() { send("status", statusData(), to: nil) }

    // MARK: WebSocket lifecycle (server.py: websocket_handler).

    /// Registers a socket. A second socket with the same clientId replaces the first, which then receives nothing.
    func connect(clientID: String?) -> (sid: String, id: Int, frames: AsyncStream<OutFrame>) {
        let sid = (clientID?.isEmpty == false ? clientID : nil) ?? Self.hexID()
        let (stream, continuation) = AsyncStream<OutFrame>.makeStream(bufferingPolicy: .unbounded)
        nextConnectionID += 1
        let connection = Connection(id: nextConnectionID, continuation: continuation)
        sockets[sid] = connection
        socketFlags[sid] = .object([])
        allConnections[connection.id] = connection
        send("status", statusData(sid: sid), to: sid)
        if currentClientID == sid, let node = lastNodeID {
            send("executing", .obj(("node", .string(node))), to: sid)
        }
        return (sid, connection.id, stream)
    }

    /// The first text message may negotiate feature flags; every other message is ignored.
    func received(text: String, sid: String, isFirst: Bool) {
        guard isFirst, let message = try? JSONValue.parse(text), message["type"]?.stringValue == "feature_flags" else {
            return
        }
        socketFlags[sid] = message["data"] ?? .object([])
        send("feature_flags", serverFeatureFlags, to: sid)
    }

    /// As the real server's `finally:` block: the entry is removed by key, even if a newer socket owns it now.
    func disconnect(sid: String, id: Int) {
        sockets.removeValue(forKey: sid)
        socketFlags.removeValue(forKey: sid)
        allConnections.removeValue(forKey: id)?.continuation.finish()
    }

    func supportsPreviewMetadata(_ sid: String?) -> Bool {
        guard let sid else { return false }
        return socketFlags[sid]?["supports_preview_metadata"]?.isTruthy ?? false
    }

    static let serverFeatures: JSONValue = .obj(("supports_preview_metadata", true), ("max_upload_size", 104_857_600))

    static func hexID() -> String { UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased() }

    static func nowMillis() -> Int { Int((Date().timeIntervalSince1970 * 1000).rounded(.down)) }

    // MARK: Logs (app/logger.py + terminal_service.py).

    func log(_ message: String) {
        let entry = logs.append(message)
        if config.echoLogs {
            let trimmed = message.trimmingCharacters(in: .newlines)
            if !trimmed.isEmpty, !message.hasPrefix("\r") { logger.info("\(trimmed)") }
        }
        for sid in logSubscribers {
            send("logs", .obj(("entries", .array([entry.json])), ("size", .null)), to: sid)
        }
    }

    func subscribeLogs(sid: String, enabled: Bool) {
        if enabled { logSubscribers.insert(sid) } else { logSubscribers.remove(sid) }
    }

    // MARK: Faults (test hooks).

    func consumeHTTP500() -> Bool {
        guard faults.http500Remaining > 0 else { return false }
        faults.http500Remaining -= 1
        return true
    }

    /// Closes every WebSocket, as a dropped network would.
    func dropAllSockets() {
        for connection in allConnections.values {
            connection.continuation.yield(.close)
            connection.continuation.finish()
        }
        allConnections = [:]
        sockets = [:]
        socketFlags = [:]
    }

    /// Behaves as a server restart: queue, history, cache, counter and sockets are gone; files stay.
    func restart() {
        generation += 1
        interruptFlag = true
        pending = []
        running = nil
        history.clear()
        cache = [:]
        number = 0
        currentClientID = nil
        lastNodeID = nil
        logSubscribers = []
        modelsLoaded = false
        dropAllSockets()
        log("Starting server\n\n")
    }
}
