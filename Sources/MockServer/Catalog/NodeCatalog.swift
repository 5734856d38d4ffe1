import ComfyJSON
import Foundation

/// How a simulated node spends its time and what it produces.
enum NodeBehaviour: Sendable, Equatable {
    /// Finishes after `seconds` (scaled by `--speed`), no progress.
    case timed(seconds: Double)
    /// `SlowSteps`: `steps` × `delay_ms`, a preview per step when `send_preview`, a TEXT frame when `send_text`.
    case slowSteps
    /// `FailAfter`: reports `fail_at` steps, then raises.
    case failAfter
    /// `KSampler`: `steps` steps of simulated sampling with previews and a tqdm bar.
    case sampler(secondsPerStep: Double)
    /// `SaveImage` (type output) or `PreviewImage` (type temp).
    case saveImage(temp: Bool)
}

/// One node class: its `/object_info` entry and its simulated behaviour.
struct NodeDefinition: Sendable {
    let name: String
    let info: JSONValue
    let behaviour: NodeBehaviour

    var isOutputNode: Bool { info["output_node"]?.boolValue ?? false }
    var outputTypes: [String] { info["output"]?.arrayValue?.compactMap(\.stringValue) ?? [] }

    /// Inputs in declaration order: (name, category, [type, options]).
    var inputs: [(name: String, category: String, spec: JSONValue)] {
        var result: [(String, String, JSONValue)] = []
        for category in ["required", "optional"] {
            guard let group = info["input"]?[category]?.objectValue else { continue }
            let order = info["input_order"]?[category]?.arrayValue?.compactMap(\.stringValue) ?? group.map(\.0)
            for name in order {
                if let spec = group.first(where: { $0.0 == name })?.1 { result.append((name, category, spec)) }
            }
        }
        return result
    }
}

/// The built-in node classes of the mock: the fixture nodes, answered exactly as the real server did, and
/// the everyday ones of a text-to-image workflow.
struct NodeCatalog: Sendable {
    private var definitions: [String: NodeDefinition] = [:]
    private(set) var names: [String] = []

    static let standard = NodeCatalog()

    init() {
        let behaviours: [String: NodeBehaviour] = [
            "EmptyImage": .timed(seconds: 0.002),
            "ImageInvert": .timed(seconds: 0.002),
            "ImageScale": .timed(seconds: 0.003),
            "SaveImage": .saveImage(temp: false),
            "PreviewImage": .saveImage(temp: true),
            "SlowSteps": .slowSteps,
            "FailAfter": .failAfter,
            "KSampler": .sampler(secondsPerStep: 0.2),
            "CheckpointLoaderSimple": .timed(seconds: 2.0),
            "LoraLoader": .timed(seconds: 0.4),
            "CLIPTextEncode": .timed(seconds: 0.15),
            "EmptyLatentImage": .timed(seconds: 0.01),
            "VAEDecode": .timed(seconds: 0.6),
            "LoadImage": .timed(seconds: 0.05),
        ]
        for (name, text) in FixtureNodeInfo.all + EverydayNodeInfo.all {
            guard let info = try? JSONValue.parse(text) else { continue }
            definitions[name] = NodeDefinition(
                name: name, info: info, behaviour: behaviours[name] ?? .timed(seconds: 0.01))
            names.append(name)
        }
    }

    func definition(_ name: String) -> NodeDefinition? { definitions[name] }

    /// The catalogue with the combo lists that the real server reads from disk filled in.
    func resolved(with lists: DynamicLists) -> NodeCatalog {
        var copy = self
        for (name, def) in definitions {
            var info = def.info
            for (input, values) in lists.combos(for: name) {
                info = Self.replaceCombo(info, input: input, values: values)
            }
            copy.definitions[name] = NodeDefinition(name: name, info: info, behaviour: def.behaviour)
        }
        return copy
    }

    /// `{class: info}` for `/object_info`, in catalogue order.
    func objectInfo() -> JSONValue {
        .object(names.compactMap { name in definitions[name].map { (name, $0.info) } })
    }

    private static func replaceCombo(_ info: JSONValue, input: String, values: [String]) -> JSONValue {
        guard let group = info["input"]?["required"], let spec = group[input]?.arrayValue, !spec.isEmpty else {
            return info
        }
        var newSpec = spec
        newSpec[0] = .array(values.map { .string($0) })
        let newGroup = group.setting(input, .array(newSpec))
        let newInput = (info["input"] ?? .object([])).setting("required", newGroup)
        return info.setting("input", newInput)
    }
}

/// The lists the real server builds from its folders: model files and input images.
struct DynamicLists: Sendable {
    var checkpoints: [String]
    var loras: [String]
    var inputImages: [String]

    func combos(for node: String) -> [(String, [String])] {
        switch node {
        case "CheckpointLoaderSimple": return [("ckpt_name", checkpoints)]
        case "LoraLoader": return [("lora_name", loras)]
        case "LoadImage": return [("image", inputImages)]
        default: return []
        }
    }
}
