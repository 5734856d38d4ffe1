import Foundation
import HTTPTypes
import Hummingbird

/// ComfyUI's `create_origin_only_middleware` (server.py, on unless `--enable-cors-header`): a request whose `Host`
/// is a loopback name or address and whose `Origin` names another host:port is answered 403 with an empty body,
/// WebSocket upgrades included; so is one with `Sec-Fetch-Site: cross-site`. A client that sends no `Origin`
/// passes. Behind a reverse proxy that hands ComfyUI a loopback `Host` (nginx's default `$proxy_host`), a client
/// whose `Origin` names the proxy is refused: `comfytop doctor` tells that case apart.
struct OriginCheck<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
        async throws -> Response
    {
        if let name = HTTPField.Name("Sec-Fetch-Site"), request.headers[name] == "cross-site" {
            return Response(status: .forbidden)
        }
        if let host = request.head.authority, let origin = request.headers[.origin] {
            let hostDomain = host.lowercased()
            if Self.isLoopback(Self.hostname(hostDomain)), hostDomain != Self.netloc(origin) {
                return Response(status: .forbidden)
            }
        }
        return try await next(request, context)
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
