import ComfyJSON
import Foundation
import Testing

@testable import ComfyClient

/// The live preview model: which job a frame belongs to, that only the newest bytes are kept, and why a job has
/// no preview.
@Suite("Live previews")
struct LivePreviewTests {
    static let t0 = Date(timeIntervalSince1970: 1_800_000_000)

    static func item(_ id: String, _ n: Int, client: String?) -> QueueItem? {
        let prompt = JSONValue.obj(("3", .obj(("class_type", "KSampler"))), ("9", .obj(("class_type", "SaveImage"))))
        return QueueItem(
            .array([.int(n), .string(id), prompt, client.map { .obj(("client_id", .string($0))) } ?? .object([]), []]))
    }

    /// A state with `running` running (submitted by `client`) and nothing else.
    static func state(running id: String?, client: String?) -> MonitorState {
        var s = MonitorState(serverURL: "http://box:8188", ownClientID: "me")
        s = s.reduce(.connection(.connected(sid: "me")), now: t0).0
        let running = id.flatMap { item($0, 1, client: client) }.map { [$0] } ?? []
        s = s.reduce(.queue(QueueSnapshot(running: running, pending: [])), now: t0).0
        return s
    }

    static func frame(_ byte: UInt8, prompt: String? = nil) -> PreviewImage {
        PreviewImage(
            format: .jpeg, bytes: [0xFF, 0xD8, byte], promptID: prompt, nodeID: prompt == nil ? nil : "3",
            displayNodeID: nil)
    }

    @Test("a type-4 frame names its prompt; a type-1 frame is the running job's (ours or anonymous)")
    func attribution() {
        let own = Self.state(running: "p-own", client: "me")
        #expect(own.previewTarget(of: Self.frame(1, prompt: "p-other")) == "p-other")
        #expect(own.previewTarget(of: Self.frame(1)) == "p-own")
        let anonymous = Self.state(running: "p-anon", client: nil)
        #expect(anonymous.previewTarget(of: Self.frame(1)) == "p-anon")
        let idle = Self.state(running: nil, client: nil)
        #expect(idle.previewTarget(of: Self.frame(1)) == nil)
    }

    @Test(
        "the session keeps the newest bytes outside the state and notes a mark in it; an unattributed frame is counted")
    func sessionIngest() async throws {
        let api = try ComfyAPI(endpoint: try Endpoint(url: "http://127.0.0.1:9"))
        defer { Task { await api.shutdown() } }
        let session = MonitorSession(api: api, clientID: "me", learnsFromHistory: false)
        await session.input(.event(.preview(Self.frame(7))))
        #expect(await session.state.previews.received == 1)
        #expect(await session.state.previews.unattributed == 1)
        await session.input(
            .queue(QueueSnapshot(running: [Self.item("p-anon", 1, client: nil)].compactMap { $0 }, pending: [])))
        for byte in UInt8(1)...UInt8(30) { await session.input(.event(.preview(Self.frame(byte)))) }
        let mark = try #require(await session.state.previews.byPrompt["p-anon"])
        #expect(mark.count == 30)
        let kept = try #require(session.previews.latest(for: "p-anon"))
        // Coalesced: only the newest frame's bytes exist; its sequence number is the mark's.
        #expect(kept.bytes == [0xFF, 0xD8, 30])
        #expect(kept.seq == mark.seq)
    }

    @Test("a fast sampler: 2,000 frames of 256 KB through the session keep one frame; the state stays small")
    func fastSampler() async throws {
        let api = try ComfyAPI(endpoint: try Endpoint(url: "http://127.0.0.1:9"))
        defer { Task { await api.shutdown() } }
        let session = MonitorSession(api: api, clientID: "me", learnsFromHistory: false)
        await session.input(
            .queue(QueueSnapshot(running: [Self.item("p-anon", 1, client: nil)].compactMap { $0 }, pending: [])))
        let frame = PreviewImage(
            format: .jpeg, bytes: [UInt8](repeating: 7, count: 256 << 10), promptID: nil, nodeID: nil,
            displayNodeID: nil)
        let clock = ContinuousClock()
        let start = clock.now
        for _ in 0..<2_000 { await session.input(.event(.preview(frame))) }
        let elapsed = clock.now - start
        // Reported, not asserted (speed lives in make bench).
        print("2000 preview frames through MonitorSession.input: \(elapsed) (\(elapsed / 2_000) each)")
        #expect(await session.state.previews.byPrompt["p-anon"]?.count == 2_000)
        #expect(session.previews.latest(for: "p-anon")?.bytes.count == 256 << 10)
    }

    @Test("LivePreviews replaces a prompt's frame and keeps only the last few prompts")
    func coalescing() {
        let previews = LivePreviews(capacity: 2)
        let first = previews.put(Self.frame(1), for: "a", now: Self.t0)
        let second = previews.put(Self.frame(2), for: "a", now: Self.t0)
        #expect(second > first)
        #expect(previews.latest(for: "a")?.bytes.last == 2)
        previews.put(Self.frame(3), for: "b", now: Self.t0)
        previews.put(Self.frame(4), for: "c", now: Self.t0)
        #expect(previews.latest(for: "a") == nil)
        #expect(previews.latest(for: "c")?.bytes.last == 4)
        #expect(previews.received == 4)
    }

    @Test("why a job has no preview")
    func whyNot() throws {
        // Another client's running job: previews go to that client's socket only.
        let foreign = Self.state(running: "p-browser", client: "browser-tab")
        let browserJob = try #require(foreign.jobs["p-browser"])
        #expect(foreign.previewStatus(of: browserJob) == .unavailable(.foreign(clientID: "browser-tab")))
        // Ours, running, no frame yet: waiting; after steps without any frame: the server sends none.
        var own = Self.state(running: "p-own", client: "me")
        #expect(own.previewStatus(of: try #require(own.jobs["p-own"])) == .waiting)
        own = own.reduce(.event(.executing(promptID: "p-own", node: "3", displayNode: "3")), now: Self.t0).0
        for step in 1...3 {
            own =
                own.reduce(
                    .event(.progress(promptID: "p-own", node: "3", value: Double(step), max: 20)), now: Self.t0
                ).0
        }
        #expect(own.previewStatus(of: try #require(own.jobs["p-own"])) == .unavailable(.serverSendsNone))
        // A frame arrives: it is shown.
        own.notePreview(of: "p-own", seq: 5, nodeID: "3", now: Self.t0)
        #expect(
            own.previewStatus(of: try #require(own.jobs["p-own"]))
                == .frame(PreviewMark(seq: 5, nodeID: "3", at: Self.t0, count: 1)))
        // A pending job has not started.
        var queued = Self.state(running: nil, client: nil)
        queued =
            queued.reduce(
                .queue(QueueSnapshot(running: [], pending: [Self.item("p-wait", 2, client: "me")].compactMap { $0 })),
                now: Self.t0
            ).0
        #expect(queued.previewStatus(of: try #require(queued.jobs["p-wait"])) == .unavailable(.notStarted))
    }

    @Test("the thumbnail cache keeps files under its cap, dropping the least recently used")
    func thumbnailCap() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("thumbs-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let cache = ThumbnailCache(directory: dir, capBytes: 2500)
        let fetched = PreviewFetchCounter()
        for n in 0..<4 {
            let file = OutputFile(filename: "img\(n).png", subfolder: "", type: "output", nodeID: "9")
            let bytes = try await cache.thumbnail(of: file, promptID: "p", server: "s") { _ in
                fetched.add()
                return [UInt8](repeating: UInt8(n), count: 1000)
            }
            #expect(bytes.count == 1000)
            // Distinct mtimes, so the LRU order is certain.
            let path = (dir as NSString).appendingPathComponent(
                ThumbnailCache.key(server: "s", promptID: "p", file: file))
            var times = [timeval(tv_sec: 1_000_000 + n, tv_usec: 0), timeval(tv_sec: 1_000_000 + n, tv_usec: 0)]
            utimes(path, &times)
        }
        cache.trim()
        let left = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasSuffix(".jpg") }
        #expect(left.count == 2)
        #expect(fetched.value == 4)
        // A thumbnail in memory is not fetched again.
        let again = OutputFile(filename: "img3.png", subfolder: "", type: "output", nodeID: "9")
        _ = try await cache.thumbnail(of: again, promptID: "p", server: "s") { _ in
            fetched.add()
            return []
        }
        #expect(fetched.value == 4)
    }
}

final class PreviewFetchCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var n = 0
    func add() { lock.withLock { n += 1 } }
    var value: Int { lock.withLock { n } }
}
