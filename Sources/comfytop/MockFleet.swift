import ArgumentParser
import ComfyClient
import ComfyMock
import Foundation
import Logging

/// `comfytop mock --servers N`: N independent mock servers in one process, on ports P…P+N-1, each with its own
/// engine (queue, history, sockets, logs) and its own data folder (`DATA/server-1` … `DATA/server-N`). They share
/// the process's event loops, so a 50-server fleet for tests and benchmarks costs one process, not fifty.
enum MockFleet {
    /// The most servers one process runs (ports, sockets and threads stay well under the usual limits).
    static let maxServers = 200

    /// The options of server `index` (0-based) of the fleet: its port and its own data folder.
    static func options(_ base: MockOptions, index: Int) -> MockOptions {
        var options = base
        options.port = base.port == 0 ? 0 : base.port + index
        options.dataDir = base.dataDirectory.appendingPathComponent("server-\(index + 1)").path
        return options
    }

    /// Runs every server until Ctrl-C; a server that cannot listen stops the whole fleet with its reason.
    static func run(_ base: MockOptions, count: Int) async throws {
        let scheme = base.tlsCertfile == nil ? "http" : "https"
        let host = base.host
        // One shared signal handler for the fleet: servers stop when the group's task is cancelled.
        let signals = SignalWaiter()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<count {
                let options = options(base, index: index)
                // The servers' logs would interleave 50 ways (and stopping logs each open connection as an error):
                // only the listening lines are written; a bind failure is thrown, not logged.
                var logger = Logger(label: "comfytop.mock.\(index + 1)")
                logger.logLevel = .critical
                let server = options.server(logger: logger, echoLogs: false)
                group.addTask {
                    do {
                        try await server.run(stopOnSignals: false) { port in
                            Output.error(
                                "comfytop mock \(index + 1)/\(count): ComfyUI 0.3.64 API on \(scheme)://\(host):\(port) "
                                    + "(data in \(options.dataDirectory.path))\n")
                        }
                    } catch {
                        throw options.explain(error)
                    }
                }
            }
            group.addTask {
                await signals.wait()
                throw CancellationError()
            }
            do {
                // The first to end (a bind failure, or Ctrl-C) ends them all.
                try await group.next()
                group.cancelAll()
            } catch is CancellationError {
                group.cancelAll()
            } catch {
                group.cancelAll()
                throw error
            }
        }
    }
}

/// Waits for SIGINT or SIGTERM (dispatch sources, so the default action is replaced for the fleet's lifetime).
final class SignalWaiter: @unchecked Sendable {
    private let stream: AsyncStream<Int32>
    private let sources: [any DispatchSourceSignal]

    init() {
        let (stream, continuation) = AsyncStream<Int32>.makeStream()
        self.stream = stream
        sources = [SIGINT, SIGTERM].map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { continuation.yield(number) }
            source.resume()
            return source
        }
    }

    func wait() async {
        for await _ in stream { return }
    }
}
