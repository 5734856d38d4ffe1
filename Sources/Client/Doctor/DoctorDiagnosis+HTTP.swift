import ComfyJSON
import Foundation

extension DoctorDiagnosis {
    /// The answer to `GET /system_stats`: the `http` step and the `authentication` step.
    /// - Parameters:
    ///   - subPath: a URL where `/system_stats` did answer as ComfyUI, when this one answered 404.
    ///   - speaksTLS: this is an http:// URL and the port completed a TLS handshake.
    public static func stats(
        _ outcome: HTTPOutcome, endpoint: Endpoint, subPath: String? = nil, speaksTLS: Bool = false
    ) -> [DoctorCheck] {
        let answer: HTTPAnswer
        switch outcome {
        case .answered(let a): answer = a
        case .timedOut(let seconds):
            return [
                DoctorCheck(
                    .http, .fail, "no answer within \(ComfyError.format(seconds)) s",
                    cause: "the server accepted the connection but sent nothing back: ComfyUI is stuck (loading a "
                        + "large model, a custom node holding the server), or a proxy or firewall holds the "
                        + "connection",
                    fix: "look at ComfyUI's console or restart it; then run comfytop doctor again (--timeout 60 to "
                        + "wait longer)",
                    facts: [("unreachable", .bool(true))])
            ]
        case .failed(let detail):
            if speaksTLS {
                return [
                    DoctorCheck(
                        .http, .fail, "the port speaks TLS, not plain HTTP",
                        cause: "the server expects HTTPS on port \(endpoint.port)",
                        fix: "use https://: --url https://\(endpoint.hostHeader)\(endpoint.basePath)",
                        facts: [("unreachable", .bool(true))])
                ]
            }
            return [
                DoctorCheck(
                    .http, .fail, "no HTTP answer (\(detail))",
                    cause: "the connection closed, or what came back was not HTTP: the port may belong to another "
                        + "program",
                    fix: "check the port; " + urlFix, facts: [("unreachable", .bool(true))])
            ]
        }
        let code = answer.status
        let timing = "HTTP \(code) in \(Int(answer.milliseconds.rounded())) ms"
        var facts: [(String, JSONValue)] = [("status", .int(code)), ("ms", .double(answer.milliseconds))]
        let server = answer.header("server")
        if let server { facts.append(("server", .string(server))) }
        let via = server.map { " (Server: \($0))" } ?? ""
        if code == 401 || code == 403 {
            return [
                DoctorCheck(.http, .ok, "the server answers: \(timing)\(via)", facts: facts),
                auth(answer, endpoint: endpoint),
            ]
        }
        let authOK = DoctorCheck(
            .auth, .ok, endpoint.auth.summary == "none" ? "none needed" : "accepted (\(endpoint.auth.summary))")
        let skippedAuth = DoctorCheck(.auth, .skipped, DoctorCheck.notReached)
        if (200..<300).contains(code) {
            if let json = try? JSONValue.parse(answer.body), json["system"] != nil {
                return [DoctorCheck(.http, .ok, timing + via, facts: facts), authOK]
            }
            let what = answer.isHTML ? "an HTML page" : "something that is not ComfyUI's JSON"
            return [
                DoctorCheck(
                    .http, .fail, "\(timing), but \(what)\(via)",
                    cause: "something else answers at \(endpoint.displayURL): a proxy's or a login page, or another "
                        + "web application",
                    fix: subPath.map { "ComfyUI answers at \($0): use --url \($0)" }
                        ?? "point --url at ComfyUI itself (with the proxy's sub-path, if any)",
                    facts: facts),
                skippedAuth,
            ]
        }
        if (300..<400).contains(code) {
            return [redirect(answer, endpoint: endpoint, timing: timing, facts: facts), skippedAuth]
        }
        if code == 404 {
            let cause: String
            let fix: String
            if let subPath {
                cause = "\(endpoint.displayURL) is not ComfyUI's root: a proxy serves ComfyUI under a sub-path"
                fix = "ComfyUI answers at \(subPath): use --url \(subPath)"
            } else if endpoint.basePath.isEmpty {
                cause =
                    "the server has no /system_stats: it is not ComfyUI, or ComfyUI sits behind a proxy at a "
                    + "sub-path (https://host/comfyui/)"
                fix = "put the proxy's sub-path in the URL (--url \(endpoint.displayURL)/comfyui, say), or " + urlFix
            } else {
                cause =
                    "nothing answers as ComfyUI under \(endpoint.basePath): the sub-path is wrong, or the proxy "
                    + "does not forward it"
                fix =
                    "check the sub-path in --url against the proxy's configuration (nginx: location "
                    + "\(endpoint.basePath)/ { proxy_pass http://127.0.0.1:8188/; })"
            }
            return [
                DoctorCheck(.http, .fail, "\(timing): not found\(via)", cause: cause, fix: fix, facts: facts),
                skippedAuth,
            ]
        }
        return [gatewayOrError(answer, endpoint: endpoint, timing: timing + via, facts: facts), skippedAuth]
    }

    static func redirect(_ answer: HTTPAnswer, endpoint: Endpoint, timing: String, facts: [(String, JSONValue)])
        -> DoctorCheck
    {
        let location = Endpoint.stripURLSecrets(answer.header("location") ?? "")
        var facts = facts
        facts.append(("location", .string(location)))
        let lower = location.lowercased()
        let loginWords = ["login", "signin", "sign_in", "oauth", "auth", "sso", "cdn-cgi/access"]
        if loginWords.contains(where: lower.contains) {
            return DoctorCheck(
                .http, .fail, "\(timing): redirected to a login page (\(location))",
                cause: "an authenticating proxy (oauth2-proxy, Authelia, Cloudflare Access…) sends browsers to log "
                    + "in; comfytop cannot log in through a web page",
                fix: "ask the proxy for a machine credential and pass it: --token, --header 'Name: value' (Cloudflare "
                    + "Access: --header 'CF-Access-Client-Id: …' --header 'CF-Access-Client-Secret: …'), or "
                    + "--token-query",
                facts: facts)
        }
        if lower.hasPrefix("https://") && !endpoint.isTLS {
            let secure =
                location.hasSuffix("/system_stats") ? String(location.dropLast("/system_stats".count)) : location
            return DoctorCheck(
                .http, .fail, "\(timing): redirected to HTTPS (\(location))",
                cause: "the server wants HTTPS; comfytop does not follow a scheme change, so the WebSocket would "
                    + "use ws:// where wss:// is needed",
                fix: "use --url \(secure)", facts: facts)
        }
        return DoctorCheck(
            .http, .fail, "\(timing): redirected to \(location)",
            cause: "the server sends comfytop elsewhere for its API",
            fix: "use the address it redirects to in --url (without /system_stats)", facts: facts)
    }

    static func gatewayOrError(_ answer: HTTPAnswer, endpoint: Endpoint, timing: String, facts: [(String, JSONValue)])
        -> DoctorCheck
    {
        let body = String(decoding: answer.body.prefix(2048), as: UTF8.self)
        switch answer.status {
        case 400 where body.contains("plain HTTP request was sent to HTTPS port"):
            return DoctorCheck(
                .http, .fail, "\(timing): plain HTTP sent to an HTTPS port",
                cause: "the port expects HTTPS", fix: "use --url https://\(endpoint.hostHeader)\(endpoint.basePath)",
                facts: facts)
        case 502:
            return DoctorCheck(
                .http, .fail, "\(timing): bad gateway",
                cause:
                    "a proxy answers but cannot reach ComfyUI behind it: ComfyUI is not running, or the proxy points "
                    + "at the wrong address or port",
                fix: "start ComfyUI, and check the proxy's upstream (nginx: proxy_pass http://127.0.0.1:8188)",
                facts: facts)
        case 503:
            return DoctorCheck(
                .http, .fail, "\(timing): service unavailable",
                cause: "the proxy or ComfyUI is not ready (starting, or overloaded)", fix: "wait and try again",
                facts: facts)
        case 504:
            return DoctorCheck(
                .http, .fail, "\(timing): gateway timeout",
                cause: "a proxy asked ComfyUI and it did not answer in time: ComfyUI is stuck or busy loading",
                fix: "look at ComfyUI's console; restart it if it stays stuck", facts: facts)
        default:
            let snippet = body.trimmingCharacters(in: .whitespacesAndNewlines).prefix(120)
            return DoctorCheck(
                .http, .fail, "\(timing)" + (snippet.isEmpty ? "" : ": \(snippet)"),
                cause: answer.status >= 500 ? "the server failed to answer" : "the server refused the request",
                fix: "check the server's log; " + urlFix, facts: facts)
        }
    }

    /// A 401 or 403: which credentials the server (or its proxy) wants, and which comfytop option sends them.
    public static func auth(_ answer: HTTPAnswer, endpoint: Endpoint) -> DoctorCheck {
        let challenges = AuthChallenge.parse(answer.headerValues("www-authenticate"))
        let sent = endpoint.auth
        let status = answer.status
        let statusText = status == 401 ? "401 Unauthorized" : "\(status) Forbidden"
        var facts: [(String, JSONValue)] = [("status", .int(status)), ("sent", .string(sent.summary))]
        if !challenges.isEmpty {
            facts.append(("schemes", .array(challenges.map { .string($0.scheme) })))
        }
        let tokenFix = "--token TOKEN (or COMFYUI_TOKEN, or token_env = \"VAR\" in the config's [servers.NAME])"
        let basicFix =
            "--user NAME --password … (or COMFYUI_PASSWORD, or user and password_env in the config's [servers.NAME])"
        if let basic = challenges.first(where: { $0.scheme == "basic" }) {
            let realm = basic.realm.map { " (realm \"\($0)\")" } ?? ""
            if let user = sent.basicUser {
                return DoctorCheck(
                    .auth, .fail, "\(statusText): the user and password were refused\(realm)",
                    cause: "the proxy asks for HTTP basic auth and did not accept user \(user) with that password",
                    fix: "check the password; " + basicFix, facts: facts)
            }
            return DoctorCheck(
                .auth, .fail, "\(statusText): HTTP basic auth wanted\(realm)",
                cause: "a proxy in front of ComfyUI asks for a user and password"
                    + (sent.bearerToken != nil ? " (the bearer token sent is not what it asks for)" : ""),
                fix: basicFix, facts: facts)
        }
        if let bearer = challenges.first(where: { $0.scheme == "bearer" }) {
            let reason = bearer.parameters["error_description"] ?? bearer.parameters["error"]
            if sent.bearerToken != nil {
                return DoctorCheck(
                    .auth, .fail, "\(statusText): the token was refused" + (reason.map { " (\($0))" } ?? ""),
                    cause: "the gateway wants a bearer token and did not accept the one sent (wrong, expired or "
                        + "for another service)",
                    fix: "get a fresh token and pass it: " + tokenFix, facts: facts)
            }
            return DoctorCheck(
                .auth, .fail, "\(statusText): a bearer token wanted",
                cause: "a gateway in front of ComfyUI asks for an \"Authorization: Bearer\" token", fix: tokenFix,
                facts: facts)
        }
        if let other = challenges.first {
            return DoctorCheck(
                .auth, .fail, "\(statusText): \(other.scheme) auth wanted",
                cause: "the proxy asks for \(other.scheme) authentication, which comfytop does not speak",
                fix: "ask for basic or token access to the proxy (then --user/--password or --token), or pass a "
                    + "header it accepts with --header 'Name: value'",
                facts: facts)
        }
        if status == 401 {
            return DoctorCheck(
                .auth, .fail, "\(statusText), without saying which credentials",
                cause: sent.summary == "none"
                    ? "the server or a gateway wants credentials and names no scheme (no WWW-Authenticate header)"
                    : "the credentials sent (\(sent.summary)) were refused",
                fix: "pass what the gateway documents: \(tokenFix); --header 'X-API-Key: …'; or --token-query "
                    + "token=…",
                facts: facts)
        }
        return DoctorCheck(
            .auth, .fail, statusText,
            cause: (sent.summary == "none"
                ? "the server or a proxy refuses this client: it may allow only some addresses, or want credentials "
                    + "it does not name"
                : "the credentials sent (\(sent.summary)) are not allowed here")
                + "; ComfyUI itself answers 403 to a request whose Origin differs from a loopback Host, which a "
                + "proxy that adds an Origin header causes",
            fix: "pass the credentials the proxy wants (--token, --user/--password, --header); or allow this machine "
                + "in the proxy (nginx: allow/deny); or have the proxy leave Origin alone",
            facts: facts)
    }
}
