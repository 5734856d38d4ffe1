import ComfyJSON
import Foundation

/// Words each probe's typed outcome as a ``DoctorCheck``: what was seen, the cause in plain words, and the fix
/// with comfytop's own option and config names. Pure: the same outcome always reads the same.
public enum DoctorDiagnosis {
    static let urlFix = "pass the right address with --url (or COMFYUI_URL, or url in the config's [servers.NAME])"

    public static func config(_ endpoint: Endpoint, caFileProblem: String?) -> DoctorCheck {
        var summary = endpoint.displayURL
        var facts: [(String, JSONValue)] = [
            ("url", .string(endpoint.displayURL)), ("auth", .string(endpoint.auth.summary)),
        ]
        summary += ", auth: \(endpoint.auth.summary)"
        if let caFile = endpoint.tls.caFile {
            summary += ", --ca-file \(caFile)"
            facts.append(("ca_file", .string(caFile)))
        }
        if endpoint.tls.insecure { summary += ", --insecure" }
        if let caFileProblem {
            return DoctorCheck(
                .config, .fail, summary, cause: "the --ca-file (ca_file) cannot be used: \(caFileProblem)",
                fix: "give a PEM file holding the server's certificate or its CA's", facts: facts)
        }
        return DoctorCheck(.config, .ok, summary, facts: facts)
    }

    public static func resolve(_ outcome: ResolveOutcome, host: String) -> DoctorCheck {
        switch outcome {
        case .resolved(let addresses):
            let shown = addresses.prefix(3).joined(separator: ", ") + (addresses.count > 3 ? ", …" : "")
            let summary = addresses == [host] ? "\(host) is an address: nothing to look up" : "\(host) is \(shown)"
            return DoctorCheck(
                .resolve, .ok, summary, facts: [("addresses", .array(addresses.map { .string($0) }))])
        case .notFound(let detail):
            return DoctorCheck(
                .resolve, .fail, "\(host) does not resolve (\(detail))",
                cause: "no address is known for the name \(host): a typo, a machine name only another network knows, "
                    + "or a VPN that is not connected",
                fix: "check the spelling; use the server's IP address; or " + urlFix)
        case .temporaryFailure(let detail):
            return DoctorCheck(
                .resolve, .fail, "\(host) could not be looked up (\(detail))",
                cause: "no DNS server answered: this machine is offline or its resolver is broken",
                fix: "check the network (resolvectl status, /etc/resolv.conf), or use the server's IP address")
        case .failed(let detail):
            return DoctorCheck(
                .resolve, .fail, "\(host) could not be looked up (\(detail))",
                cause: "the name lookup failed", fix: "use the server's IP address, or " + urlFix)
        case .timedOut(let seconds):
            return DoctorCheck(
                .resolve, .fail, "looking up \(host) took more than \(ComfyError.format(seconds)) s",
                cause: "the DNS server does not answer",
                fix: "check the network and resolver, or use the server's IP address")
        }
    }

    public static func connect(_ outcome: ConnectOutcome, endpoint: Endpoint) -> DoctorCheck {
        let port = endpoint.port
        switch outcome {
        case .connected(let address, let ms):
            return DoctorCheck(
                .connect, .ok, "connected to \(address) port \(port) in \(Int(ms.rounded())) ms",
                facts: [("address", .string(address)), ("port", .int(port)), ("ms", .double(ms))])
        case .refused(let address):
            let local = address.hasPrefix("127.") || address == "::1"
            return DoctorCheck(
                .connect, .fail, "\(address) port \(port): connection refused",
                cause: local
                    ? "nothing listens on port \(port) on this machine: ComfyUI is not running here, or listens on "
                        + "another port"
                    : "the machine is up but nothing listens on port \(port): ComfyUI is not running, listens on "
                        + "another port, or only on 127.0.0.1 of its own machine",
                fix: local
                    ? "start ComfyUI (python main.py --port \(port)), or " + urlFix
                    : "start ComfyUI with --listen 0.0.0.0 --port \(port) so other machines reach it, or " + urlFix,
                facts: [("address", .string(address)), ("port", .int(port))])
        case .timedOut(let address, let seconds):
            return DoctorCheck(
                .connect, .fail, "\(address) port \(port): no answer in \(ComfyError.format(seconds)) s",
                cause: "the connection attempt was never answered: a firewall drops it, or the machine is off",
                fix: "open port \(port) in the firewall (ufw allow \(port)/tcp), check that the machine is on, or "
                    + urlFix,
                facts: [("address", .string(address)), ("port", .int(port))])
        case .noRoute(let address, let detail):
            return DoctorCheck(
                .connect, .fail, "\(address) port \(port): \(detail)",
                cause: "this machine has no route to \(address): another network, or a VPN that is not connected",
                fix: "connect the VPN or network that reaches the server, or " + urlFix,
                facts: [("address", .string(address)), ("port", .int(port))])
        case .failed(let address, let detail):
            return DoctorCheck(
                .connect, .fail, "\(address) port \(port): \(detail)", cause: "the connection failed",
                fix: "check the address and the network, or " + urlFix,
                facts: [("address", .string(address)), ("port", .int(port))])
        }
    }

    static let caFileFix =
        "save the certificate (openssl s_client -connect HOST:PORT -showcerts </dev/null | openssl x509 > server.pem) "
        + "and pass --ca-file server.pem (or ca_file in the config); --insecure skips the check, only for testing"

    public static func tls(_ outcome: TLSOutcome, endpoint: Endpoint, now: Date) -> DoctorCheck {
        let target = "\(endpoint.host):\(endpoint.port)"
        let caFix = caFileFix.replacingOccurrences(of: "HOST:PORT", with: target)
        switch outcome {
        case .verified(let expires):
            guard let expires else { return DoctorCheck(.tls, .ok, "certificate verified") }
            let days = Int(expires.timeIntervalSince(now) / 86_400)
            let facts: [(String, JSONValue)] = [("expires", .string(isoDay(expires))), ("days_left", .int(days))]
            if days < 14 {
                return DoctorCheck(
                    .tls, .warn,
                    "certificate verified; it expires in \(days) day\(days == 1 ? "" : "s") (\(isoDay(expires)))",
                    cause: "after that day every client refuses the server",
                    fix: "renew the certificate on the server or proxy (certbot renew, or your CA)", facts: facts)
            }
            return DoctorCheck(.tls, .ok, "certificate verified, valid until \(isoDay(expires))", facts: facts)
        case .unchecked(let problem):
            return DoctorCheck(
                .tls, .warn, "certificate not checked (--insecure)" + (problem.map { "; it is \($0)" } ?? ""),
                cause: "with --insecure anyone between here and the server can read and change the traffic, tokens "
                    + "included",
                fix: problem == nil
                    ? "drop --insecure: the certificate is valid" : "drop --insecure and " + caFix)
        case .expired(let notAfter):
            return DoctorCheck(
                .tls, .fail, "the server's certificate expired on \(isoDay(notAfter))",
                cause: "the certificate is out of date, so it cannot be trusted",
                fix: "renew it on the server or proxy (certbot renew, or your CA); if this machine's date is wrong "
                    + "(date says \(isoDay(now))), fix the clock instead; --insecure skips the check, only for testing",
                facts: [("not_after", .string(isoDay(notAfter)))])
        case .notYetValid(let notBefore):
            return DoctorCheck(
                .tls, .fail, "the server's certificate is valid only from \(isoDay(notBefore))",
                cause: "this machine's clock (\(isoDay(now))) is before the certificate's first day, or the "
                    + "certificate was made with a wrong date",
                fix: "set this machine's clock right (timedatectl set-ntp true), or reissue the certificate",
                facts: [("not_before", .string(isoDay(notBefore)))])
        case .nameMismatch(let names):
            let shown = names.isEmpty ? "no host name at all" : names.prefix(5).joined(separator: ", ")
            return DoctorCheck(
                .tls, .fail, "the certificate is for \(shown), not \(endpoint.host)",
                cause: "the name in --url is not one the certificate covers",
                fix: names.first.map {
                    "use a name it covers: --url https://\($0.replacingOccurrences(of: "*.", with: "HOST."))"
                        + (endpoint.port == 443 ? "" : ":\(endpoint.port)") + endpoint.basePath
                        + " (it must lead to this server: DNS or /etc/hosts); or reissue the certificate with "
                        + "subjectAltName \(WebSocketConnection.isIPAddress(endpoint.host) ? "IP" : "DNS"):\(endpoint.host)"
                }
                    ?? "reissue the certificate with subjectAltName "
                    + "\(WebSocketConnection.isIPAddress(endpoint.host) ? "IP" : "DNS"):\(endpoint.host)",
                facts: [("names", .array(names.map { .string($0) }))])
        case .selfSigned:
            return DoctorCheck(
                .tls, .fail, "the server's certificate is self-signed",
                cause: "nobody this machine trusts vouches for it (a self-signed certificate is normal for a home "
                    + "server, but comfytop must be told to trust it)",
                fix: caFix)
        case .untrusted(let chainLength):
            return DoctorCheck(
                .tls, .fail, "the certificate is not signed by an authority this machine trusts",
                cause: chainLength <= 1
                    ? "the server sends its certificate alone: it is signed by a private CA, or the intermediate "
                        + "certificate is missing from the server's chain"
                    : "the chain ends at a private CA",
                fix: "pass the CA's certificate with --ca-file ca.pem (or ca_file in the config); or fix the server's "
                    + "chain (nginx: ssl_certificate must be the full chain)",
                facts: [("chain_length", .int(chainLength))])
        case .notTLS:
            return DoctorCheck(
                .tls, .fail, "port \(endpoint.port) does not speak TLS",
                cause: "the server answers plain HTTP on this port",
                fix: "use http:// instead: --url http://\(endpoint.hostHeader)\(endpoint.basePath)")
        case .timedOut(let seconds):
            return DoctorCheck(
                .tls, .fail, "no TLS handshake within \(ComfyError.format(seconds)) s",
                cause: "the server accepted the connection but never answered the handshake: it may speak plain "
                    + "HTTP and wait for a request, or be stuck",
                fix: "try http:// instead, or check the server")
        case .failed(let detail):
            return DoctorCheck(
                .tls, .fail, "TLS handshake failed: \(detail)", cause: "the handshake did not complete",
                fix: "check that the port serves HTTPS; for a self-signed server pass --ca-file")
        }
    }

    static func isoDay(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd"
        return formatter.string(from: date)
    }
}
