import ComfyJSON
import Foundation

/// One `--sweep NODE.INPUT=v1,v2,v3`: an input and the values it takes, one job each.
public struct Sweep: Sendable, Equatable {
    public var node: String
    public var input: String
    public var values: [JSONValue]

    public init(node: String, input: String, values: [JSONValue]) {
        self.node = node
        self.input = input
        self.values = values
    }

    /// Parses `NODE.INPUT=v1,v2,v3`. Each value is JSON when it parses (`7.5`, `true`), else text; `\,` is a comma
    /// inside a value; a JSON array (`3.text=["a, b","c"]`) gives its elements as the values.
    public static func parse(_ text: String) throws(Workflow.Problem) -> Sweep {
        func bad(_ reason: String) -> Workflow.Problem { .badSweep(text, reason: reason) }
        guard let eq = text.firstIndex(of: "="), let dot = text[..<eq].firstIndex(of: ".") else {
            throw bad("expected NODE.INPUT=v1,v2,…")
        }
        let node = String(text[..<dot])
        let input = String(text[text.index(after: dot)..<eq])
        let raw = String(text[text.index(after: eq)...])
        guard !node.isEmpty, !input.isEmpty else { throw bad("expected NODE.INPUT=v1,v2,…") }
        var values: [JSONValue]
        if raw.hasPrefix("["), let array = (try? JSONValue.parse(raw))?.arrayValue {
            values = array
        } else {
            values = splitValues(raw).map { piece in (try? JSONValue.parse(piece)) ?? .string(piece) }
        }
        guard !values.isEmpty, !(values.count == 1 && values[0] == .string("")) else { throw bad("no values") }
        return Sweep(node: node, input: input, values: values)
    }

    /// Splits on commas that are not escaped with a backslash.
    static func splitValues(_ raw: String) -> [String] {
        var out: [String] = []
        var current = ""
        var escaped = false
        for c in raw {
            if escaped {
                if c != "," { current.append("\\") }
                current.append(c)
                escaped = false
            } else if c == "\\" {
                escaped = true
            } else if c == "," {
                out.append(current)
                current = ""
            } else {
                current.append(c)
            }
        }
        if escaped { current.append("\\") }
        out.append(current)
        return out
    }
}

/// One job of a batch: which workflow, which copy, which sweep values, and the graph to queue.
public struct BatchJob: Sendable, Equatable {
    /// The workflow file it came from.
    public var workflow: String
    /// 1…count.
    public var copy: Int
    /// The sweep values set for this job, in the order the sweeps were given (`NODE.INPUT`, value).
    public var settings: [Setting]
    public var prompt: JSONValue

    public struct Setting: Sendable, Equatable {
        public var target: String
        public var value: JSONValue
    }

    /// A short name for the job: `wf.json #2 3.cfg=7`.
    public var label: String {
        var parts = [(workflow as NSString).lastPathComponent]
        if copy > 1 { parts.append("#\(copy)") }
        for s in settings {
            let value = s.value.stringValue ?? s.value.pythonJSON
            parts.append("\(s.target)=\(value.count > 24 ? String(value.prefix(23)) + "…" : value)")
        }
        return parts.joined(separator: " ")
    }
}

/// The jobs of one `submit`: every workflow × `--count` copies × the grid of the sweeps.
public enum BatchPlan {
    /// The jobs in queue order: workflow by workflow, copy by copy, and the grid with the last sweep varying
    /// fastest. With `count` > 1 every copy gets new seeds (all the grid's jobs of one copy share them, so the
    /// grid compares the swept input alone); a sweep over a seed input wins over the new seed.
    public static func expand<R: RandomNumberGenerator>(
        workflows: [(path: String, prompt: JSONValue)], sweeps: [Sweep], count: Int, using rng: inout R
    ) throws(Workflow.Problem) -> [BatchJob] {
        var jobs: [BatchJob] = []
        for (path, prompt) in workflows {
            for sweep in sweeps where prompt[sweep.node]?.objectValue == nil {
                let ids = (prompt.objectValue ?? []).map(\.0).joined(separator: ", ")
                throw .badSweep(
                    "\(sweep.node).\(sweep.input)=…", reason: "\(path) has no node \(sweep.node) (nodes: \(ids))")
            }
            let grid = Self.grid(sweeps)
            for copy in 1...max(1, count) {
                let seeded = count > 1 ? reseed(prompt, using: &rng) : prompt
                for combination in grid {
                    var graph = seeded
                    var settings: [BatchJob.Setting] = []
                    for (sweep, value) in zip(sweeps, combination) {
                        graph = setInput(graph, node: sweep.node, input: sweep.input, value: value)
                        settings.append(.init(target: "\(sweep.node).\(sweep.input)", value: value))
                    }
                    jobs.append(BatchJob(workflow: path, copy: copy, settings: settings, prompt: graph))
                }
            }
        }
        return jobs
    }

    /// Every combination of the sweeps' values (one empty combination when there are none).
    static func grid(_ sweeps: [Sweep]) -> [[JSONValue]] {
        var out: [[JSONValue]] = [[]]
        for sweep in sweeps {
            out = out.flatMap { prefix in sweep.values.map { prefix + [$0] } }
        }
        return out
    }

    /// New seeds for every literal `seed`/`noise_seed` input, within 32 bits (see `Workflow.randomizeSeeds`).
    public static func reseed<R: RandomNumberGenerator>(_ prompt: JSONValue, using rng: inout R) -> JSONValue {
        var out = prompt
        for (id, node) in prompt.objectValue ?? [] {
            for key in ["seed", "noise_seed"] where node["inputs"]?[key]?.intValue != nil {
                out = setInput(out, node: id, input: key, value: .int(Int.random(in: 0...Int(UInt32.max), using: &rng)))
            }
        }
        return out
    }

    static func setInput(_ prompt: JSONValue, node: String, input: String, value: JSONValue) -> JSONValue {
        guard let current = prompt[node] else { return prompt }
        let inputs = (current["inputs"] ?? .object([])).setting(input, value)
        return prompt.setting(node, current.setting("inputs", inputs))
    }
}
