import Foundation
import NIOCore
import NIOPosix
import NIOSSL

/// The network side of `comfytop doctor`: each probe does one thing on the wire and answers a typed outcome
/// (``DoctorFindings``). No probe throws, and each has its own time budget.
public struct DoctorProbes: Sendable {
    /// Seconds each probe may take.
    public var timeout: Double

    public init(timeout: Double) {
        self.timeout = timeout.isFinite ? min(max(timeout, 0.5), 300) : 10
    }

    var group: any EventLoopGroup { MultiThreadedEventLoopGroup.singleton }
    var budget: TimeAmount { .milliseconds(Int64(timeout * 1000)) }

    // MARK: Name

    /// getaddrinfo, on a thread of its own (it cannot be cancelled; a stuck lookup is abandoned at the deadline).
    public func resolve(host: String, port: Int) async -> ResolveOutcome {
        await Self.blocking(seconds: timeout, onTimeout: .timedOut(seconds: timeout)) {
            Self.lookup(host: host, port: port)
        }
    }

    static func lookup(host: String, port: Int) -> ResolveOutcome {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        let rc = getaddrinfo(host, String(port), &hints, &list)
        guard rc == 0, let first = list else {
            let message = String(cString: gai_strerror(rc))
            switch rc {
            // EAI_NODATA (-5, glibc): the name exists but has no address.
            case EAI_NONAME, EAI_FAIL, -5: return .notFound(detail: message)
            case EAI_AGAIN: return .temporaryFailure(detail: message)
            default: return .failed(detail: message)
            }
        }
        defer { freeaddrinfo(list) }
        var addresses: [String] = []
        var next: UnsafeMutablePointer<addrinfo>? = first
        while let info = next {
            var buffer = [CChar](repeating: 0, count: 1025)
            if getnameinfo(
                info.pointee.ai_addr, info.pointee.ai_addrlen, &buffer, socklen_t(buffer.count), nil, 0,
                NI_NUMERICHOST) == 0
            {
                let text = String(cString: buffer)
                if !addresses.contains(text) { addresses.append(text) }
            }
            next = info.pointee.ai_next
        }
        return addresses.isEmpty ? .notFound(detail: "no usable address") : .resolved(addresses)
    }

    /// Runs blocking `work` on a thread and answers `onTimeout` if it has not finished after `seconds`.
    static func blocking<T: Sendable>(seconds: Double, onTimeout: T, _ work: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            let once = Once(continuation)
            Thread { once.resume(work()) }.start()
            Task {
                try? await Task.sleep(nanoseconds: UInt64(seconds * 1_000_000_000))
                once.resume(onTimeout)
            }
        }
    }

    // MARK: TCP

    /// Connects to each address in turn (at most four) until one answers; the first failure otherwise.
    public func connect(addresses: [String], port: Int) async -> ConnectOutcome {
        var firstFailure: ConnectOutcome?
        for address in addresses.prefix(4) {
            let outcome = await connect(address: address, port: port)
            if case .connected = outcome { return outcome }
            if firstFailure == nil { firstFailure = outcome }
        }
        return firstFailure ?? .failed(address: "?", detail: "no address to connect to")
    }

    func connect(address: String, port: Int) async -> ConnectOutcome {
        let started = Date()
        do {
            let target = try SocketAddress(ipAddress: address, port: port)
            let channel = try await ClientBootstrap(group: group).connectTimeout(budget).connect(to: target).get()
            try? await channel.close()
            return .connected(address: address, milliseconds: Date().timeIntervalSince(started) * 1000)
        } catch let error as IOError {
            return Self.classify(errno: error.errnoCode, address: address, seconds: timeout)
        } catch ChannelError.connectTimeout {
            return .timedOut(address: address, seconds: timeout)
        } catch {
            return .failed(address: address, detail: String(describing: error))
        }
    }

    static func classify(errno code: Int32, address: String, seconds: Double) -> ConnectOutcome {
        let text = String(cString: strerror(code))
        switch code {
        case ECONNREFUSED: return .refused(address: address)
        case ETIMEDOUT: return .timedOut(address: address, seconds: seconds)
        case EHOSTUNREACH, ENETUNREACH, EHOSTDOWN, ENETDOWN: return .noRoute(address: address, detail: text)
        default: return .failed(address: address, detail: text)
        }
    }
}

/// Resumes a continuation once; later calls are ignored.
final class Once<T: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var continuation: CheckedContinuation<T, Never>?

    init(_ continuation: CheckedContinuation<T, Never>) { self.continuation = continuation }

    func resume(_ value: T) {
        lock.lock()
        let pending = continuation
        continuation = nil
        lock.unlock()
        pending?.resume(returning: value)
    }
}
