import AsyncHTTPClient
import ComfyJSON
import Foundation
import NIOCore
import NIOHTTP1
import NIOHTTPCompression
import NIOSSL

/// The HTTP API of a ComfyUI server, typed. One instance owns one connection pool; call `shutdown()`.
public final class ComfyAPI: Sendable {
    public let endpoint: Endpoint
    let client: HTTPClient
    /// Per-request budget; a request that sees no answer for this long fails with `.timeout`.
    public let requestTimeout: Double
    /// Whether the server keeps client prompt ids, learned from `POST /prompt` answers (ComfyAPI+Submit).
    let promptIDSupport = PromptIDMemory()

    public init(endpoint: Endpoint, requestTimeout: Double = 30) throws(ComfyError) {
        self.endpoint = endpoint
        self.requestTimeout = requestTimeout
        var configuration = HTTPClient.Configuration()
        configuration.tlsConfiguration = try Self.tlsConfiguration(endpoint)
        configuration.timeout = .init(connect: .seconds(10), read: .milliseconds(Self.milliseconds(requestTimeout)))
        configuration.decompression = .enabled(limit: .none)
        // Redirects are followed by `exchange`, which drops every credential when one leaves the server's origin
        // (AsyncHTTPClient drops Authorization but forwards custom headers such as X-API-Key).
        configuration.redirectConfiguration = .disallow
        // A refused connection should fail now with a clear message, not be retried until the request deadline.
        configuration.connectionPool.retryConnectionEstablishment = false
        client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    /// A timeout in whole milliseconds, at least one second and at most a day (a NaN or huge `--timeout` must not
    /// trap on the conversion).
    static func milliseconds(_ seconds: Double) -> Int64 {
        guard seconds.isFinite else { return 86_400_000 }
        return Int64(min(max(seconds, 1), 86_400) * 1000)
    }

    /// Releases the connection pool.
    public func shutdown() async {
        try? await client.shutdown()
    }

    static func tlsConfiguration(_ endpoint: Endpoint) throws(ComfyError) -> TLSConfiguration {
        var tls = TLSConfiguration.makeClientConfiguration()
        if endpoint.tls.insecure { tls.certificateVerification = .none }
        if let caFile = endpoint.tls.caFile {
            do {
                let certificates = try NIOSSLCertificate.fromPEMFile(caFile)
                tls.additionalTrustRoots = [.certificates(certificates)]
            } catch {
                throw ComfyError.tls(url: endpoint.displayURL, detail: "cannot read --ca-file \(caFile): \(error)")
            }
        }
        return tls
    }

    // MARK: Raw requests

    /// A response body and status.
    public struct Reply: Sendable {
        public var status: Int
        public var contentType: String?
        public var body: [UInt8]
        public var contentLength: Int? = nil
        /// Where a redirect points.
        var location: String? = nil
        public var json: JSONValue? { try? JSONValue.parse(body) }
    }

    /// Sends a request and returns the reply; transport failures become typed errors, HTTP statuses do not.
    /// Redirects are followed here (see `exchange`), the body is read up to `maxBody` bytes (by default the
    /// route's limit, `bodyLimit(for:)`), and every error that leaves is scrubbed of the endpoint's secrets.
    public func send(
        _ method: HTTPMethod, _ path: String, query: [(String, String)] = [], body: [UInt8]? = nil,
        contentType: String? = nil, maxBody: Int? = nil, headers: [(String, String)] = []
    ) async throws(ComfyError) -> Reply {
        do throws(ComfyError) {
            let reply = try await exchange(
                method, path, url: endpoint.url(path, query: query), body: body, contentType: contentType,
                maxBody: maxBody ?? Self.bodyLimit(for: path), headers: headers)
            if reply.status == 401 || reply.status == 403 {
                throw ComfyError.unauthorized(
                    url: endpoint.displayURL, status: reply.status, authSummary: endpoint.auth.summary)
            }
            return reply
        } catch {
            throw error.scrubbed(endpoint.scrub)
        }
    }

    func classify(_ error: any Error) -> ComfyError {
        let url = endpoint.displayURL
        let text = endpoint.scrub(String(describing: error))
        let lower = text.lowercased()
        if lower.contains("connection refused") || lower.contains("connectionrefused") || lower.contains("errno: 111") {
            return .connectionRefused(url: url)
        }
        if lower.contains("timeout") || lower.contains("timed out") || lower.contains("deadlineexceeded") {
            return .timeout(url: url, seconds: requestTimeout)
        }
        if lower.contains("ssl") || lower.contains("tls") || lower.contains("certificate")
            || lower.contains("handshake")
        {
            return .tls(url: url, detail: Self.tlsDetail(text))
        }
        if lower.contains("lookup") || lower.contains("resolve") || lower.contains("getaddrinfo")
            || lower.contains("nodename")
        {
            return .hostNotFound(url: url)
        }
        return .transport(url: url, detail: text)
    }

    static func tlsDetail(_ text: String) -> String {
        if text.contains("CERTIFICATE_VERIFY_FAILED") || text.lowercased().contains("certificate") {
            return "the server's certificate is not trusted"
        }
        if text.contains("WRONG_VERSION_NUMBER") { return "the server does not speak TLS (try http://)" }
        return text
    }

    /// GET returning JSON; a non-2xx answer is an error.
    public func getJSON(_ path: String, query: [(String, String)] = []) async throws(ComfyError) -> JSONValue {
        let reply = try await send(.GET, path, query: query)
        return try decodeJSON(reply, path: path)
    }

    func decodeJSON(_ reply: Reply, path: String) throws(ComfyError) -> JSONValue {
        try decode(reply, path: path) { body throws(JSONParseError) in try JSONValue.parse(body) }
    }

    /// A 2xx answer's body through `read`; a non-2xx answer, or a body that is not JSON, is an error.
    func decode<T>(_ reply: Reply, path: String, _ read: ([UInt8]) throws(JSONParseError) -> T) throws(ComfyError)
        -> T
    {
        guard (200..<300).contains(reply.status) else { throw statusError(reply, path: path) }
        do {
            return try read(reply.body)
        } catch {
            throw ComfyError.protocolViolation(url: endpoint.displayURL + path, detail: "the answer is not JSON")
                .scrubbed(endpoint.scrub)
        }
    }

    func statusError(_ reply: Reply, path: String) -> ComfyError {
        if reply.status == 404 { return ComfyError.notFound(url: endpoint.displayURL + path).scrubbed(endpoint.scrub) }
        // Scrubbed whole (a secret may straddle the cut), then cut.
        let body = endpoint.scrub(String(decoding: reply.body.prefix(64 * 1024), as: UTF8.self))
        return ComfyError.http(url: endpoint.displayURL + path, status: reply.status, body: String(body.prefix(500)))
            .scrubbed(endpoint.scrub)
    }

    func postExpectingOK(_ path: String, _ body: JSONValue) async throws(ComfyError) {
        let reply = try await send(.POST, path, body: body.pythonJSONBytes)
        guard (200..<300).contains(reply.status) else { throw statusError(reply, path: path) }
    }
}
