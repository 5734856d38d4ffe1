import ArgumentParser
import ComfyClient
import ComfyJSON
import Foundation

/// Where an upload goes on the server (`image_upload`'s `type`).
enum UploadType: String, ExpressibleByArgument, CaseIterable {
    case input, temp, output
}

struct UploadCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "upload",
        abstract: "Upload files to the server's input (or temp) folder (POST /upload/image, /upload/mask).",
        discussion: """
            Prints, for each file, the name the server stored it under: the value to give a LoadImage input. \
            Without --overwrite the server keeps an existing file of that name: an identical file is reused, a \
            different one makes it store "photo (1).png".
            --mask-for REF uploads a mask: the server copies the image REF (name, subfolder/name, or \
            "name [input|temp|output]", default input) with the alpha of the uploaded file.
            Examples:
              comfytop upload photo.png                      → photo.png
              comfytop upload a.png b.png --subfolder refs   → refs/a.png, refs/b.png
              comfytop submit wf.json --set 10.image=@photo.png   (uploads and sets the input in one go)
            """)

    @OptionGroup var server: ServerFlags
    @Argument(help: ArgumentHelp("Local files to upload.", valueName: "file")) var files: [String] = []
    @Option(help: "A folder inside the type's folder (created if needed).") var subfolder: String = ""
    @Option(help: "input (default), temp or output.") var type: UploadType = .input
    @Flag(help: "Replace a file of the same name instead of keeping both.") var overwrite = false
    @Option(name: .customLong("mask-for"), help: "Upload a mask for this image on the server.") var maskFor: String?
    @Flag(help: "Print a JSON array, one object per file.") var json = false

    func validate() throws {
        if files.isEmpty { throw ValidationError("give at least one FILE to upload.") }
    }

    func run() async throws {
        try await mapErrors(json: json) {
            let loaded = try files.map { path in (path, try LocalFile.read(path)) }
            let original = maskFor.map(LocalFile.reference)
            var code: Int32 = 0
            try await withAPI(server, json: json) { api in
                var results: [JSONValue] = []
                for (path, bytes) in loaded {
                    let filename = (path as NSString).lastPathComponent
                    do throws(ComfyError) {
                        let stored = try await api.upload(
                            filename: filename, bytes: bytes, type: type.rawValue, subfolder: subfolder,
                            overwrite: overwrite, maskFor: original)
                        results.append(
                            .obj(
                                ("file", .string(path)), ("name", .string(stored.name)),
                                ("subfolder", .string(stored.subfolder)), ("type", .string(stored.type)),
                                ("value", .string(stored.inputValue)), ("renamed", .bool(stored.name != filename))))
                        if !json {
                            let note = stored.name != filename ? "  (renamed: a different \(filename) was there)" : ""
                            printLine("\(path) → \(stored.inputValue)\(note)")
                        }
                    } catch {
                        if error.isUnreachable { throw error }
                        Output.error("comfytop: \(path) was not uploaded: \(error.description)\n")
                        results.append(.obj(("file", .string(path)), ("error", .string(error.description))))
                        code = Exit.failed
                    }
                }
                if json { printJSON(.array(results)) }
                return code
            }
            return 0
        }
    }
}

/// Local files named on the command line.
enum LocalFile {
    /// The bytes of a local file; a file that cannot be read is a usage error (nothing was sent).
    static func read(_ path: String) throws(Workflow.Problem) -> [UInt8] {
        let expanded = (path as NSString).expandingTildeInPath
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: expanded, isDirectory: &isDirectory) else {
            throw .unreadable(path: path, detail: "no such file")
        }
        if isDirectory.boolValue { throw .unreadable(path: path, detail: "it is a folder") }
        do {
            return [UInt8](try Data(contentsOf: URL(fileURLWithPath: expanded)))
        } catch {
            throw .unreadable(path: path, detail: error.localizedDescription)
        }
    }

    /// `sub/name.png [temp]` → the file on the server (type input unless annotated).
    static func reference(_ text: String) -> OutputFile {
        var name = text
        var type = "input"
        for annotation in ["input", "temp", "output"] where name.hasSuffix(" [\(annotation)]") {
            name = String(name.dropLast(annotation.count + 3))
            type = annotation
        }
        let parts = PathParts(name)
        return OutputFile(filename: parts.last, subfolder: parts.folder, type: type, nodeID: "")
    }
}
