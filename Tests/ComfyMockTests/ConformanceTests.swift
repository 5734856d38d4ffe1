import ComfyJSON
import ComfyMock
import ComfyTestSupport
import Foundation
import Testing

/// Drives the mock with the requests and sockets of every recorded transcript and compares what each client
/// receives with what the real ComfyUI 0.3.64 sent: the same message types in the same order, the same keys,
/// the same routing; and the same HTTP statuses and body shapes. Ids, numbers and timestamps may differ.
@Suite("Conformance with the real server's transcripts", .serialized)
struct ConformanceTests {
    /// The scenarios ran one after another on one server (later ones see earlier ones' cache), so they do here.
    static let chain = [
        "a_normal_run", "b_cached_rerun", "c_execution_error", "d_interrupt", "e_queue_pending",
        "f_validation_failure", "h_no_client_id", "i_feature_flags_preview_metadata", "http_snapshots",
    ]

    @Test("every scenario of the recorded session, in order, on one server")
    func recordedSession() async throws {
        let harness = try await MockHarness.start()
        defer { Task { await harness.stop() } }
        for name in Self.chain {
            let transcript = try Transcript.load(name)
            let replayer = Replayer(harness: harness)
            try await replayer.replay(transcript)
            compareFrames(transcript, replayer)
            compareHTTP(transcript, replayer)
            if name == "f_validation_failure" { compareValidationBodies(replayer) }
        }
    }

    @Test("g: a second client sees only status broadcasts and broadcast TEXT frames")
    func secondClient() async throws {
        let harness = try await MockHarness.start()
        defer { Task { await harness.stop() } }
        let transcript = try Transcript.load("g_second_client")
        let replayer = Replayer(harness: harness)
        try await replayer.replay(transcript)
        compareFrames(transcript, replayer)
        compareHTTP(transcript, replayer)
    }

    @Test("l: a passive monitor gets status and the log stream (got prompt, tqdm bars, Prompt executed)")
    func logsForeignJob() async throws {
        let harness = try await MockHarness.start()
        defer { Task { await harness.stop() } }
        let transcript = try Transcript.load("l_logs_foreign_job")
        let replayer = Replayer(harness: harness)
        try await replayer.replay(transcript)
        compareFrames(transcript, replayer, ignoring: ["logs"])
        compareHTTP(transcript, replayer)
        let lines = (replayer.sockets["M"]?.frames ?? []).compactMap(\.json).filter { $0["type"] == "logs" }
            .flatMap { $0["data"]?["entries"]?.arrayValue ?? [] }.compactMap { $0["m"]?.stringValue }
        #expect(lines.contains("got prompt\n"))
        #expect(lines.contains { $0.contains("Prompt executed in") && $0.hasSuffix(" seconds\n") })
        for step in 1...12 {
            #expect(lines.contains { $0.hasPrefix("\r") && $0.contains("| \(step)/12 [") }, "tqdm bar for step \(step)")
        }
        let fixtureEntry = transcript.receivedTexts("M").first { $0["type"] == "logs" }
        let mockEntry = (replayer.sockets["M"]?.frames ?? []).compactMap(\.json).first { $0["type"] == "logs" }
        if let fixtureEntry, let mockEntry {
            #expect(shapeDifferences(fixtureEntry, mockEntry).isEmpty)
        }
    }

    // MARK: Comparisons

    func compareFrames(_ transcript: Transcript, _ replayer: Replayer, ignoring: Set<String> = []) {
        for (client, _) in transcript.clients {
            guard let socket = replayer.sockets[client] else { continue }
            let expected = transcript.receivedKinds(client).filter { !ignoring.contains($0) }
            let actual = socket.kinds.filter { !ignoring.contains($0) }
            #expect(actual == expected, "\(transcript.name) client \(client): message types differ")
            let expectedTexts = transcript.receivedTexts(client).filter {
                !ignoring.contains($0["type"]?.stringValue ?? "")
            }
            let actualTexts = socket.frames.compactMap(\.json).filter {
                !ignoring.contains($0["type"]?.stringValue ?? "")
            }
            for (index, (e, a)) in zip(expectedTexts, actualTexts).enumerated() {
                let diffs = shapeDifferences(e, a)
                #expect(
                    diffs.isEmpty,
                    "\(transcript.name) client \(client) text #\(index) (\(e["type"]?.stringValue ?? "")): \(diffs)")
            }
            // Routing: the sid of the first status equals the clientId, or is a generated 32-hex id.
            if let sid = actualTexts.first?["data"]?["sid"]?.stringValue {
                if let clientID = transcript.root["clients"]?[client]?["clientId"]?.stringValue {
                    #expect(sid == clientID)
                } else {
                    #expect(sid.count == 32 && sid.allSatisfy(\.isHexDigit))
                }
            }
        }
    }

    func compareHTTP(_ transcript: Transcript, _ replayer: Replayer) {
        for (event, result) in replayer.httpResults {
            let label = "\(transcript.name) \(event["method"]?.stringValue ?? "") \(event["path"]?.stringValue ?? "")"
            #expect(result.status == event["status"]?.intValue, "\(label): status")
            if let expectedType = event["content_type"]?.stringValue, !expectedType.isEmpty {
                #expect(result.contentType == expectedType, "\(label): content type")
            } else {
                #expect(result.contentType == nil || result.body.isEmpty, "\(label): expected an empty body")
            }
            if let expected = event["response_json"], let actual = result.json {
                let diffs = historyAwareShape(expected, actual)
                #expect(diffs.isEmpty, "\(label): \(diffs)")
            }
            if let length = event["response_length"]?.intValue, length > 0 {
                #expect(result.body.count > 0, "\(label): binary body")
                #expect(
                    Array(result.body.prefix(8)) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A], "\(label): PNG")
            }
        }
    }

    /// History dicts are keyed by prompt ids and hold other scenarios' entries: compare entry shapes only.
    func historyAwareShape(_ expected: JSONValue, _ actual: JSONValue) -> [String] {
        if case .object(let e) = expected, let first = e.first, UUID(uuidString: first.0) != nil {
            guard case .object(let a) = actual else { return ["expected a history object"] }
            guard let other = a.first else { return [] }
            // Entries of other prompts have other node ids: compare outputs/meta by their values' shapes.
            var diffs = shapeDifferences(
                first.1.removing("outputs").removing("meta"), other.1.removing("outputs").removing("meta"))
            for key in ["outputs", "meta"] {
                if let e = first.1[key]?.objectValue?.first?.1, let a = other.1[key]?.objectValue?.first?.1 {
                    diffs += shapeDifferences(e, a, path: "$.\(key)[*]")
                }
            }
            return diffs
        }
        return shapeDifferences(expected, actual)
    }

    /// f1–f7 answer 400 with exactly the real server's bodies (paths in tracebacks aside); f8 the same node_errors.
    func compareValidationBodies(_ replayer: Replayer) {
        for (event, result) in replayer.httpResults where event["method"] == "POST" {
            guard let expected = event["response_json"], let actual = result.json else { continue }
            let note = event["note"]?.stringValue ?? ""
            let normalizedExpected = expected.pythonJSON.replacingOccurrences(of: "<COMFYUI_DIR>", with: "/opt/ComfyUI")
            if result.status == 400 {
                #expect(actual.pythonJSON == normalizedExpected, "\(note): 400 body differs")
            } else {
                #expect(actual["node_errors"] == expected["node_errors"], "\(note): node_errors differ")
            }
        }
    }
}
