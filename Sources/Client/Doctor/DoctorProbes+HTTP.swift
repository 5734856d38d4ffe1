import AsyncHTTPClient
import ComfyJSON
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// Plain GETs for `comfytop doctor`, with every header of the answer kept (`Date`, `WWW-Authenticate`, `Server`,
/// `Location`) and no redirect followed: a redirect is something to report.
public final class DoctorHTTP: Sendable {
    public let endpoint: Endpoint
    let client: HTTPClient
    let timeout: Double

    public init(endpoint: Endpoint, timeout: Double) throws(ComfyError) {
        self.endpoint = endpoint
        self.timeout = timeout
        var configuration = HTTPClient.Configuration()
        configuration.tlsConfiguration = try ComfyAPI.tlsConfiguration(endpoint)
        let budget = TimeAmount.milliseconds(ComfyAPI.milliseconds(timeout))
        configuration.timeout = .init(connect: budget, read: budget)
        configuration.redirectConfiguration = .disallow
        configuration.connectionPool.retryConnectionEstablishment = false
        client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    public func shutdown() async { try? await client.shutdown() }

    /// GET `path` under the endpoint's base path, or under `basePath` when given (to try a sub-path).
    public func get(_ path: String, query: [(String, String)] = [], basePath: String? = nil) async -> HTTPOutcome {
        await request(.GET, path, query: query, basePath: basePath)
    }

    /// One request; `body` is sent as JSON.
    public func request(
        _ method: HTTPMethod, _ path: String, query: [(String, String)] = [], body: JSONValue? = nil,
        basePath: String? = nil
    ) async -> HTTPOutcome {
        var url = endpoint.url(path, query: query)
        if let basePath {
            let root = "\(endpoint.scheme)://\(endpoint.hostHeader)"
            url = root + basePath + String(url.dropFirst(root.count + endpoint.basePath.count))
        }
        var request = HTTPClientRequest(url: url)
        for (name, value) in endpoint.auth.httpHeaders { request.headers.add(name: name, value: value) }
        request.headers.add(name: "User-Agent", value: "comfytop/\(ComfyClientInfo.version) (doctor)")
        request.method = method
        if let body {
            request.body = .bytes(ByteBuffer(bytes: body.pythonJSONBytes))
            request.headers.add(name: "Content-Type", value: "application/json")
        }
        let sent = Date()
        do {
            let response = try await client.execute(
                request, deadline: .now() + .milliseconds(ComfyAPI.milliseconds(timeout)))
            var headers: [String: [String]] = [:]
            for (name, value) in response.headers { headers[name.lowercased(), default: []].append(value) }
            var body: [UInt8] = []
            for try await chunk in response.body where body.count < 1 << 20 {
                body.append(contentsOf: chunk.readableBytesView)
            }
            return .answered(
                HTTPAnswer(
                    status: Int(response.status.code), headers: headers, body: body, sent: sent, received: Date()))
        } catch {
            let text = endpoint.scrub(String(describing: error))
            let lower = text.lowercased()
            if lower.contains("timeout") || lower.contains("deadline") { return .timedOut(seconds: timeout) }
            if lower.contains("remoteconnectionclosed") || lower.contains("closed") {
                return .failed(detail: "the connection closed before an answer")
            }
            return .failed(detail: String(text.prefix(160)))
        }
    }
}

extension DoctorProbes {
    /// The `/ws` upgrade, written by hand so that any answer is seen as it is (status, `Server`,
    /// `WWW-Authenticate`), with the headers comfytop's client sends: `Host` and auth, no `Origin`.
    public func webSocket(endpoint: Endpoint) async -> WebSocketOutcome {
        let state = UpgradeState()
        return await withTaskGroup(of: WebSocketOutcome?.self) { group in
            group.addTask { await self.upgrade(endpoint: endpoint, state: state) }
            group.addTask {
                try? await Task.sleep(nanoseconds: UInt64(self.timeout * 1_000_000_000))
                return Task.isCancelled
                    ? nil : (state.upgraded ? .upgraded(firstMessage: nil) : .timedOut(seconds: self.timeout))
            }
            var result: WebSocketOutcome = .timedOut(seconds: timeout)
            if let first = await group.next(), let first { result = first }
            group.cancelAll()
            return result
        }
    }

    static func upgradeRequest(endpoint: Endpoint, key: String) -> String {
        let clientID = "comfytop-doctor-" + String(UInt64.random(in: 0...UInt64.max), radix: 16)
        var lines = [
            "GET \(endpoint.webSocketPath(clientID: clientID)) HTTP/1.1", "Host: \(endpoint.hostHeader)",
            "Upgrade: websocket", "Connection: Upgrade", "Sec-WebSocket-Key: \(key)", "Sec-WebSocket-Version: 13",
            "User-Agent: comfytop/\(ComfyClientInfo.version) (doctor)",
        ]
        for (name, value) in endpoint.auth.httpHeaders {
            lines.append("\(name): \(value.filter { $0 != "\r" && $0 != "\n" })")
        }
        return lines.joined(separator: "\r\n") + "\r\n\r\n"
    }

    private func upgrade(endpoint: Endpoint, state: UpgradeState) async -> WebSocketOutcome {
        let key = Data((0..<16).map { _ in UInt8.random(in: 0...255) }).base64EncodedString()
        let request = Self.upgradeRequest(endpoint: endpoint, key: key)
        do {
            let tls = endpoint.isTLS ? try NIOSSLContext(configuration: try ComfyAPI.tlsConfiguration(endpoint)) : nil
            let serverName = WebSocketConnection.isIPAddress(endpoint.host) ? nil : endpoint.host
            let channel = try await ClientBootstrap(group: group).connectTimeout(budget).connect(
                host: endpoint.host, port: endpoint.port
            ) { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let tls {
                        try channel.pipeline.syncOperations.addHandler(
                            try NIOSSLClientHandler(context: tls, serverHostname: serverName))
                    }
                    return try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
            return try await channel.executeThenClose { inbound, outbound in
                try await outbound.write(ByteBuffer(string: request))
                var bytes: [UInt8] = []
                var upgraded = false
                for try await chunk in inbound {
                    bytes.append(contentsOf: chunk.readableBytesView)
                    if !upgraded {
                        guard let head = UpgradeAnswer(bytes) else {
                            if bytes.count > 65_536 { return .failed(detail: "the answer's head is too large") }
                            continue
                        }
                        guard head.status == 101 else {
                            return .refused(
                                status: head.status, challenges: AuthChallenge.parse(head.values("www-authenticate")),
                                server: head.values("server").first)
                        }
                        upgraded = true
                        state.upgraded = true
                        bytes.removeFirst(head.length)
                    }
                    if let message = UpgradeAnswer.firstMessage(bytes) { return .upgraded(firstMessage: message) }
                    if bytes.count > 1 << 20 { return .upgraded(firstMessage: "(large frame)") }
                }
                return upgraded ? .upgraded(firstMessage: nil) : .closed
            }
        } catch {
            if Task.isCancelled { return .timedOut(seconds: timeout) }
            let text = endpoint.scrub(String(describing: error))
            if let io = error as? IOError, io.errnoCode == ECONNREFUSED { return .failed(detail: "connection refused") }
            return .failed(detail: String(text.prefix(160)))
        }
    }
}

/// Whether the upgrade was answered 101 (read by the timer when the first message is slow).
final class UpgradeState: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false

    var upgraded: Bool {
        get {
            lock.lock()
            defer { lock.unlock() }
            return value
        }
        set {
            lock.lock()
            value = newValue
            lock.unlock()
        }
    }
}

/// The head of the answer to an upgrade request: status and headers (names lowercased).
struct UpgradeAnswer {
    var status: Int
    var headers: [(String, String)]
    /// Bytes of the head, the blank line included.
    var length: Int

    /// Nil until `bytes` holds the whole head (or if its status line is not HTTP).
    init?(_ bytes: [UInt8]) {
        let end: [UInt8] = [13, 10, 13, 10]
        guard bytes.count >= 4, let at = (0...(bytes.count - 4)).first(where: { Array(bytes[$0..<$0 + 4]) == end })
        else { return nil }
        let text = String(decoding: bytes[..<at], as: UTF8.self)
        var lines = text.components(separatedBy: "\r\n")
        let statusLine = lines.removeFirst().split(separator: " ")
        guard statusLine.count >= 2, statusLine[0].hasPrefix("HTTP/"), let code = Int(statusLine[1]) else { return nil }
        status = code
        headers = lines.compactMap { line in
            guard let colon = line.firstIndex(of: ":") else { return nil }
            return (
                line[..<colon].lowercased(), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            )
        }
        length = at + 4
    }

    func values(_ name: String) -> [String] { headers.filter { $0.0 == name }.map(\.1) }

    /// The `type` of the first WebSocket message in `bytes` ("text" if it has none, "binary" for a binary one), or
    /// nil until a whole frame is there.
    static func firstMessage(_ bytes: [UInt8]) -> String? {
        guard let length = FrameSizes.payloadLength(bytes) else { return nil }
        let short = Int(bytes[1] & 0x7F)
        let header = 2 + (short == 126 ? 2 : short == 127 ? 8 : 0) + (bytes[1] & 0x80 != 0 ? 4 : 0)
        guard length <= 1 << 20, bytes.count >= header + length else { return length > 1 << 20 ? "(large frame)" : nil }
        switch bytes[0] & 0x0F {
        case 1:
            let payload = Array(bytes[header..<header + length])
            return (try? JSONValue.parse(payload))?["type"]?.stringValue ?? "text"
        case 2: return "binary"
        case 8: return "close"
        default: return "control"
        }
    }
}
