import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// One request on the wire: redirects followed by hand (credentials only to the server's own origin), the
/// body read with a size limit and a minimum rate.
extension ComfyAPI {
    static let maxRedirects = 3
    /// A body must arrive at this rate at least (bytes per second), beyond the first `requestTimeout` seconds.
    static let minimumBodyRate = 64 * 1024
    static let mebibyte = 1024 * 1024

    /// The most bytes an answer of `path` may have. `/history` and the job list hold each run's graph and
    /// browser workflow (up to a few hundred KB a run; comfytop reads them in pages of at most 200 runs),
    /// `/object_info` every node class (several MB with many custom nodes), `/queue` every pending graph; `/view` is
    /// an output file (a video can be large); everything else is a small JSON object. A body without a declared
    /// length is held as its chunks and joined once, so the peak is about twice the limit: 64 MiB keeps a hostile
    /// endless body under 200 MB.
    public static func bodyLimit(for path: String) -> Int {
        if path == "/view" { return 1024 * mebibyte }
        if path.hasPrefix("/history") || path.hasPrefix("/api/jobs") || path.hasPrefix("/object_info")
            || path == "/queue"
        {
            return 64 * mebibyte
        }
        return 16 * mebibyte
    }

    /// Sends to `url` and follows up to three redirects. While every hop stays on the endpoint's origin (scheme,
    /// host and port) the request carries the auth headers; once a hop leaves it, the auth headers, custom
    /// headers and the token query parameter are never sent again (AsyncHTTPClient would forward custom headers).
    func exchange(
        _ method: HTTPMethod, _ path: String, url start: String, body: [UInt8]?, contentType: String?, maxBody: Int,
        headers: [(String, String)] = [], sink: BodySink? = nil
    ) async throws(ComfyError) -> Reply {
        var url = start
        var method = method
        var body = body
        var trusted = true
        var seen: Set<String> = [url]
        for _ in 0...Self.maxRedirects {
            let reply = try await sendOnce(
                method, url: url, body: body, contentType: contentType, credentials: trusted, maxBody: maxBody,
                headers: headers, sink: sink)
            guard [301, 302, 303, 307, 308].contains(reply.status), let location = reply.location else { return reply }
            guard let next = Self.resolve(location, against: url) else {
                throw ComfyError.protocolViolation(
                    url: endpoint.displayURL + path, detail: "a redirect to an unusable location")
            }
            trusted = trusted && endpoint.sameOrigin(next)
            url = trusted ? next : endpoint.withoutTokenQuery(next)
            guard seen.insert(url).inserted else {
                throw ComfyError.protocolViolation(url: endpoint.displayURL + path, detail: "a redirect loop")
            }
            if reply.status == 303 || (reply.status <= 302 && method == .POST) {
                method = .GET
                body = nil
            }
        }
        throw ComfyError.protocolViolation(
            url: endpoint.displayURL + path, detail: "more than \(Self.maxRedirects) redirects")
    }

    private func sendOnce(
        _ method: HTTPMethod, url: String, body: [UInt8]?, contentType: String?, credentials: Bool, maxBody: Int,
        headers: [(String, String)], sink: BodySink?
    ) async throws(ComfyError) -> Reply {
        var request = HTTPClientRequest(url: url)
        request.method = method
        if credentials {
            for (name, value) in endpoint.auth.httpHeaders { request.headers.add(name: name, value: value) }
        }
        request.headers.add(name: "User-Agent", value: "comfytop/\(ComfyClientInfo.version)")
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body {
            request.body = .bytes(ByteBuffer(bytes: body))
            request.headers.add(name: "Content-Type", value: contentType ?? "application/json")
        }
        let budget = Self.milliseconds(requestTimeout)
        do {
            let response = try await client.execute(request, deadline: .now() + .milliseconds(budget))
            let declared = response.headers.first(name: "content-length").flatMap { Int($0) }
            let limit = method == .HEAD ? 0 : maxBody
            if let declared, declared > limit, method != .HEAD { throw tooLarge(declared, limit: limit, url: url) }
            // With a declared length the bytes go straight into one buffer of that size. Without one they are kept
            // as the chunks that came and joined once at the end, each chunk freed as it is copied: the peak stays
            // near the body's size, never the doubling of a growing array.
            var bytes: [UInt8] = []
            var chunks: [ByteBuffer] = []
            var received = 0
            // A 200 for a caller with a sink (a download) goes to it chunk by chunk: nothing is held here.
            let streaming = sink != nil && response.status.code == 200
            if let declared, !streaming { bytes.reserveCapacity(min(declared, limit)) }
            let started = NIODeadline.now()
            for try await chunk in response.body {
                guard received + chunk.readableBytes <= limit else {
                    throw tooLarge(received + chunk.readableBytes, limit: limit, url: url)
                }
                received += chunk.readableBytes
                if streaming, let sink {
                    try sink(chunk.readableBytesView)
                } else if declared != nil {
                    bytes.append(contentsOf: chunk.readableBytesView)
                } else {
                    chunks.append(chunk)
                }
                // A server that trickles (a byte a second) never trips the idle read timeout: give the body the
                // request's budget plus one second per 64 KiB received, no more.
                let allowed = budget + Int64(received / Self.minimumBodyRate) * 1000
                if (NIODeadline.now() - started).nanoseconds / 1_000_000 > allowed {
                    throw ComfyError.timeout(url: endpoint.displayURL, seconds: requestTimeout)
                }
            }
            if !chunks.isEmpty {
                bytes.reserveCapacity(received)
                chunks.reverse()
                while let chunk = chunks.popLast() { bytes.append(contentsOf: chunk.readableBytesView) }
            }
            return Reply(
                status: Int(response.status.code), contentType: response.headers.first(name: "content-type"),
                body: bytes, contentLength: declared, location: response.headers.first(name: "location"))
        } catch let error as ComfyError {
            throw error
        } catch {
            throw classify(error)
        }
    }

    private func tooLarge(_ size: Int, limit: Int, url: String) -> ComfyError {
        let path = URLComponents(string: url)?.path ?? url
        return .protocolViolation(
            url: endpoint.displayURL,
            detail: "the answer to \(path) is larger than \(limit / Self.mebibyte) MiB, the limit for that route"
                + (size >= limit + Self.mebibyte ? " (it says \(size / Self.mebibyte) MiB)" : ""))
    }

    /// Where a streamed body goes (a download's `.part` file); a write failure throws `ComfyError.io`.
    typealias BodySink = (ByteBufferView) throws(ComfyError) -> Void

    /// `location` made absolute against `base`; nil unless it is http(s).
    static func resolve(_ location: String, against base: String) -> String? {
        guard let baseURL = URL(string: base), let next = URL(string: location, relativeTo: baseURL)?.absoluteURL,
            let scheme = next.scheme?.lowercased(), scheme == "http" || scheme == "https"
        else { return nil }
        return next.absoluteString
    }
}

extension Endpoint {
    /// True when `url` has this endpoint's scheme, host and port.
    func sameOrigin(_ url: String) -> Bool {
        guard let c = URLComponents(string: url), let scheme = c.scheme?.lowercased(), var host = c.host else {
            return false
        }
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        let port = c.port ?? (scheme == "https" ? 443 : 80)
        return scheme == self.scheme && host.lowercased() == self.host.lowercased() && port == self.port
    }

    /// `url` without the query items that carry this endpoint's token (by name) or any of its secrets (by value).
    func withoutTokenQuery(_ url: String) -> String {
        guard var c = URLComponents(string: url), let items = c.queryItems else { return url }
        let secrets = Set(auth.secrets)
        let kept = items.filter { item in
            item.name != auth.tokenQuery?.name && !(item.value.map(secrets.contains) ?? false)
        }
        c.queryItems = kept.isEmpty ? nil : kept
        return c.string ?? url
    }
}
