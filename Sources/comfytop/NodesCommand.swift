import ArgumentParser
import ComfyClient
import ComfyJSON
import Foundation

struct NodesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "nodes",
        abstract: "List the server's node classes, or show one class's inputs and outputs (GET /object_info).",
        discussion: """
            Examples:
              comfytop nodes                       every class: name, category, display name
              comfytop nodes --search upscale      classes whose name, title, category or description match
              comfytop nodes KSampler              its inputs (type, default, range, choices) and outputs
              comfytop nodes KSampler --json       the server's own description of the class
            """)

    @OptionGroup var server: ServerFlags
    @Argument(help: "A node class (its class_type, e.g. KSampler).") var nodeClass: String?
    @Option(help: "Only classes whose name, display name, category or description contain this (any case).")
    var search: String?
    @Flag(help: "Print JSON.") var json = false

    func validate() throws {
        if nodeClass != nil, search != nil { throw ValidationError("give a CLASS or --search, not both.") }
    }

    func run() async throws {
        try await withAPI(server, json: json) { api in
            if let nodeClass {
                if let info = try await api.objectInfo(nodeClass), info.objectValue != nil {
                    if json { printJSON(info) } else { NodeInfoText.describe(nodeClass, info).forEach(printLine) }
                    return 0
                }
                let all = (try await api.objectInfo())?.objectValue ?? []
                let near = all.map(\.0).filter { $0.lowercased().contains(nodeClass.lowercased()) }.prefix(8)
                report(
                    "the server has no node class \"\(nodeClass)\""
                        + (near.isEmpty
                            ? " (comfytop nodes --search TEXT finds classes)"
                            : "; similar: "
                                + near.joined(separator: ", ")),
                    json: json)
                return Exit.failed
            }
            let all = (try await api.objectInfo())?.objectValue ?? []
            let needle = search?.lowercased()
            let matches = all.filter { name, info in
                guard let needle else { return true }
                return [
                    name, info["display_name"]?.stringValue, info["category"]?.stringValue,
                    info["description"]?.stringValue,
                ]
                .contains { $0?.lowercased().contains(needle) ?? false }
            }.sorted { $0.0.lowercased() < $1.0.lowercased() }
            if json {
                printJSON(
                    .array(
                        matches.map { name, info in
                            .obj(
                                ("name", .string(name)), ("display_name", info["display_name"] ?? .null),
                                ("category", info["category"] ?? .null),
                                ("python_module", info["python_module"] ?? .null),
                                ("output_node", info["output_node"] ?? .bool(false)))
                        }))
                return 0
            }
            if matches.isEmpty {
                Output.error("comfytop: no node class matches \"\(search ?? "")\"\n")
                return Exit.failed
            }
            let width = min(40, matches.map(\.0.count).max() ?? 0)
            let catWidth = min(32, matches.map { $0.1["category"]?.stringValue?.count ?? 0 }.max() ?? 0)
            for (name, info) in matches {
                let category = info["category"]?.stringValue ?? ""
                let display = info["display_name"]?.stringValue ?? ""
                printLine(
                    "\(Format.pad(name, width))  \(Format.pad(category, catWidth))  \(display == name ? "" : display)"
                        .trimmingCharacters(in: .whitespaces))
            }
            return 0
        }
    }
}

/// A node class's `/object_info` entry as text: what a workflow author needs to write `--set NODE.INPUT=…`.
enum NodeInfoText {
    static func describe(_ name: String, _ info: JSONValue) -> [String] {
        var lines: [String] = []
        let display = info["display_name"]?.stringValue ?? name
        let category = info["category"]?.stringValue ?? ""
        var head = display == name ? name : "\(name) (\(display))"
        if !category.isEmpty { head += "  [\(category)]" }
        if info["output_node"]?.boolValue == true { head += "  output node" }
        if info["deprecated"]?.boolValue == true { head += "  deprecated" }
        lines.append(head)
        if let description = info["description"]?.stringValue, !description.isEmpty {
            lines.append("  " + description)
        }
        for group in ["required", "optional"] {
            guard let inputs = info["input"]?[group]?.objectValue, !inputs.isEmpty else { continue }
            lines.append(group == "required" ? "inputs:" : "optional inputs:")
            let order = info["input_order"]?[group]?.arrayValue?.compactMap(\.stringValue) ?? inputs.map(\.0)
            let width = min(24, inputs.map(\.0.count).max() ?? 0)
            for key in order {
                guard let spec = inputs.first(where: { $0.0 == key })?.1 else { continue }
                lines.append("  \(Format.pad(key, width))  \(inputText(spec))")
            }
        }
        let types = info["output"]?.arrayValue?.compactMap(\.stringValue) ?? []
        let names = info["output_name"]?.arrayValue?.compactMap(\.stringValue) ?? types
        if !types.isEmpty {
            lines.append("outputs:")
            for (index, type) in types.enumerated() {
                let label = index < names.count ? names[index] : type
                lines.append("  \(index)  \(label == type ? type : "\(label) (\(type))")")
            }
        }
        return lines
    }

    /// `INT  default 20, 1…10000`, `COMBO  euler, heun, … (43 choices)`, `MODEL` (a link).
    static func inputText(_ spec: JSONValue) -> String {
        let first = spec.arrayValue?.first
        let options = spec.arrayValue.flatMap { $0.count > 1 ? $0[1] : nil }
        var choices = first?.arrayValue
        var type = first?.stringValue ?? "?"
        if choices != nil { type = "COMBO" }
        if type == "COMBO", choices == nil { choices = options?["options"]?.arrayValue }
        var parts: [String] = []
        if let value = options?["default"] { parts.append("default \(value.stringValue ?? value.pythonJSON)") }
        if let min = options?["min"], let max = options?["max"] {
            parts.append("\(min.pythonJSON)…\(max.pythonJSON)")
        }
        if let choices {
            let names = choices.map { $0.stringValue ?? $0.pythonJSON }
            let shown = names.prefix(6).joined(separator: ", ")
            parts.append(
                names.isEmpty ? "(no choices)" : shown + (names.count > 6 ? ", … (\(names.count) choices)" : ""))
        }
        if options?["multiline"]?.boolValue == true { parts.append("multiline") }
        return parts.isEmpty ? type : "\(Format.pad(type, 8))  " + parts.joined(separator: ", ")
    }
}
