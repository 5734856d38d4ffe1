import ArgumentParser
import ComfyClient
import ComfyJSON
import Foundation

struct ModelsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "models",
        abstract: "List the server's model folders, or the files in one (GET /models, /models/FOLDER).",
        discussion: """
            Examples:
              comfytop models                 the folders: checkpoints, loras, vae, …
              comfytop models loras           the LoRA files, one per line (the names a workflow uses)
              comfytop models checkpoints --json
            """)

    @OptionGroup var server: ServerFlags
    @Argument(help: "A model folder (checkpoints, loras, vae, …).") var folder: String?
    @Flag(help: "Print a JSON array.") var json = false

    func run() async throws {
        try await withAPI(server, json: json) { api in
            guard let folder else {
                let folders = try await api.models()
                if json { printJSON(.array(folders.map { .string($0) })) } else { folders.forEach(printLine) }
                return 0
            }
            let files: [String]
            do {
                files = try await api.models(folder)
            } catch let error as ComfyError {
                guard case .notFound = error else { throw error }
                let folders = (try? await api.models()) ?? []
                report(
                    "the server has no model folder \"\(folder)\""
                        + (folders.isEmpty ? "" : " (folders: \(folders.joined(separator: ", ")))"), json: json)
                return Exit.failed
            }
            if json {
                printJSON(.array(files.map { .string($0) }))
            } else if files.isEmpty {
                Output.error("comfytop: no files in \(TerminalText.sanitize(folder))\n")
            } else {
                files.forEach(printLine)
            }
            return 0
        }
    }
}
