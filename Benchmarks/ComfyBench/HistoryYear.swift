import ComfyClient
import ComfyJSON
import ComfyMock
import ComfyTUI
import Foundation

/// B10, a year of history: `history-year RUNS SERVERS [STORE]` fills a store with RUNS runs spread over SERVERS
/// servers and a year (straight through `LocalHistory.upsert`, in batches: no server, no /history bodies), then
/// times what a person waits for: the first history screen of the whole fleet and of one server (open the store,
/// read the default page, render 120×40), and word searches. A STORE that already holds the runs is reused.
enum HistoryYear {
    static let subjects = [
        "a lighthouse at dusk", "a red fox in snow", "an old tram in Lisbon", "koi pond, top view", "a paper boat",
        "misty pine forest", "a cat astronaut", "neon alley in the rain", "a bowl of ramen", "desert dunes at noon",
    ]
    static let styles = [
        "oil painting", "photo, 35mm", "watercolor", "isometric render", "ink sketch", "cinematic lighting",
        "pixel art", "studio portrait",
    ]
    static let checkpoints = [
        "sd_xl_base_1.0.safetensors", "flux1-dev.safetensors", "juggernautXL_v9.safetensors",
        "dreamshaper_8.safetensors",
    ]

    static func server(_ index: Int) -> String { "http://gpu\(index).lan:8188" }

    /// Run `i` of `count`: a text-to-image graph with its own prompt text and seed, ended `i` steps into the year.
    static func record(_ i: Int, of count: Int, servers: Int, end: Int, random: inout SplitMix) -> RunRecord {
        let text =
            "\(subjects[Int(random.next() % 10)]), \(styles[Int(random.next() % 8)]), variation \(i)"
        let seed = Int(random.next() % (1 << 32))
        var prompt = MockEngine.demoTextToImage(text, seed: seed, steps: 20 + i % 10)
        // A few checkpoints, as a studio uses (node "4" is the graph's checkpoint loader).
        if case .object(var nodes) = prompt, let k = nodes.firstIndex(where: { $0.0 == "4" }) {
            nodes[k].1 = .obj(
                ("class_type", "CheckpointLoaderSimple"),
                ("inputs", .obj(("ckpt_name", .string(checkpoints[i % checkpoints.count])))))
            prompt = .object(nodes)
        }
        // A year is 31.5 M seconds: a million runs end about 31 s apart, interleaved over the servers.
        let ended = end - (count - i) * (31_536_000_000 / max(count, 1))
        let started = ended - 3000 - Int(random.next() % 57_000)
        let failed = i % 17 == 5
        let id = String(
            format: "%08x-%04x-4%03x-8%03x-%012llx", UInt32(truncatingIfNeeded: random.next()),
            Int(random.next() % 0x10000), Int(random.next() % 0x1000), Int(random.next() % 0x1000),
            random.next() % 0x1_0000_0000_0000)
        return RunRecord(
            server: server(i % servers), promptID: id, number: Double(i / servers), clientID: "browser-\(i % 7)",
            source: .foreign, status: failed ? .failed : .success, errorNode: failed ? "3" : nil,
            errorType: failed ? "torch.OutOfMemoryError" : nil, errorMessage: failed ? "CUDA out of memory" : nil,
            traceback: nil, startedAt: started, endedAt: ended, prompt: prompt,
            outputs: failed
                ? []
                : [
                    OutputFile(
                        filename: String(format: "ComfyUI_%05d_.png", i % 100_000), subfolder: "", type: "output",
                        nodeID: "9", kind: "images")
                ],
            nodeSeconds: [:], cachedNodes: [])
    }

    static func run(_ args: [String]) throws {
        let count = args.first.flatMap { Int($0) } ?? 1_000_000
        let servers = args.count > 1 ? Int(args[1]) ?? 50 : 50
        let path =
            args.count > 2
            ? args[2]
            : FileManager.default.temporaryDirectory.appendingPathComponent("comfybench-year-\(count).sqlite").path
        var generated = 0.0
        let existing = try LocalHistory(path: path).summary(server: nil).count
        if existing != count {
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
            let store = try LocalHistory(path: path)
            let start = now()
            var random = SplitMix(seed: 1)
            let end = 1_795_289_731_193
            var batch: [RunRecord] = []
            batch.reserveCapacity(10_000)
            for i in 0..<count {
                batch.append(record(i, of: count, servers: servers, end: end, random: &random))
                if batch.count == 10_000 || i == count - 1 {
                    try store.upsert(batch)
                    batch.removeAll(keepingCapacity: true)
                }
            }
            generated = now() - start
        }
        let bytes = ["", "-wal"].reduce(0) { total, suffix in
            total + ((try? FileManager.default.attributesOfItem(atPath: path + suffix)[.size] as? Int) ?? 0)
        }
        // The first screen: what the history key costs on a fleet (every server) and on one server.
        func firstScreen(server: String?) throws -> Double {
            let start = now()
            let store = try LocalHistory(path: path)
            var app = AppState()
            app.screen = .history
            var browser = HistoryBrowserState(server: server)
            browser.refresh(store)
            app.history = browser
            _ = Screen.render(
                app: app, monitor: MonitorState(serverURL: server ?? "fleet", ownClientID: "me"), now: Date(),
                width: 120, height: 40, glyphs: Glyphs(ascii: false))
            guard !browser.rows.isEmpty else { throw BenchFailure("an empty first page") }
            return now() - start
        }
        let fleetScreen = try firstScreen(server: nil)
        let serverScreen = try firstScreen(server: server(7))
        // Searches as the screen runs them (the whole fleet, newest first): a subject word (a tenth of the runs),
        // a checkpoint (a quarter), a style (an eighth), a subject word again, an id (one run), a word no run has.
        let store = try LocalHistory(path: path)
        var browser = HistoryBrowserState(server: nil)
        var searches: [(String, Double, Int)] = []
        // The first group of the newest run's id: one run.
        let idWord = (try? store.search(HistoryQuery()).rows.first?.promptID.prefix(8)).map(String.init)
        for word in ["lisbon", "juggernautxl", "watercolor", "astronaut", idWord ?? "0000", "zeppelin"] {
            browser.query.text = word
            let s = now()
            browser.refresh(store)
            searches.append((word, now() - s, browser.total))
        }
        let times = searches.map(\.1).sorted()
        emit(
            ("runs", .int(count)), ("servers", .int(servers)), ("generate_s", .double(generated)),
            ("store_bytes", .int(bytes)), ("first_screen_ms", .double(fleetScreen * 1000)),
            ("server_screen_ms", .double(serverScreen * 1000)),
            ("search_ms_median", .double(times[times.count / 2] * 1000)),
            ("search_ms_max", .double((times.last ?? 0) * 1000)),
            (
                "searches",
                .array(
                    searches.map {
                        .obj(("word", .string($0.0)), ("ms", .double($0.1 * 1000)), ("matches", .int($0.2)))
                    })
            ))
    }
}

/// A small fast deterministic generator (the store must be the same on every run of the benchmark).
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

struct BenchFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
