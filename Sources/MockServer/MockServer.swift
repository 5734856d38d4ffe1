import ComfyJSON
import Foundation
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import HummingbirdWebSocket
import Logging
import NIOCore
import NIOSSL
import UnixSignals

/// The faithful mock ComfyUI server: HTTP API and WebSocket on one port, as ComfyUI 0.3.64 serves them.
public struct MockServer: Sendable {
    public var host: String
    public var port: Int
    public let engine: MockEngine
    let jobsAPI: Bool
    let logger: Logger
    /// PEM certificate chain and private key: serve HTTPS and WSS, as ComfyUI's --tls-certfile/--tls-keyfile.
    public var tls: (certificate: String, key: String)?
    /// ComfyUI's origin check (on in ComfyUI unless `--enable-cors-header`), see `OriginCheck`. Off unless
    /// `COMFYTOP_MOCK_ORIGIN_CHECK=1` (or `comfytop mock --origin-check`): WSClient, which the Swift tests' sockets use, sends an Origin without the
    /// port, which the check refuses (as ComfyUI would).
    public var originCheck = ProcessInfo.processInfo.environment["COMFYTOP_MOCK_ORIGIN_CHECK"] == "1"

    public init(host: String = "127.0.0.1", port: Int = 8188, configuration: MockEngine.Configuration, logger: Logger) {
        self.host = host
        self.port = port
        self.jobsAPI = configuration.jobsAPI
        self.logger = logger
        self.engine = MockEngine(configuration: configuration, logger: logger)
    }

    /// Runs until the task is cancelled. `onRunning` receives the bound port (useful with port 0).
    public func run(
        stopOnSignals: Bool = false, onRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) async throws {
        try await engine.start()
        let router = Router(context: MockContext.self)
        if originCheck { router.add(middleware: OriginCheck()) }
        MockRoutes.register(on: router, engine: engine, jobsAPI: jobsAPI)
        var quiet = logger
        quiet.logLevel = max(logger.logLevel, .error)
        let refusals = originCheck
        var server: HTTPServerBuilder = .http1WebSocketUpgrade(
            webSocketRouter: router,
            configuration: .init(
                http1: .init(additionalChannelHandlers: refusals ? [OriginRefusalStatus()] : []),
                ws: .init(maxFrameSize: 64 * 1024 * 1024)))
        if let tls {
            let chain = try NIOSSLCertificate.fromPEMFile(tls.certificate).map {
                NIOSSLCertificateSource.certificate($0)
            }
            let key = try NIOSSLPrivateKey(file: tls.key, format: .pem)
            server = try .tls(
                server,
                tlsConfiguration: .makeServerConfiguration(certificateChain: chain, privateKey: .privateKey(key)))
        }
        let app = Application(
            router: router,
            server: server,
            configuration: .init(address: .hostname(host, port: port), serverName: nil),
            onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? 0) },
            logger: quiet)
        do {
            try await app.runService(gracefulShutdownSignals: stopOnSignals ? [.sigterm, .sigint] : [])
        } catch {
            await engine.stop()
            throw error
        }
        await engine.stop()
    }
}
