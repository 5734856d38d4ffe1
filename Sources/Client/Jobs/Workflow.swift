import ComfyJSON
import Foundation

/// Loading a workflow file and editing its inputs from the command line.
public enum Workflow {
    public enum Problem: Error, Sendable, Equatable, CustomStringConvertible {
        case unreadable(path: String, detail: String)
        case notJSON(path: String, detail: String)
        case uiFormat(path: String)
        case notAPIFormat(path: String)
        case badSet(String, reason: String)
        case badSweep(String, reason: String)
        /// `--prompt`/`--negative` could not find the one text input to set (see `PromptTarget`).
        case promptTarget(String)

        public var description: String {
            switch self {
            case .unreadable(let path, let detail): return "cannot read \(path): \(detail)"
            case .notJSON(let path, let detail): return "\(path) is not valid JSON (\(detail))"
            case .uiFormat(let path):
                return
                    "\(path) is a UI workflow (the browser's \"Save\"), not the API format ComfyUI queues. In ComfyUI, "
                    + "use Workflow → Export (API) (older versions: enable dev mode options, then \"Save (API Format)\")."
            case .notAPIFormat(let path):
                return "\(path) is not an API-format workflow: expected an object of nodes like "
                    + "{\"3\": {\"class_type\": \"KSampler\", \"inputs\": {…}}}"
            case .badSet(let text, let reason): return "--set \(text): \(reason)"
            case .badSweep(let text, let reason): return "--sweep \(text): \(reason)"
            case .promptTarget(let message): return message
            }
        }
    }

    /// Reads an API-format workflow; also accepts `{"prompt": {...}}` as saved by some tools.
    public static func load(path: String) throws(Problem) -> JSONValue {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw .unreadable(path: path, detail: error.localizedDescription)
        }
        let json: JSONValue
        do {
            json = try JSONValue.parse([UInt8](data))
        } catch {
            throw .notJSON(path: path, detail: error.description)
        }
        return try apiFormat(json, path: path)
    }

    public static func apiFormat(_ json: JSONValue, path: String) throws(Problem) -> JSONValue {
        if json["nodes"]?.arrayValue != nil, json["links"] != nil { throw .uiFormat(path: path) }
        if let inner = json["prompt"], inner.objectValue != nil { return try apiFormat(inner, path: path) }
        guard let nodes = json.objectValue, !nodes.isEmpty,
            nodes.allSatisfy({ $0.1["class_type"]?.stringValue != nil })
        else { throw .notAPIFormat(path: path) }
        return json
    }

    /// Applies `NODE.INPUT=VALUE`: VALUE is JSON when it parses (`20`, `true`, `"text"`), else a string;
    /// `random` for a seed input picks a new random seed.
    public static func set(_ assignment: String, in prompt: JSONValue) throws(Problem) -> JSONValue {
        guard let eq = assignment.firstIndex(of: "=") else {
            throw .badSet(assignment, reason: "expected NODE.INPUT=VALUE")
        }
        let target = assignment[..<eq]
        let raw = String(assignment[assignment.index(after: eq)...])
        guard let dot = target.firstIndex(of: ".") else {
            throw .badSet(assignment, reason: "expected NODE.INPUT=VALUE")
        }
        let node = String(target[..<dot])
        let input = String(target[target.index(after: dot)...])
        guard let current = prompt[node] else {
            let ids = (prompt.objectValue ?? []).map(\.0).joined(separator: ", ")
            throw .badSet(assignment, reason: "there is no node \(node) (nodes: \(ids))")
        }
        guard !input.isEmpty else { throw .badSet(assignment, reason: "no input name after the dot") }
        let value: JSONValue
        if raw == "random", ["seed", "noise_seed"].contains(input) {
            // 32 bits, as randomizeSeeds: nodes with a 32-bit seed input refuse more.
            value = .int(Int.random(in: 0...Int(UInt32.max)))
        } else if let parsed = try? JSONValue.parse(raw) {
            value = parsed
        } else {
            value = .string(raw)
        }
        let inputs = (current["inputs"] ?? .object([])).setting(input, value)
        return prompt.setting(node, current.setting("inputs", inputs))
    }

    /// Gives every seed input a new random value, so that ComfyUI's cache does not skip the run.
    public static func randomizeSeeds(_ prompt: JSONValue) -> JSONValue {
        var out = prompt
        for (id, node) in prompt.objectValue ?? [] {
            for key in ["seed", "noise_seed"] where node["inputs"]?[key]?.intValue != nil {
                let inputs = (node["inputs"] ?? .object([])).setting(
                    // Within 32 bits: every seed input takes that (KSampler takes 64, but custom nodes often 32,
                    // and a seed beyond a node's max is a validation error).
                    key, .int(Int.random(in: 0...Int(UInt32.max))))
                out = out.setting(id, node.setting("inputs", inputs))
            }
        }
        return out
    }
}
