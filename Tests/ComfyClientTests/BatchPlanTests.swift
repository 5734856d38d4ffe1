import ComfyJSON
import Foundation
import Testing

@testable import ComfyClient

/// A generator with a fixed sequence, so seeds are known.
struct CountingGenerator: RandomNumberGenerator {
    var state: UInt64 = 0
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        return state
    }
}

@Suite("Batches: --count, --sweep and their grid")
struct BatchPlanTests {
    let prompt: JSONValue = .obj(
        ("3", .obj(("class_type", "KSampler"), ("inputs", .obj(("seed", 1), ("cfg", 8), ("sampler_name", "euler"))))),
        ("6", .obj(("class_type", "CLIPTextEncode"), ("inputs", .obj(("text", "a dog"))))))

    @Test("a sweep parses JSON values, text, escaped commas and a JSON array")
    func parse() throws {
        #expect(try Sweep.parse("3.cfg=5,7.5,9").values == [5, 7.5, 9])
        #expect(try Sweep.parse("3.sampler_name=euler,dpmpp_2m").values == ["euler", "dpmpp_2m"])
        #expect(try Sweep.parse(#"6.text=a cat\, red,a dog"#).values == ["a cat, red", "a dog"])
        #expect(try Sweep.parse(#"6.text=["a, b","c"]"#).values == ["a, b", "c"])
        for bad in ["3.cfg", "cfg=1,2", "3.=1", ".cfg=1", "3.cfg="] {
            #expect(throws: Workflow.Problem.self, "\(bad)") { try Sweep.parse(bad) }
        }
    }

    @Test("several sweeps make a grid, the last varying fastest")
    func grid() throws {
        var rng = CountingGenerator()
        let jobs = try BatchPlan.expand(
            workflows: [("wf.json", prompt)],
            sweeps: [try Sweep.parse("3.cfg=5,7"), try Sweep.parse("3.sampler_name=euler,heun,lms")], count: 1,
            using: &rng)
        #expect(jobs.count == 6)
        let pairs = jobs.map { [$0.prompt["3"]?["inputs"]?["cfg"], $0.prompt["3"]?["inputs"]?["sampler_name"]] }
        #expect(pairs[0] == [5, "euler"] && pairs[1] == [5, "heun"] && pairs[3] == [7, "euler"])
        #expect(jobs.allSatisfy { $0.prompt["3"]?["inputs"]?["seed"] == 1 }, "count 1 keeps the seed")
        #expect(jobs[4].label == "wf.json 3.cfg=7 3.sampler_name=heun")
    }

    @Test("--count gives every copy new 32-bit seeds, shared by that copy's grid")
    func count() throws {
        var rng = CountingGenerator()
        let jobs = try BatchPlan.expand(
            workflows: [("a.json", prompt), ("b.json", prompt)], sweeps: [try Sweep.parse("3.cfg=5,7")], count: 3,
            using: &rng)
        #expect(jobs.count == 12)
        #expect(jobs.map(\.workflow) == Array(repeating: "a.json", count: 6) + Array(repeating: "b.json", count: 6))
        let seeds = jobs.compactMap { $0.prompt["3"]?["inputs"]?["seed"]?.intValue }
        #expect(seeds.count == 12)
        #expect(seeds.allSatisfy { (0...Int(UInt32.max)).contains($0) })
        #expect(seeds[0] == seeds[1] && seeds[2] == seeds[3], "one copy's grid shares its seed")
        #expect(Set(stride(from: 0, to: 12, by: 2).map { seeds[$0] }).count == 6, "every copy has its own seed")
        #expect(jobs[3].label == "a.json #2 3.cfg=7")
    }

    @Test("a sweep of a node the workflow lacks is refused, naming the nodes")
    func missingNode() {
        var rng = CountingGenerator()
        #expect {
            try BatchPlan.expand(
                workflows: [("wf.json", prompt)], sweeps: [try Sweep.parse("9.cfg=1,2")], count: 1, using: &rng)
        } throws: { error in
            (error as? Workflow.Problem)?.description.contains("nodes: 3, 6") == true
        }
    }

    @Test("the batch estimate: the running job's time left plus the batch's mean for each job not started")
    func estimate() {
        var state = MonitorState(serverURL: "http://x", ownClientID: "me")
        let now = Date()
        for id in ["a", "b", "c", "d"] { state.track(id, number: 1, prompt: prompt, now: now) }
        let progress = BatchProgress(
            state: state, ids: ["a", "b", "c", "d"], ended: ["a": true, "b": false], seconds: [4, 6], rejected: 1,
            now: now)
        #expect(progress.total == 5 && progress.done == 1 && progress.failed == 2)
        #expect(progress.remaining == 10, "two jobs not started at the mean of 5 s")
        let none = BatchProgress(state: state, ids: ["a"], ended: [:], seconds: [], rejected: 0, now: now)
        #expect(none.remaining == nil, "nothing to base an estimate on")
    }
}
