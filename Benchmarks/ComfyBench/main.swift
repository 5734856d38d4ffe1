import ComfyClient
import ComfyJSON
import ComfyMock
import ComfyTUI
import Foundation
import Glibc

// comfybench: the Swift side of `make bench`. Each subcommand prints one JSON object on stdout.
//   gen-frames FILE N        write N text frames (one per line) shaped like the real transcripts
//   gen-history FILE N       write a /history body with N realistic entries
//   ingest FILE              decode + reduce every frame of FILE
//   history-decode FILE      decode a /history body into the model
//   history-screen N         a store with N runs: time to the first history screen, and a search
//   history-year N S [PATH]  B10: N runs over S servers (a year); first screens, searches, size on disk

func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }

func emit(_ pairs: (String, JSONValue)...) { print(JSONValue.object(pairs).pythonJSON) }

func peakRSSKB() -> Int {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Int(usage.ru_maxrss)
}

/// Frames of one prompt as the real server sends them to its submitter (progress, progress_state, executing, status).
func sampleFrames(promptIndex: Int) -> [String] {
    let id = String(format: "4214e3bd-6e9d-4cae-916b-%012d", promptIndex)
    var frames: [String] = []
    frames.append(#"{"type": "status", "data": {"status": {"exec_info": {"queue_remaining": 1}}}}"#)
    frames.append(#"{"type": "execution_start", "data": {"prompt_id": "\#(id)", "timestamp": 1795289731193}}"#)
    var nodes: [String] = []
    for node in 1...3 {
        let entry = { (value: String, max: String, state: String) in
            #""\#(node)": {"value": \#(value), "max": \#(max), "state": "\#(state)", "node_id": "\#(node)", "prompt_id": "\#(id)", "display_node_id": "\#(node)", "parent_node_id": null, "real_node_id": "\#(node)"}"#
        }
        frames.append(
            #"{"type": "progress_state", "data": {"prompt_id": "\#(id)", "nodes": {\#((nodes + [entry("0.0", "1.0", "running")]).joined(separator: ", "))}}}"#
        )
        frames.append(
            #"{"type": "executing", "data": {"node": "\#(node)", "display_node": "\#(node)", "prompt_id": "\#(id)"}}"#)
        for step in 1...40 {
            frames.append(
                #"{"type": "progress_state", "data": {"prompt_id": "\#(id)", "nodes": {\#((nodes + [entry(String(step), "40", "running")]).joined(separator: ", "))}}}"#
            )
            frames.append(
                #"{"type": "progress", "data": {"value": \#(step), "max": 40, "prompt_id": "\#(id)", "node": "\#(node)"}}"#
            )
        }
        nodes.append(entry("40", "40", "finished"))
    }
    frames.append(#"{"type": "status", "data": {"status": {"exec_info": {"queue_remaining": 0}}}}"#)
    frames.append(#"{"type": "executing", "data": {"node": null, "prompt_id": "\#(id)"}}"#)
    return frames
}

/// The non-empty lines of a file, as byte arrays (Data.split is slow enough to dominate a profile).
func lines(of bytes: [UInt8]) -> [[UInt8]] {
    var out: [[UInt8]] = []
    var start = 0
    while start < bytes.count {
        let end = bytes[start...].firstIndex(of: 0x0A) ?? bytes.count
        if end > start { out.append(Array(bytes[start..<end])) }
        start = end + 1
    }
    return out
}

/// A file's bytes, read straight into one array (no intermediate Data, which would double the peak).
func readFile(_ path: String) throws -> [UInt8] {
    let fd = open(path, O_RDONLY)
    guard fd >= 0 else { throw CocoaError(.fileReadNoSuchFile) }
    defer { close(fd) }
    // The size by seeking: `stat`'s struct is not visible here under MemberImportVisibility (NIO's C module owns it).
    let end = lseek(fd, 0, SEEK_END)
    guard end >= 0, lseek(fd, 0, SEEK_SET) == 0 else { throw CocoaError(.fileReadUnknown) }
    let size = Int(end)
    return [UInt8](unsafeUninitializedCapacity: size) { buffer, count in
        var done = 0
        guard let base = buffer.baseAddress else { return count = 0 }
        while done < size {
            let n = read(fd, base + done, size - done)
            if n <= 0 { break }
            done += n
        }
        count = done
    }
}

let args = CommandLine.arguments
guard args.count >= 2 else {
    FileHandle.standardError.write(
        Data("usage: comfybench gen-frames|gen-history|ingest|history-decode|history-screen …\n".utf8))
    exit(2)
}

switch args[1] {
case "gen-frames":
    let count = Int(args[3]) ?? 1_000_000
    var out = ""
    var n = 0
    var prompt = 0
    while n < count {
        for frame in sampleFrames(promptIndex: prompt) where n < count {
            out += frame + "\n"
            n += 1
        }
        prompt += 1
    }
    try Data(out.utf8).write(to: URL(fileURLWithPath: args[2]))
    emit(("frames", .int(n)), ("bytes", .int(out.utf8.count)))

case "gen-history":
    let count = Int(args[3]) ?? 10_000
    let engine = MockEngine(
        configuration: .init(
            dataDirectory: FileManager.default.temporaryDirectory.appendingPathComponent(
                "comfybench-\(UUID().uuidString)"), historyLimit: count + 1))
    let body = await engine.seededHistoryBody(count)
    try Data(body).write(to: URL(fileURLWithPath: args[2]))
    emit(("entries", .int(count)), ("bytes", .int(body.count)))

case "ingest":
    let data = try Data(contentsOf: URL(fileURLWithPath: args[2]))
    let passes = args.count > 3 ? Int(args[3]) ?? 1 : 1
    let once = lines(of: [UInt8](data))
    let lines = Array((0..<passes).map { _ in once }.joined())
    var state = MonitorState(serverURL: "bench", ownClientID: "me")
    let clock = Date(timeIntervalSince1970: 1_800_000_000)
    let start = now()
    var effects = 0
    var decoder = FrameDecoder()
    for line in lines {
        let event = decoder.decode(bytes: line)
        effects += state.ingest(event, now: clock).count
    }
    let seconds = now() - start
    emit(
        ("frames", .int(lines.count)), ("seconds", .double(seconds)),
        ("per_second", .double(Double(lines.count) / seconds)), ("jobs", .int(state.jobs.count)),
        ("effects", .int(effects)))

case "decode":
    // Decoding alone (to split B1's time between the decoder and the reducer).
    let lines = lines(of: [UInt8](try Data(contentsOf: URL(fileURLWithPath: args[2]))))
    var decoder = FrameDecoder()
    var kinds = 0
    let start = now()
    for line in lines {
        if case .progressState(_, let nodes) = decoder.decode(bytes: line) { kinds += nodes.count }
    }
    let seconds = now() - start
    emit(
        ("frames", .int(lines.count)), ("seconds", .double(seconds)),
        ("per_second", .double(Double(lines.count) / seconds)), ("nodes", .int(kinds)))

case "gen-previews":
    try PreviewBench.generate(directory: args[2], count: args.count > 3 ? Int(args[3]) ?? 20 : 20)

case "preview-draw":
    try PreviewBench.draw(directory: args[2])

case "render":
    // Drawing the monitor screen (120x40) with a run in progress, N times: the per-frame cost of the UI.
    let count = args.count > 2 ? Int(args[2]) ?? 1000 : 1000
    var state = MonitorState(serverURL: "bench", ownClientID: "me")
    let clock = Date()
    var decoder = FrameDecoder()
    for frame in sampleFrames(promptIndex: 1).prefix(60) { _ = state.ingest(decoder.decode(text: frame), now: clock) }
    var app = AppState()
    app = AppUpdate.settle(app, state, now: clock)
    let glyphs = Glyphs(ascii: false)
    var previous: Canvas?
    var changed = 0
    let start = now()
    for k in 0..<count {
        let canvas = Screen.render(
            app: app, monitor: state, now: clock.addingTimeInterval(Double(k) / 10), width: 120, height: 40,
            glyphs: glyphs)
        changed += canvas.changedRows(from: previous).count
        previous = canvas
    }
    let seconds = now() - start
    emit(
        ("frames", .int(count)), ("ms_per_frame", .double(seconds / Double(count) * 1000)),
        ("changed_rows", .int(changed)))

case "history-decode":
    // Peak memory counts the body itself: RSS is read before the file is.
    let before = peakRSSKB()
    let data = try readFile(args[2])
    let start = now()
    // "eager": every graph built too (what the model reads lazily), for comparison.
    let eager = args.count > 3 && args[3] == "eager"
    let items = eager ? HistoryItem.list(try JSONValue.parse(data)) : try HistoryItem.list(body: data)
    let seconds = now() - start
    let outputs = items.reduce(0) { $0 + $1.outputs.count }
    emit(
        ("entries", .int(items.count)), ("outputs", .int(outputs)), ("bytes", .int(data.count)),
        ("seconds", .double(seconds)), ("mb_per_s", .double(Double(data.count) / 1e6 / seconds)),
        ("peak_rss_kb", .int(peakRSSKB())), ("rss_before_kb", .int(before)))

case "history-screen":
    let count = Int(args[2]) ?? 10_000
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("comfybench-\(UUID().uuidString).sqlite")
        .path
    defer { try? FileManager.default.removeItem(atPath: path) }
    let engine = MockEngine(
        configuration: .init(
            dataDirectory: FileManager.default.temporaryDirectory.appendingPathComponent(
                "comfybench-\(UUID().uuidString)"), historyLimit: count + 1))
    let items = HistoryItem.list(try JSONValue.parse(await engine.seededHistoryBody(count)))
    try LocalHistory(path: path).upsert(items.compactMap { RunRecord(server: "bench", item: $0) })
    // Time to the first screen: open the store, run the default query, render 120×40.
    let start = now()
    let store = try LocalHistory(path: path)
    var app = AppState()
    app.screen = .history
    var browser = HistoryBrowserState(server: "bench")
    browser.refresh(store)
    app.history = browser
    let canvas = Screen.render(
        app: app, monitor: MonitorState(serverURL: "bench", ownClientID: "me"), now: Date(), width: 120, height: 40,
        glyphs: Glyphs(ascii: false))
    let firstScreen = now() - start
    var searches: [Double] = []
    for word in ["lisbon", "fox variation", "koi 42", "ramen", "neon"] {
        let s = now()
        browser.query.text = word
        browser.refresh(store)
        searches.append(now() - s)
    }
    emit(
        ("runs", .int(count)), ("first_screen_ms", .double(firstScreen * 1000)),
        ("search_ms_median", .double(searches.sorted()[searches.count / 2] * 1000)), ("rows", .int(canvas.lines.count)))

case "history-year":
    try HistoryYear.run(Array(args.dropFirst(2)))

default:
    FileHandle.standardError.write(Data("unknown benchmark \(args[1])\n".utf8))
    exit(2)
}
