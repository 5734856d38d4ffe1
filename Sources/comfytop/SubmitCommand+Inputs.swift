import ArgumentParser
import ComfyClient
import ComfyJSON
import Foundation

/// The graphs `submit` queues: each workflow with `--random-seed`, `--set` (uploading `@FILE` values first) and
/// `--prompt`/`--negative` applied, before any batch expansion.
extension SubmitCommand {
    func prepare(_ api: ComfyAPI) async throws -> [(path: String, prompt: JSONValue)] {
        // Everything local is checked before anything is sent: a missing workflow or file is a usage error.
        var graphs = try workflows.map { path throws(Workflow.Problem) in
            (path: path, prompt: try Workflow.load(path: path))
        }
        var files: [String: [UInt8]] = [:]
        for assignment in assignments {
            if let path = Self.uploadPath(assignment), files[path] == nil { files[path] = try LocalFile.read(path) }
        }
        var uploaded: [String: ComfyAPI.Uploaded] = [:]
        for assignment in assignments {
            guard let path = Self.uploadPath(assignment), uploaded[path] == nil, let bytes = files[path] else {
                continue
            }
            let name = (path as NSString).lastPathComponent
            let stored = try await api.upload(filename: name, bytes: bytes)
            uploaded[path] = stored
            if !json {
                let renamed = stored.name != name ? " (a different \(name) was there)" : ""
                Output.error("uploaded \(path) as \(stored.inputValue)\(renamed)\n")
            }
        }
        for index in graphs.indices {
            var graph = graphs[index].prompt
            if randomSeed { graph = Workflow.randomizeSeeds(graph) }
            for assignment in assignments {
                graph = try Workflow.set(Self.resolved(assignment, uploaded), in: graph)
            }
            if let prompt { graph = try PromptTarget.set(prompt, .positive, in: graph) }
            if let negative { graph = try PromptTarget.set(negative, .negative, in: graph) }
            graphs[index].prompt = graph
        }
        return graphs
    }

    /// The local file of `NODE.INPUT=@FILE` (not `@@`, which is a literal `@`).
    static func uploadPath(_ assignment: String) -> String? {
        guard let eq = assignment.firstIndex(of: "=") else { return nil }
        let value = assignment[assignment.index(after: eq)...]
        guard value.hasPrefix("@"), !value.hasPrefix("@@"), value.count > 1 else { return nil }
        return String(value.dropFirst())
    }

    /// The assignment with `@FILE` replaced by the uploaded name (as a JSON string, so it stays text) and `@@` by `@`.
    static func resolved(_ assignment: String, _ uploaded: [String: ComfyAPI.Uploaded]) -> String {
        guard let eq = assignment.firstIndex(of: "=") else { return assignment }
        let target = assignment[...eq]
        let value = assignment[assignment.index(after: eq)...]
        if let path = uploadPath(assignment), let stored = uploaded[path] {
            return target + JSONValue.string(stored.inputValue).pythonJSON
        }
        if value.hasPrefix("@@") { return target + JSONValue.string(String(value.dropFirst())).pythonJSON }
        return assignment
    }
}
