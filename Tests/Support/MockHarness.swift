import AsyncHTTPClient
import ComfyJSON
import ComfyMock
import Foundation
import Logging
import NIOCore
import NIOHTTP1

/// A mock server on a free loopback port with its own data directory, for one test.
public final class MockHarness: Sendable {
    public let baseURL: String
    public let port: Int
    public let dataDir: URL
    public let engine: MockEngine
    private let task: Task<Void, any Error>

    private init(baseURL: String, port: Int, dataDir: URL, engine: MockEngine, task: Task<Void, any Error>) {
        self.baseURL = baseURL
        self.port = port
        self.dataDir = dataDir
        self.engine = engine
        self.task = task
    }

    public static func start(
        speed: Double = 1, jobsAPI: Bool = false, historyLimit: Int = 10_000,
        serverVersion: MockServerVersion = .v0_3_64,
        tls: (certificate: String, key: String)? = nil, originCheck: Bool = false
    ) async throws -> MockHarness {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("comfytop-mock-\(UUID().uuidString)")
        var logger = Logger(label: "test.mock")
        logger.logLevel = .critical
        var server = MockServer(
            host: "127.0.0.1", port: 0,
            configuration: .init(
                dataDirectory: dir, speed: speed, jobsAPI: jobsAPI, historyLimit: historyLimit,
                serverVersion: serverVersion),
            logger: logger)
        server.tls = tls
        server.originCheck = originCheck
        let scheme = tls == nil ? "http" : "https"
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let task = Task {
            try await server.run { port in continuation.yield(port) }
        }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else { throw HarnessError("mock server did not start") }
        return MockHarness(
            baseURL: "\(scheme)://127.0.0.1:\(port)", port: port, dataDir: dir, engine: server.engine, task: task)
    }

    public func stop() async {
        task.cancel()
        _ = try? await task.value
        try? FileManager.default.removeItem(at: dataDir)
    }

    public struct HTTPResult: Sendable {
        public let status: Int
        public let contentType: String?
        public let body: [UInt8]
        public var headers: [(String, String)] = []

        public var json: JSONValue? { try? JSONValue.parse(body) }
        public var text: String { String(decoding: body, as: UTF8.self) }
    }

    public func request(_ method: String, _ path: String, body: [UInt8]? = nil, headers: [(String, String)] = [])
        async throws -> HTTPResult
    {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = HTTPMethod(rawValue: method)
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body { request.body = .bytes(ByteBuffer(bytes: body)) }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        let buffer = try await response.body.collect(upTo: 256 * 1024 * 1024)
        return HTTPResult(
            status: Int(response.status.code), contentType: response.headers.first(name: "content-type"),
            body: Array(buffer.readableBytesView), headers: response.headers.map { ($0.name, $0.value) })
    }

    public func get(_ path: String) async throws -> HTTPResult { try await request("GET", path) }

    public func post(_ path: String, json: JSONValue) async throws -> HTTPResult {
        try await request("POST", path, body: json.pythonJSONBytes)
    }

    public func post(_ path: String, text: String) async throws -> HTTPResult {
        try await request("POST", path, body: Array(text.utf8))
    }
}

public struct HarnessError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// Waits for `condition` on the wall clock, polling; fails with `what` after `seconds`.
public func waitUntil(
    _ what: String, seconds: Double = 15, _ condition: @Sendable () async throws -> Bool
) async throws {
    let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
    while ContinuousClock.now < deadline {
        if try await condition() { return }
        try await Task.sleep(for: .milliseconds(20))
    }
    throw HarnessError("timed out after \(seconds) s waiting for \(what)")
}
