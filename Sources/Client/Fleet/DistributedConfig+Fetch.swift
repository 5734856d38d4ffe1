import Foundation
import NIOHTTP1

extension DistributedConfig {
    /// The route of ComfyUI-Distributed that answers the master's configuration.
    public static let route = "/distributed/config"

    /// Reads a master's configuration. Every failure is a sentence that says what to do: a server without the
    /// extension (404), the extension's API token (403: it wants `X-Distributed-Token`), an answer that is not
    /// its config; a server that cannot be reached keeps the client's own words (and `isUnreachable`).
    public static func fetch(from api: ComfyAPI) async throws(DistributedConfigError) -> DistributedConfig {
        let url = api.endpoint.displayURL
        let reply: ComfyAPI.Reply
        do {
            reply = try await api.send(.GET, route)
        } catch .unauthorized(_, let status, let summary) {
            let sent = summary == "none" ? "" : " (sent: \(summary))"
            throw DistributedConfigError(
                "\(url) answered \(status) to \(route)\(sent). ComfyUI-Distributed's API token goes in "
                    + "--header \"X-Distributed-Token: TOKEN\"; a proxy in front may want --token or --user/--password."
            )
        } catch {
            throw DistributedConfigError(error.description, isUnreachable: error.isUnreachable)
        }
        switch reply.status {
        case 200..<300: break
        case 404:
            throw DistributedConfigError("\(url) has no \(route): is ComfyUI-Distributed installed on it?")
        default:
            let body = api.endpoint.scrub(String(decoding: reply.body.prefix(300), as: UTF8.self))
                .trimmingCharacters(in: .whitespacesAndNewlines)
            throw DistributedConfigError(
                "\(url) answered HTTP \(reply.status) to \(route)\(body.isEmpty ? "" : ": \(body.prefix(200))")")
        }
        do {
            return try parse(reply.body)
        } catch {
            throw DistributedConfigError(
                "\(url)\(route) is not a ComfyUI-Distributed config (\(error.description))")
        }
    }
}
