import ArgumentParser
import ComfyClient
import ComfyJSON
import Foundation

struct FreeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "free",
        abstract: "Ask the server to unload its models and/or free its memory (POST /free).",
        discussion: """
            Always unloads the models (ComfyUI's "Unload Models" button); --free-memory also drops the cached node \
            results (the "Free model and node cache" button), so the next run recomputes everything. The server \
            does it when the running job ends, or at once when idle.
            """)

    @OptionGroup var server: ServerFlags
    @Flag(
        name: .customLong("unload-models"), help: "Unload the models from VRAM (always done; for comfy-cli's spelling)."
    )
    var unloadModels = false
    @Flag(name: .customLong("free-memory"), help: "Also free memory: models and the node cache.")
    var freeMemory = false
    @Flag(help: "Print JSON.") var json = false

    func run() async throws {
        // The server unloads on free_memory anyway (main.py: `flags.get("unload_models", free_memory)`); say so.
        let unload = true
        try await withAPI(server, json: json) { api in
            try await api.free(unloadModels: unload, freeMemory: freeMemory)
            if json {
                printJSON(.obj(("unload_models", .bool(unload)), ("free_memory", .bool(freeMemory))))
            } else {
                let what = [unload ? "unload the models" : nil, freeMemory ? "free memory and the node cache" : nil]
                    .compactMap { $0 }.joined(separator: " and ")
                printLine("asked \(api.endpoint.displayURL) to \(what) (done when the running job ends, if any)")
            }
            return 0
        }
    }
}
