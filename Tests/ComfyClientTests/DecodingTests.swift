import ComfyJSON
import Foundation
import Testing

@testable import ComfyClient

/// The shared transcripts, read from the mock tests' copy.
enum Fixtures {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../ComfyMockTests/Fixtures").standardizedFileURL

    static let scenarios = [
        "a_normal_run", "b_cached_rerun", "c_execution_error", "d_interrupt", "e_queue_pending", "f_validation_failure",
        "g_second_client", "h_no_client_id", "i_feature_flags_preview_metadata", "l_logs_foreign_job",
    ]

    static func load(_ name: String) throws -> JSONValue {
        try JSONValue.parse([UInt8](Data(contentsOf: directory.appendingPathComponent("\(name).json"))))
    }
}

@Suite("Decoding every frame of the real transcripts")
struct DecodingTests {
    @Test("every text frame decodes to its typed event", arguments: Fixtures.scenarios)
    func textFrames(scenario: String) throws {
        let transcript = try Fixtures.load(scenario)
        var count = 0
        for event in transcript["events"]?.arrayValue ?? [] where event["kind"] == "ws_recv" && event["frame"] == "text"
        {
            guard let text = event["text"]?.stringValue, let type = try JSONValue.parse(text)["type"]?.stringValue
            else {
                Issue.record("frame without text")
                continue
            }
            let decoded = EventDecoder.decode(text: text)
            count += 1
            switch (type, decoded) {
            case ("status", .status), ("execution_start", .executionStart), ("execution_cached", .executionCached),
                ("executing", .executing), ("progress", .progress), ("progress_state", .progressState),
                ("executed", .executed), ("execution_success", .executionSuccess), ("execution_error", .executionError),
                ("execution_interrupted", .executionInterrupted), ("feature_flags", .featureFlags), ("logs", .logs):
                break
            default:
                Issue.record("\(scenario): \(type) decoded as \(decoded)")
            }
        }
        #expect(count > 0)
    }

    @Test("binary frames: previews of type 1 and 4, and TEXT of type 3, from real bytes")
    func binaryFrames() throws {
        let samples = try Fixtures.load("binary_frame_samples")
        for frame in samples["frames"]?.arrayValue ?? [] {
            guard let b64 = frame["base64"]?.stringValue, let data = Data(base64Encoded: b64) else { continue }
            let event = EventDecoder.decode(binary: [UInt8](data))
            switch (frame["event_type"]?.intValue, event) {
            case (1, .preview(let p)):
                #expect(p.format == .jpeg && p.bytes.starts(with: [0xFF, 0xD8, 0xFF]) && p.promptID == nil)
            case (3, .progressText(let node, let text)):
                #expect(node == "3" && text.hasPrefix("SlowSteps step"))
            case (4, .preview(let p)):
                #expect(
                    p.format == .jpeg && p.promptID != nil && p.nodeID != nil && p.bytes.starts(with: [0xFF, 0xD8]))
            default:
                Issue.record("type \(frame["event_type"]?.intValue ?? -1) decoded as \(event)")
            }
        }
    }

    @Test("the final executing of a prompt has node null and the prompt id; the reconnect replay has neither")
    func executingShapes() {
        #expect(
            EventDecoder.decode(text: #"{"type": "executing", "data": {"node": null, "prompt_id": "p"}}"#)
                == .executing(promptID: "p", node: nil, displayNode: nil))
        #expect(
            EventDecoder.decode(text: #"{"type": "executing", "data": {"node": "3"}}"#)
                == .executing(promptID: nil, node: "3", displayNode: nil))
    }

    @Test(
        "malformed and unknown frames become events that say so, never a crash",
        arguments: [
            "", "{", "[]", #"{"data": {}}"#, #"{"type": "status", "data": {}}"#,
            #"{"type": "progress", "data": {"value": "x"}}"#,
        ])
    func malformed(text: String) {
        guard case .malformed(let reason, _) = EventDecoder.decode(text: text) else {
            Issue.record("\(text) was not reported as malformed")
            return
        }
        #expect(!reason.isEmpty)
    }

    @Test("unknown types are kept whole")
    func unknown() {
        #expect(
            EventDecoder.decode(text: #"{"type": "display_component", "data": {"node_id": "1"}}"#)
                == .unknown(type: "display_component", data: .obj(("node_id", "1"))))
        #expect(EventDecoder.decode(binary: [0, 0, 0, 9, 1]) == .unknownBinary(type: 9, bytes: [0, 0, 0, 9, 1]))
        if case .malformed = EventDecoder.decode(binary: [0, 0, 0, 3, 0, 0, 0, 99]) {
        } else {
            Issue.record("a TEXT frame whose node id length exceeds the frame must be malformed")
        }
    }

    @Test(
        "tqdm bars from the server log",
        arguments: [
            ("\r 42%|████▏     | 5/12 [00:01<00:01,  3.98it/s]", 5, 12),
            ("\r  0%|          | 0/12 [00:00<?, ?it/s]", 0, 12),
            ("\r100%|██████████| 30/30 [00:06<00:00,  4.98it/s]", 30, 30),
        ])
    func tqdm(line: String, value: Int, total: Int) {
        let step = TqdmParser.parse(line)
        #expect(step?.value == value && step?.total == total)
    }

    @Test("log lines that are not bars are not mistaken for progress")
    func notTqdm() {
        #expect(TqdmParser.parse("got prompt\n") == nil)
        #expect(TqdmParser.parse("Prompt executed in 3.03 seconds\n") == nil)
        #expect(TqdmParser.parse("100%|") == nil)
    }
}

@Suite("The fast path decodes exactly as the general decoder")
struct FastDecoderTests {
    @Test("every text frame of every transcript: fast path == general decoder", arguments: Fixtures.scenarios)
    func sameAsGeneral(scenario: String) throws {
        let transcript = try Fixtures.load(scenario)
        var fast = 0
        for event in transcript["events"]?.arrayValue ?? [] where event["kind"] == "ws_recv" && event["frame"] == "text"
        {
            guard let text = event["text"]?.stringValue else { continue }
            let general = EventDecoder.decodeGeneral(text: text)
            if let quick = FastEventDecoder.decode(Array(text.utf8)) {
                fast += 1
                #expect(quick == general, "\(scenario): \(text.prefix(80))")
            }
        }
        #expect(fast > 0 || scenario == "f_validation_failure")
    }

    @Test("one decoder for a whole session (its string cache warm) decodes as the general decoder")
    func sharedDecoder() throws {
        var decoder = FrameDecoder()
        var count = 0
        for scenario in Fixtures.scenarios {
            for event in try Fixtures.load(scenario)["events"]?.arrayValue ?? []
            where event["kind"] == "ws_recv" && event["frame"] == "text" {
                guard let text = event["text"]?.stringValue else { continue }
                #expect(decoder.decode(text: text) == EventDecoder.decodeGeneral(text: text), "\(text.prefix(80))")
                count += 1
            }
        }
        #expect(count > 100)
    }

    @Test(
        "numbers read as the general decoder reads them",
        arguments: [
            "0.0", "1.0", "0.1", "0.3333333333333333", "12.5", "-0.0", "-2.75", "1e3", "1.5E-7", "40", "-3",
            "123456789012345.6", "0.1234567890123456789",
        ])
    func numbers(text: String) {
        let frame = #"{"type": "progress", "data": {"value": \#(text), "max": 40, "prompt_id": "p", "node": "2"}}"#
        #expect(FastEventDecoder.decode(Array(frame.utf8)) == EventDecoder.decodeGeneral(text: frame))
        #expect(FastEventDecoder.decode(Array(frame.utf8)) != nil)
    }

    @Test(
        "unexpected shapes fall back to the general decoder",
        arguments: [
            #"{"data": {"value": 1}, "type": "progress"}"#, #"{"type": "progress", "data": {"max": 5, "value": 1}}"#,
            #"{"type": "executing", "data": {"node": "a\"b", "prompt_id": "p"}}"#, #"{"type": "status", "data": {}}"#,
            #"{"type": "progress", "data": {"value": 1, "max": 5, "prompt_id": "p", "node": "2"}} trailing"#,
        ])
    func fallsBack(text: String) {
        #expect(FastEventDecoder.decode(Array(text.utf8)) == nil)
    }
}

@Suite("Reading /history lazily")
struct LazyHistoryTests {
    /// Every `/history` answer recorded from the real server.
    static func recordedBodies() throws -> [JSONValue] {
        var bodies: [JSONValue] = []
        for scenario in Fixtures.scenarios + ["http_snapshots"] {
            for event in try Fixtures.load(scenario)["events"]?.arrayValue ?? []
            where event["kind"] == "http" && (event["path"]?.stringValue ?? "").hasPrefix("/history") {
                if let body = event["response_json"], body.objectValue != nil { bodies.append(body) }
            }
        }
        return bodies
    }

    static func assertSame(_ lazy: [HistoryItem], _ eager: [HistoryItem]) {
        #expect(lazy == eager)
        for (a, b) in zip(lazy, eager) {
            #expect(a.queue?.prompt == b.queue?.prompt)
            #expect(a.queue?.extraData == b.queue?.extraData)
            #expect(a.queue?.clientID == b.queue?.clientID && a.queue?.createTime == b.queue?.createTime)
            #expect(a.queue?.number == b.queue?.number && a.queue?.outputNodes == b.queue?.outputNodes)
            #expect(a.startedAt == b.startedAt && a.endedAt == b.endedAt && a.error == b.error)
        }
    }

    @Test("every recorded /history answer reads the same lazily as parsed whole")
    func recorded() throws {
        let bodies = try Self.recordedBodies()
        #expect(bodies.count > 3)
        for body in bodies {
            let bytes = body.pythonJSONBytes
            Self.assertSame(try HistoryItem.list(body: bytes), HistoryItem.list(try JSONValue.parse(bytes)))
        }
    }

    @Test("browser runs with their UI workflow in extra_data, escapes and odd spacing")
    func browserRuns() throws {
        let text = """
            { "p1" : {"prompt": [3, "p1", {"1": {"class_type": "A\\u00e9", "inputs": {"t": "say \\"hi\\"\\n"}}},
              {"extra_pnginfo": {"workflow": {"nodes": [{"id": 1, "pos": [1.5, -2e3]}], "links": []}},
               "client_id": "browser", "create_time": 1795289731193}, ["1"]],
              "outputs": {"1": {"images": [{"filename": "x.png", "subfolder": "", "type": "output"}]}},
              "status": {"status_str": "success", "completed": true, "messages": []}, "meta": {}},
              "p2": {"prompt": [4, "p2", {}, {}, []], "outputs": {}, "status": {"status_str": "error",
              "completed": false, "messages": [["execution_error", {"node_id": "1", "exception_message": "x"}]]}},
              "p3": {"prompt": [5, "p3", {}, null, []], "outputs": {}, "status": {"status_str": "success"}}}
            """
        let bytes = Array(text.utf8)
        let lazy = try HistoryItem.list(body: bytes)
        Self.assertSame(lazy, HistoryItem.list(try JSONValue.parse(bytes)))
        #expect(lazy.first?.queue?.clientID == "browser")
        #expect(lazy.first?.queue?.createTime == 1_795_289_731_193)
        #expect(lazy.first?.queue?.prompt["1"]?["inputs"]?["t"] == "say \"hi\"\n")
    }

    @Test(
        "a broken body is an error, not a partial list",
        arguments: [
            #"{"p1": {"prompt": [1, "p1", {"a": }]}}"#, #"{"p1": {"prompt": [1, "p1", {"a": "x}]}}"#, #"{"p1": 1"#,
            #"{"p1": {}} extra"#, "[]",
        ])
    func broken(text: String) {
        #expect(throws: JSONParseError.self) { try HistoryItem.list(body: Array(text.utf8)) }
    }
}
