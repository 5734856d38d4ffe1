import Foundation

/// A pipe that wakes the UI thread out of its wait for keys: a new state is drawn at once instead of at the
/// next poll, and an idle monitor needs no polling at all. At most one byte is ever pending.
final class Wakeup: @unchecked Sendable {
    let readFD: Int32
    private let writeFD: Int32
    private var pending = false
    private let lock = NSLock()

    init?() {
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { return nil }
        readFD = fds[0]
        writeFD = fds[1]
        for fd in fds { _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) }
    }

    deinit {
        close(readFD)
        close(writeFD)
    }

    func signal() {
        let first = lock.withLock {
            defer { pending = true }
            return !pending
        }
        if first {
            var byte: UInt8 = 1
            _ = write(writeFD, &byte, 1)
        }
    }

    /// Called by the woken thread before it reads the state. The pipe is emptied first and the flag cleared
    /// after: the other way round, a signal in between would leave the flag set with no byte in the pipe, and
    /// the next states would not wake anyone.
    /// `between` runs after the pipe is emptied and before the flag is cleared (tests put a signal there).
    func drain(between: () -> Void = {}) {
        var buffer = [UInt8](repeating: 0, count: 64)
        while read(readFD, &buffer, buffer.count) > 0 {}
        between()
        lock.withLock { pending = false }
    }
}
