import Foundation
import NIOCore
import NIOPosix
import NIOSSL

extension DoctorProbes {
    /// What one handshake gave: the server's chain (leaf first) when it completed, or why not.
    enum Handshake {
        case completed(chain: [NIOSSLCertificate], leaf: NIOSSLCertificate?)
        case failed(String)
        case timedOut
    }

    /// The TLS handshake as comfytop makes it (system roots plus `--ca-file`, or `--insecure`), and when the
    /// certificate is refused, why: a second handshake that accepts anything reads the certificate (dates, names),
    /// and a third that trusts only the server's own certificate tells a self-signed one from a private CA's.
    public func tls(endpoint: Endpoint, address: String, now: Date) async -> TLSOutcome {
        let configuration: TLSConfiguration
        do {
            configuration = try ComfyAPI.tlsConfiguration(endpoint)
        } catch {
            return .failed(detail: String(describing: error))
        }
        let serverName = WebSocketConnection.isIPAddress(endpoint.host) ? nil : endpoint.host
        var strict = configuration
        strict.certificateVerification = .fullVerification
        let first = await handshake(
            address: address, port: endpoint.port, configuration: strict, serverName: serverName)
        switch first {
        case .completed(_, let leaf):
            let expires = leaf.map { Date(timeIntervalSince1970: TimeInterval($0.notValidAfter)) }
            return endpoint.tls.insecure ? .unchecked(problem: nil) : .verified(expires: expires)
        case .timedOut:
            return .timedOut(seconds: timeout)
        case .failed(let text):
            if text.contains("WRONG_VERSION_NUMBER") || text.contains("HTTP_REQUEST") { return .notTLS }
            guard Self.isCertificateProblem(text) else { return .failed(detail: Self.shortTLSError(text)) }
        }
        let why = await explainRefusal(endpoint: endpoint, address: address, serverName: serverName, now: now)
        if endpoint.tls.insecure { return .unchecked(problem: Self.problemPhrase(why)) }
        return why
    }

    /// True when the port completes a TLS handshake (an http:// URL given for an HTTPS server).
    public func speaksTLS(address: String, port: Int) async -> Bool {
        var anything = TLSConfiguration.makeClientConfiguration()
        anything.certificateVerification = .none
        let look = await handshake(
            address: address, port: port, configuration: anything, serverName: nil, capture: true)
        if case .completed = look { return true }
        return false
    }

    func explainRefusal(endpoint: Endpoint, address: String, serverName: String?, now: Date) async -> TLSOutcome {
        var anything = TLSConfiguration.makeClientConfiguration()
        anything.certificateVerification = .none
        let look = await handshake(
            address: address, port: endpoint.port, configuration: anything, serverName: serverName, capture: true)
        guard case .completed(let chain, _) = look, let leaf = chain.first else {
            return .untrusted(chainLength: 0)
        }
        let notAfter = Date(timeIntervalSince1970: TimeInterval(leaf.notValidAfter))
        let notBefore = Date(timeIntervalSince1970: TimeInterval(leaf.notValidBefore))
        if notAfter < now { return .expired(notAfter: notAfter) }
        if notBefore > now { return .notYetValid(notBefore: notBefore) }
        let names = Self.names(of: leaf)
        // NIOSSL also accepts an IP name equal to the address connected to, whatever the host's name.
        if !Self.certificate(names: names, covers: endpoint.host) && !Self.certificate(names: names, covers: address) {
            return .nameMismatch(names: names)
        }
        var selfTrust = TLSConfiguration.makeClientConfiguration()
        selfTrust.trustRoots = .certificates([leaf])
        let alone = await handshake(
            address: address, port: endpoint.port, configuration: selfTrust, serverName: serverName)
        if case .completed = alone { return .selfSigned }
        return .untrusted(chainLength: chain.count)
    }

    static func problemPhrase(_ outcome: TLSOutcome) -> String? {
        switch outcome {
        case .expired(let date): return "expired since \(DoctorDiagnosis.isoDay(date))"
        case .notYetValid(let date): return "not valid before \(DoctorDiagnosis.isoDay(date))"
        case .nameMismatch(let names): return "made for \(names.prefix(3).joined(separator: ", "))"
        case .selfSigned: return "self-signed"
        case .untrusted: return "signed by an authority this machine does not trust"
        default: return nil
        }
    }

    static func isCertificateProblem(_ text: String) -> Bool {
        let lower = text.lowercased()
        return lower.contains("certificate") || lower.contains("verify") || lower.contains("hostname")
            || lower.contains("unable to get")
    }

    static func shortTLSError(_ text: String) -> String {
        if text.contains("unexpectedEOF") || text.contains("uncleanShutdown") || text.contains("closed") {
            return "the server closed the connection during the handshake"
        }
        return String(text.prefix(160))
    }

    /// The DNS and IP subject-alternative-names of a certificate.
    static func names(of certificate: NIOSSLCertificate) -> [String] {
        certificate._subjectAlternativeNames().compactMap { name in
            let bytes = Array(name.contents)
            switch name.nameType {
            case .dnsName: return String(decoding: bytes, as: UTF8.self)
            case .ipAddress: return ipText(bytes)
            default: return nil
            }
        }
    }

    static func ipText(_ bytes: [UInt8]) -> String? {
        let family: Int32
        switch bytes.count {
        case 4: family = AF_INET
        case 16: family = AF_INET6
        default: return nil
        }
        var buffer = [CChar](repeating: 0, count: 64)
        let ok = bytes.withUnsafeBytes { raw in inet_ntop(family, raw.baseAddress, &buffer, socklen_t(buffer.count)) }
        return ok == nil ? nil : String(cString: buffer)
    }

    /// True when one of `names` covers `host`: the same name (any case), a `*.` wildcard for exactly one label, or
    /// the same IP address.
    public static func certificate(names: [String], covers host: String) -> Bool {
        let host = host.lowercased()
        for name in names.map({ $0.lowercased() }) {
            if name == host { return true }
            if name.hasPrefix("*."), let dot = host.firstIndex(of: "."),
                host[host.index(after: dot)...] == name.dropFirst(2),
                !WebSocketConnection.isIPAddress(host)
            {
                return true
            }
            if WebSocketConnection.isIPAddress(host), WebSocketConnection.isIPAddress(name),
                canonicalIP(name) == canonicalIP(host)
            {
                return true
            }
        }
        return false
    }

    static func canonicalIP(_ text: String) -> [UInt8] {
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 { return withUnsafeBytes(of: &v4) { Array($0) } }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, text, &v6) == 1 { return withUnsafeBytes(of: &v6) { Array($0) } }
        return []
    }

    /// One handshake to `address`; `capture` accepts any certificate and keeps the chain.
    func handshake(
        address: String, port: Int, configuration: TLSConfiguration, serverName: String?, capture: Bool = false
    ) async -> Handshake {
        let context: NIOSSLContext
        let target: SocketAddress
        do {
            context = try NIOSSLContext(configuration: configuration)
            target = try SocketAddress(ipAddress: address, port: port)
        } catch {
            return .failed(String(describing: error))
        }
        let chain = ChainBox()
        let promise = group.next().makePromise(of: NIOSSLCertificate?.self)
        let watcher = HandshakeWatcher(promise: promise, budget: budget)
        let bootstrap = ClientBootstrap(group: group).connectTimeout(budget).channelInitializer { channel in
            channel.eventLoop.makeCompletedFuture {
                let handler: NIOSSLClientHandler
                if capture {
                    handler = try NIOSSLClientHandler(
                        context: context, serverHostname: serverName,
                        customVerificationCallback: { certificates, verified in
                            chain.set(certificates)
                            verified.succeed(.certificateVerified)
                        })
                } else {
                    handler = try NIOSSLClientHandler(context: context, serverHostname: serverName)
                }
                try channel.pipeline.syncOperations.addHandler(handler)
                try channel.pipeline.syncOperations.addHandler(watcher)
            }
        }
        let channel: any Channel
        do {
            channel = try await bootstrap.connect(to: target).get()
        } catch {
            watcher.abandon()
            return .failed(String(describing: error))
        }
        defer { channel.close(promise: nil) }
        do {
            let leaf = try await promise.futureResult.get()
            return .completed(chain: chain.get(), leaf: leaf)
        } catch is HandshakeWatcher.TimedOut {
            return .timedOut
        } catch {
            return .failed(String(describing: error))
        }
    }
}

/// The chain a capturing handshake saw.
final class ChainBox: @unchecked Sendable {
    private let lock = NSLock()
    private var certificates: [NIOSSLCertificate] = []

    func set(_ value: [NIOSSLCertificate]) {
        lock.lock()
        certificates = value
        lock.unlock()
    }

    func get() -> [NIOSSLCertificate] {
        lock.lock()
        defer { lock.unlock() }
        return certificates
    }
}

/// Completes its promise once: with the peer's certificate when the handshake completes, or with the first error,
/// the connection's close, or the budget's end. Lives on its channel's event loop.
final class HandshakeWatcher: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = NIOAny

    struct TimedOut: Error {}
    struct Closed: Error, CustomStringConvertible {
        var description: String { "the server closed the connection during the handshake" }
    }

    private let promise: EventLoopPromise<NIOSSLCertificate?>
    private let budget: TimeAmount
    private var done = false

    init(promise: EventLoopPromise<NIOSSLCertificate?>, budget: TimeAmount) {
        self.promise = promise
        self.budget = budget
    }

    /// The connection never came: nothing else will complete the promise.
    func abandon() {
        promise.futureResult.eventLoop.execute { self.finish(.failure(Closed())) }
    }

    private func finish(_ result: Result<NIOSSLCertificate?, any Error>) {
        guard !done else { return }
        done = true
        promise.completeWith(result)
    }

    func handlerAdded(context: ChannelHandlerContext) {
        let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        context.eventLoop.scheduleTask(in: budget) {
            let (watcher, context) = loopBound.value
            watcher.finish(.failure(TimedOut()))
            context.close(promise: nil)
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        // TLSUserEvent lives in NIOTLS, which this target does not import; its case name is enough here.
        if String(describing: event).hasPrefix("handshakeCompleted") {
            finish(.success(try? context.pipeline.syncOperations.nioSSL_peerCertificate()))
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        finish(.failure(error))
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        finish(.failure(Closed()))
        context.fireChannelInactive()
    }
}
