import ComfyJSON
import Foundation

/// Finds the text input that holds a workflow's positive (or negative) prompt by following the graph: from each
/// sampler's `positive`/`negative` input back through conditioning nodes (ControlNet, area, combine, guidance…) to
/// the text encoder whose `text` feeds it. Pure: a graph in, node ids out.
public enum PromptTarget {
    public enum Polarity: String, Sendable, CaseIterable {
        case positive, negative

        var flag: String { self == .positive ? "--prompt" : "--negative" }
    }

    /// A text input: `node.input`.
    public struct Input: Sendable, Hashable, CustomStringConvertible {
        public var node: String
        public var input: String
        public var description: String { "\(node).\(input)" }
    }

    /// The one text input for `polarity`, or a message that names the candidates and the `--set` to use instead.
    public static func locate(_ polarity: Polarity, in prompt: JSONValue) throws(Workflow.Problem) -> Input {
        let graph = prompt.objectValue ?? []
        let samplers = self.samplers(in: prompt, polarity: polarity)
        guard !samplers.isEmpty else {
            throw .promptTarget(
                "\(polarity.flag): no sampler in this workflow has a \(polarity.rawValue) input "
                    + "(KSampler, KSamplerAdvanced, SamplerCustom, CFGGuider…); set the text with "
                    + "--set NODE.text=…\(textNodeHint(graph))")
        }
        var found: [(sampler: String, inputs: Set<Input>)] = []
        for sampler in samplers {
            var visited: Set<String> = []
            let inputs = follow(sampler, input: polarity.rawValue, polarity: polarity, in: prompt, &visited)
            found.append((sampler, inputs))
        }
        let all = Set(found.flatMap(\.inputs))
        if all.count == 1, let only = all.first, found.allSatisfy({ !$0.inputs.isEmpty }) { return only }
        let described = found.map { entry in
            let cls = prompt[entry.sampler]?["class_type"]?.stringValue ?? "?"
            let targets = entry.inputs.sorted { $0.node.numericOrder < $1.node.numericOrder }.map(\.description)
            return "\(entry.sampler) (\(cls)) ← "
                + (targets.isEmpty ? "no text node found" : targets.joined(separator: ", "))
        }
        let example = all.sorted { $0.node.numericOrder < $1.node.numericOrder }.first?.description ?? "NODE.text"
        if all.isEmpty {
            throw .promptTarget(
                "\(polarity.flag): cannot follow the \(polarity.rawValue) input of "
                    + described.joined(separator: "; ") + " to a text prompt; set it with --set NODE.text=…"
                    + textNodeHint(graph))
        }
        throw .promptTarget(
            "\(polarity.flag) is ambiguous: the \(polarity.rawValue) prompt comes from more than one place ("
                + described.joined(separator: "; ") + "); choose one with --set \(example)=…")
    }

    /// The graph with the text of the `polarity` prompt replaced.
    public static func set(_ text: String, _ polarity: Polarity, in prompt: JSONValue) throws(Workflow.Problem)
        -> JSONValue
    {
        let target = try locate(polarity, in: prompt)
        return BatchPlan.setInput(prompt, node: target.node, input: target.input, value: .string(text))
    }

    /// Nodes that take a `positive`/`negative` link and whose output feeds no other node's `positive`/`negative`:
    /// the samplers and guiders, not the conditioning nodes between them and the text.
    static func samplers(in prompt: JSONValue, polarity: Polarity) -> [String] {
        let graph = prompt.objectValue ?? []
        var feedsConditioning: Set<String> = []
        for (_, node) in graph {
            for key in ["positive", "negative"] {
                if let source = link(node["inputs"]?[key]) { feedsConditioning.insert(source) }
            }
        }
        return graph.compactMap { id, node in
            link(node["inputs"]?[polarity.rawValue]) != nil && !feedsConditioning.contains(id) ? id : nil
        }.sorted { $0.numericOrder < $1.numericOrder }
    }

    /// The text inputs reached from `node`'s `input`.
    static func follow(
        _ node: String, input: String, polarity: Polarity, in prompt: JSONValue, _ visited: inout Set<String>
    ) -> Set<Input> {
        guard let source = link(prompt[node]?["inputs"]?[input]) else { return [] }
        return visit(source, polarity: polarity, in: prompt, &visited)
    }

    private static func visit(_ id: String, polarity: Polarity, in prompt: JSONValue, _ visited: inout Set<String>)
        -> Set<Input>
    {
        guard visited.insert(id).inserted, let inputs = prompt[id]?["inputs"]?.objectValue else { return [] }
        // A text encoder: its `text` (or a text node it links to).
        for key in ["text", "prompt"] {
            guard let value = inputs.first(where: { $0.0 == key })?.1 else { continue }
            if value.stringValue != nil { return [Input(node: id, input: key)] }
            if let upstream = link(value), let literal = literalText(upstream, in: prompt) { return [literal] }
        }
        // A node between the sampler and the text: the same polarity when it has both, else every conditioning.
        if let next = link(inputs.first(where: { $0.0 == polarity.rawValue })?.1) {
            return visit(next, polarity: polarity, in: prompt, &visited)
        }
        var out: Set<Input> = []
        for (key, value) in inputs where key.lowercased().contains("conditioning") {
            if let next = link(value) { out.formUnion(visit(next, polarity: polarity, in: prompt, &visited)) }
        }
        return out
    }

    /// A primitive text node (`PrimitiveStringMultiline`, a "String" node): its one string input.
    private static func literalText(_ id: String, in prompt: JSONValue) -> Input? {
        let strings = (prompt[id]?["inputs"]?.objectValue ?? []).filter { $0.1.stringValue != nil }
        guard strings.count == 1, let key = strings.first?.0 else { return nil }
        return Input(node: id, input: key)
    }

    /// `[node_id, slot]` → node_id.
    static func link(_ value: JSONValue?) -> String? {
        guard let array = value?.arrayValue, array.count == 2, array[1].intValue != nil else { return nil }
        if let s = array[0].stringValue { return s }
        if let n = array[0].intValue { return String(n) }
        return nil
    }

    private static func textNodeHint(_ graph: [(String, JSONValue)]) -> String {
        let texts = graph.filter { $0.1["inputs"]?["text"]?.stringValue != nil }.map {
            "\($0.0) (\($0.1["class_type"]?.stringValue ?? "?"))"
        }
        return texts.isEmpty ? "" : " (nodes with a text input: \(texts.joined(separator: ", ")))"
    }
}

extension String {
    /// Node ids sort as numbers where they are numbers ("9" before "10").
    var numericOrder: (Int, String) { (Int(self) ?? Int.max, self) }
}
