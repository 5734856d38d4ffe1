import ArgumentParser
import ComfyClient
import ComfyImages
import Foundation

/// `comfytop view PROMPT_ID`: a job's images printed in the terminal, as `kitten icat` or `chafa` print them.
struct ViewCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "view",
        abstract: "Print a job's images in the terminal (kitty, iTerm2, sixel or Unicode symbols).",
        discussion: """
            Images come from the server's /view (a JPEG re-encoded by the server unless --full), or, for a run the \
            server no longer has, from files downloaded before (--dir). Sized to the terminal; when stdout is not a \
            terminal, symbols 80 columns wide are printed (or give --columns).
            """)

    @OptionGroup var server: ServerFlags
    @OptionGroup var store: StoreFlags
    @OptionGroup var pictures: ImageFlags
    @Argument(help: "The prompt id (or the path of an image file).") var promptID: String
    @Option(help: "Only the Nth image of the job (1 is the first).") var index: Int?
    @Flag(help: "Fetch the full files instead of the server's JPEG re-encoding.") var full = false
    @Flag(help: "Also show temp files (PreviewImage).") var temp = false
    @Option(help: "Where downloaded files are looked for when the server lacks them (default: the current folder).")
    var dir = "."
    @Option(help: "Width in columns (default: the terminal's; 80 when stdout is not a terminal).") var columns: Int?
    @Option(help: "Height in rows (default: the terminal's, less two).") var rows: Int?
    @Option(help: "Symbols' colours: truecolor, 256, 16, 8 or mono (default: from the terminal and COLORTERM).")
    var color: String?
    @Option(help: "Symbols: block, quadrant or sextant (sextants need a recent font).") var symbols: SymbolSet =
        .quadrant

    func validate() throws {
        if let index, index < 1 { throw ValidationError("--index counts from 1.") }
        if let color, Self.depth(color) == nil {
            throw ValidationError("--color must be truecolor, 256, 16, 8 or mono, not \(color).")
        }
        if let columns, columns < 1 { throw ValidationError("--columns must be at least 1.") }
        if let rows, rows < 1 { throw ValidationError("--rows must be at least 1.") }
    }

    func run() async throws {
        let terminal = PictureTerminal.detect(mode: pictures.images, color: color.flatMap(Self.depth))
        if terminal.choice.graphics == .off {
            Output.error("comfytop: pictures are off (--images off, or TERM=dumb)\n")
            throw ExitCode(Exit.usage)
        }
        // A local image file: print it without a server.
        if FileManager.default.fileExists(atPath: promptID), !promptID.isEmpty {
            let bytes = [UInt8]((try? Data(contentsOf: URL(fileURLWithPath: promptID))) ?? Data())
            let shown = show(bytes, title: promptID, terminal: terminal, imageID: 1)
            throw ExitCode(shown ? 0 : Exit.failed)
        }
        try await withAPI(server, json: false) { api in
            let files = try await outputFiles(api)
            guard let files else {
                report("no finished job \(promptID) in the server's history or the local store", json: false)
                return Exit.failed
            }
            let images = files.filter { ($0.kind == "images") && (temp || $0.type != "temp") }
            guard !images.isEmpty else {
                report("job \(promptID) has no images\(temp ? "" : " (temp files: --temp)")", json: false)
                return Exit.failed
            }
            let chosen: [(Int, OutputFile)]
            if let index {
                guard index <= images.count else {
                    report(
                        "job \(promptID) has \(images.count) image(s): --index \(index) is past the last", json: false)
                    return Exit.usage
                }
                chosen = [(index, images[index - 1])]
            } else {
                chosen = Array(zip(1..., images))
            }
            var failed = false
            for (number, file) in chosen {
                let bytes = try await fetch(api, file)
                let title =
                    "\(number)/\(images.count)  \(file.subfolder.isEmpty ? "" : file.subfolder + "/")\(file.filename)"
                if !show(bytes, title: title, terminal: terminal, imageID: UInt32(number % 255 + 1)) { failed = true }
            }
            return failed ? Exit.failed : 0
        }
    }

    /// The job's output files: the server's history, else the local store's record of the run.
    private func outputFiles(_ api: ComfyAPI) async throws -> [OutputFile]? {
        if let item = try await api.history(promptID: promptID) { return item.outputs }
        if let record = try? store.open().record(server: api.endpoint.displayURL, promptID: promptID) {
            return record.outputs
        }
        return nil
    }

    /// A file's bytes from the server, else from a download of it under `--dir`.
    private func fetch(_ api: ComfyAPI, _ file: OutputFile) async throws -> [UInt8] {
        do {
            return try await api.view(file, preview: full ? nil : "jpeg;90")
        } catch {
            guard case .notFound = error else { throw error }
            let base = URL(fileURLWithPath: (dir as NSString).expandingTildeInPath)
            for candidate in [base.appendingPathComponent(file.subfolder), base] {
                let name = (file.filename as NSString).lastPathComponent
                if let data = try? Data(contentsOf: candidate.appendingPathComponent(name)) { return [UInt8](data) }
            }
            throw error
        }
    }

    /// Decodes and prints one picture under its title; false (and a message) when the bytes are not a picture.
    private func show(_ bytes: [UInt8], title: String, terminal: PictureTerminal, imageID: UInt32) -> Bool {
        let image: RGBImage
        do {
            image = try ImageCodec.decode(bytes)
        } catch {
            Output.error("comfytop: \(title): \(error.description)\n")
            return false
        }
        printLine("\(title)  (\(image.width)×\(image.height))")
        let maxColumns = columns ?? terminal.columns
        let maxRows = rows ?? max(1, terminal.rows - 2)
        do {
            let out = try InlinePicture.bytes(
                image, choice: terminal.choice, maxColumns: maxColumns, maxRows: maxRows, depth: terminal.depth,
                symbols: symbols, imageID: imageID)
            PictureTerminal.write(out)
            return true
        } catch {
            Output.error("comfytop: \(title): \(error.description)\n")
            return false
        }
    }

    static func depth(_ name: String) -> PictureDepth? {
        switch name {
        case "truecolor", "24bit": return .truecolor
        case "256": return .colors256
        case "16": return .colors16
        case "8": return .colors8
        case "mono", "none": return .mono
        default: return nil
        }
    }
}

extension SymbolSet: ExpressibleByArgument {}
