import Foundation
import HTTPTypes
import Hummingbird

/// ComfyUI's `create_origin_only_middleware` (server.py, on unless `--enable-cors-header`): a request whose `Host`
/// is a loopback name or address and whose `Origin` names another host:port is answered 403 with an empty body,
/// WebSocket upgrades included; so is one with `Sec-Fetch-Site: cross-site`. A client that sends no `Origin`
/// passes. Behind a reverse proxy that hands ComfyUI a loopback `Host` (nginx's default `$proxy_host`), a client
/// whose `Origin` names the proxy is refused (comfytop itself sends no `Origin`). A refused WebSocket upgrade gets
/// 403 too, through `OriginRefusalStatus` (Hummingbird alone would answer 400).
struct OriginCheck<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
        async throws -> Response
    {
        if Self.refuses(request.head) {
            if request.headers[.upgrade] != nil, let mock = context as? MockRequestContext {
                OriginRefusalStatus.mark(mock.channel)
            }
            return Response(status: .forbidden)
        }
        return try await next(request, context)
    }

    /// True when ComfyUI would answer 403 to this request.
    static func refuses(_ head: HTTPRequest) -> Bool {
        if let name = HTTPField.Name("Sec-Fetch-Site"), head.headerFields[name] == "cross-site" { return true }
        if let host = head.authority, let origin = head.headerFields[.origin] {
            let hostDomain = host.lowercased()
            return isLoopback(hostname(hostDomain)) && hostDomain != netloc(origin)
        }
        return false
    }

    /// `urllib.parse.urlparse(origin).netloc.lower()`: what sits between `//` and the next `/`.
    static func netloc(_ origin: String) -> String {
        guard let start = origin.range(of: "//") else { return "" }
        let rest = origin[start.upperBound...]
        return String(rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }).lowercased()
    }

    /// The host without port or IPv6 brackets, as `urlsplit('//' + host).hostname` gives it.
    static func hostname(_ host: String) -> String {
        if host.hasPrefix("["), let end = host.firstIndex(of: "]") {
            return String(host[host.index(after: host.startIndex)..<end])
        }
        return String(host.prefix { $0 != ":" })
    }

    /// A loopback address, or `localhost` (ComfyUI resolves the name; only localhost resolves to loopback alone
    /// on the machines the mock runs on).
    static func isLoopback(_ hostname: String) -> Bool {
        hostname == "localhost" || hostname == "::1" || hostname.hasPrefix("127.")
    }
}
