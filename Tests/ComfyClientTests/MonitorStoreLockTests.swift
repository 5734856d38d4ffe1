import ComfyTestSupport
import Foundation
import NIOCore
import Testing

@testable import ComfyClient

/// The store is shared with other comfytop processes: a write that waits for another's lock must not stall the
/// session's event loop (which reads every socket of a fleet).
@Suite("A locked store does not stall the socket's loop")
struct MonitorStoreLockTests {
    @Test("a finished run is recorded once another process lets go of the store; the session answers meanwhile")
    func lockedStore() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("comfytop-lock-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("history.sqlite").path
        let store = try LocalHistory(path: path)
        let reader = try LocalHistory(path: path)
        let api = try ComfyAPI(endpoint: try Endpoint(url: "http://127.0.0.1:26999"), requestTimeout: 1)
        defer { Task { await api.shutdown() } }
        let session = MonitorSession(api: api, store: store, learnsFromHistory: false, periodicReads: false)
        let item = LocalHistoryTests.item("p-locked", text: "a cat", start: 1_700_000_000_000, seconds: 3)

        // Another process (Python's sqlite3: any SQLite client) holds the write lock until its stdin closes.
        let holder = Process()
        holder.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        holder.arguments = [
            "python3", "-c",
            "import sqlite3, sys; c = sqlite3.connect(sys.argv[1], isolation_level=None); "
                + "c.execute('BEGIN IMMEDIATE'); print('held', flush=True); sys.stdin.read(); c.execute('COMMIT')",
            path,
        ]
        let toHolder = Pipe()
        let fromHolder = Pipe()
        holder.standardInput = toHolder
        holder.standardOutput = fromHolder
        try holder.run()
        defer { holder.terminate() }
        let said = await withCheckedContinuation { done in
            DispatchQueue.global().async { done.resume(returning: fromHolder.fileHandleForReading.availableData) }
        }
        #expect(String(decoding: said, as: UTF8.self).hasPrefix("held"))

        // The history read's answer is applied, and the session goes on answering, with the lock still held (the
        // old code waited here for SQLite's busy timeout, then gave up on the run).
        await session.input(.recentHistory([item]))
        #expect(try await session.loop.submit { true }.get())
        #expect(try reader.record(server: api.endpoint.displayURL, promptID: "p-locked") == nil)
        try toHolder.fileHandleForWriting.close()

        try await waitUntil("the run in the store", seconds: 20) {
            (try? reader.record(server: api.endpoint.displayURL, promptID: "p-locked")) != nil
        }
        await session.storeWritten()
        #expect(await session.state.messages.allSatisfy { $0.level != .error })
    }
}
