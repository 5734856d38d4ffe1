import Foundation

extension DistributedConfig.Machine {
    /// The worker's URL as seen from here, after ComfyUI-Distributed's own rules (`build_worker_url`): a host
    /// written as a URL is used as it is; otherwise `http://HOST:PORT` (port 8188 when unset), and `https` for a
    /// cloud worker, a RunPod proxy host or port 443. A worker on the master's own machine (no host, `localhost`,
    /// a loopback or wildcard address) is at the master's host as this client reaches it.
    public func workerURL(master: Endpoint) throws(DistributedConfigError) -> String {
        let raw = (host ?? "").trimmingCharacters(in: .whitespaces)
        let lower = raw.lowercased()
        var scheme: String
        var hostName: String
        var portNumber: Int
        var path = ""
        if lower.hasPrefix("http://") || lower.hasPrefix("https://") {
            guard let parts = URLComponents(string: raw), let given = parts.scheme?.lowercased(),
                let h = parts.host, parts.query == nil, parts.fragment == nil
            else { throw DistributedConfigError("its host is not a usable URL") }
            scheme = given
            hostName = h
            portNumber = parts.port ?? (given == "https" ? 443 : 80)
            path = parts.percentEncodedPath
            while path.hasSuffix("/") { path.removeLast() }
        } else {
            hostName = String(raw.split(separator: "/", omittingEmptySubsequences: false).first ?? "")
            portNumber = port ?? 8188
            let cloud =
                type?.lowercased() == "cloud" || hostName.lowercased().hasSuffix(".proxy.runpod.net")
                || portNumber == 443
            scheme = cloud ? "https" : "http"
        }
        if hostName.hasPrefix("[") && hostName.hasSuffix("]") { hostName = String(hostName.dropFirst().dropLast()) }
        if Self.isLoopback(hostName) { hostName = master.host }
        guard Self.isHostName(hostName) else { throw DistributedConfigError("its host is not a host name") }
        let bracketed = hostName.contains(":") ? "[\(hostName)]" : hostName
        let defaultPort = scheme == "https" ? 443 : 80
        let url = "\(scheme)://\(bracketed)\(portNumber == defaultPort ? "" : ":\(portNumber)")\(path)"
        guard (try? Endpoint(url: url)) != nil else { throw DistributedConfigError("its address is not a URL") }
        return url
    }

    /// The master's own machine, as a worker's host says it.
    static func isLoopback(_ host: String) -> Bool {
        let h = host.lowercased()
        return h.isEmpty || h == "localhost" || h.hasSuffix(".localhost") || h.hasPrefix("127.") || h == "::1"
            || h == "0.0.0.0" || h == "::"
    }

    /// A DNS name, an IPv4 address or an IPv6 literal: nothing else reaches a URL.
    static func isHostName(_ host: String) -> Bool {
        guard !host.isEmpty, host.count <= 253 else { return false }
        if host.contains(":") {
            return host.unicodeScalars.allSatisfy { $0.properties.isASCIIHexDigit || $0 == ":" || $0 == "." }
        }
        return host.unicodeScalars.allSatisfy {
            $0.isASCII && (CharacterSet.alphanumerics.contains($0) || $0 == "-" || $0 == "." || $0 == "_")
        }
    }
}
