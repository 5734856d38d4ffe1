import ArgumentParser
import ComfyClient
import ComfyJSON
import Foundation

/// The graphs `submit` queues: each workflow with `--random-seed`, `--set` (uploading `@FILE` values first) and
/// `--prompt`/`--negative` applied, before any batch expansion.
extension SubmitCommand {
    /// The edited graphs. Everything is checked before anything is sent (workflow files, `@FILE`s, every `--set`,
    /// `--prompt`/`--negative`, the sweeps): the edits are made once with each `@FILE` standing for its upload, so a
    /// usage error never leaves a file uploaded or half a batch queued.
    func prepare(_ api: ComfyAPI, sweeps: [Sweep]) async throws -> [(path: String, prompt: JSONValue)] {
        let graphs = try workflows.map { path throws(Workflow.Problem) in
            (path: path, prompt: try Workflow.load(path: path))
        }
        var files: [String: [UInt8]] = [:]
        for assignment in assignments {
            if let path = Self.uploadPath(assignment), files[path] == nil { files[path] = try LocalFile.read(path) }
        }
        let standIns = files.keys.map { path in
            (path, ComfyAPI.Uploaded(name: (path as NSString).lastPathComponent, subfolder: "", type: "input"))
        }
        let dryRun = try edit(graphs, Dictionary(uniqueKeysWithValues: standIns))
        var rng = SystemRandomNumberGenerator()
        _ = try BatchPlan.expand(workflows: dryRun, sweeps: sweeps, count: 1, using: &rng)
        guard !files.isEmpty else { return dryRun }
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
        return try edit(graphs, uploaded)
    }

    /// `--random-seed`, `--set` (with `@FILE` as `uploaded` names it) and `--prompt`/`--negative`, in that order.
    private func edit(_ graphs: [(path: String, prompt: JSONValue)], _ uploaded: [String: ComfyAPI.Uploaded])
        throws(Workflow.Problem) -> [(path: String, prompt: JSONValue)]
    {
        var out = graphs
        for index in out.indices {
            var graph = out[index].prompt
            if randomSeed { graph = Workflow.randomizeSeeds(graph) }
            for assignment in assignments {
                graph = try Workflow.set(Self.resolved(assignment, uploaded), in: graph)
            }
            if let prompt { graph = try PromptTarget.set(prompt, .positive, in: graph) }
            if let negative { graph = try PromptTarget.set(negative, .negative, in: graph) }
            out[index].prompt = graph
        }
        return out
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
