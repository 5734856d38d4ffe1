import Foundation
import NIOCore
import Testing

@testable import ComfyClient

/// The session hands the state on once a socket read; a read that ends with a `progress_state` waits for its
/// step's `progress`, but not for long.
@Suite("MonitorSession: the state is handed on once a read")
struct MonitorHandOffTests {
    static let nodeStarts = #"""
        {"type": "progress_state", "data": {"prompt_id": "anon-1", "nodes": {"8": {"value": 0, "max": 1,
        "state": "running", "node_id": "8", "prompt_id": "anon-1", "display_node_id": "8"}}}}
        """#

    @Test("an anonymous job's node start, the last message of a read, reaches the screen without the 5 s timer")
    func heldBackProgressStateGoesOut() async throws {
        let api = try ComfyAPI(endpoint: try Endpoint(url: "http://127.0.0.1:26998"), requestTimeout: 1)
        defer { Task { await api.shutdown() } }
        let session = MonitorSession(api: api, learnsFromHistory: false, periodicReads: false)
        let seen = LockedLog<MonitorState>()
        let event = EventDecoder.decode(text: Self.nodeStarts)
        // As the socket does it: the message and the read's end, on the session's loop (no `run`, so no timer).
        try await session.loop.submit {
            session.assumeIsolated { s in
                s.onState = { seen.append($0) }
                s.receive(.server(event))
                s.readComplete()
            }
        }.get()
        try await seen.wait(deadline: 10) { states in
            states.contains { $0.jobs["anon-1"]?.nodes.contains { $0.id == "8" && $0.state == .running } == true }
        }
        #expect(seen.all.count == 1)
    }
}
