import ComfyJSON
import Foundation

/// Paths the mock pretends its ComfyUI checkout lives at (they appear in tracebacks, as on a real server).
enum MockPaths {
    static let comfyDir = "/opt/ComfyUI"
}

/// What a node hands downstream in place of a tensor: enough to write a plausible file at the end.
enum ImageSource: Sendable, Equatable {
    case solid(width: Int, height: Int, color: Int, batch: Int)
    case file(URL)
    case sample(batch: Int)
    /// A sampler's picture: the seed's landscape (SyntheticPicture).
    case scene(seed: Int, width: Int, height: Int, batch: Int)

    var batch: Int {
        switch self {
        case .solid(_, _, _, let b), .sample(let b), .scene(_, _, _, let b): return b
        case .file: return 1
        }
    }
}

/// The mock's folders, laid out as ComfyUI's: `input/`, `output/`, `temp/`, `models/<kind>/`.
struct DataDirectory: Sendable {
    let root: URL
    var input: URL { root.appendingPathComponent("input") }
    var output: URL { root.appendingPathComponent("output") }
    var temp: URL { root.appendingPathComponent("temp") }
    var models: URL { root.appendingPathComponent("models") }

    static let builtInCheckpoints = ["sd_xl_base_1.0.safetensors", "v1-5-pruned-emaonly-fp16.safetensors"]
    static let builtInLoras = ["detail_tweaker_xl.safetensors", "pixel_art_xl.safetensors"]
    static let modelFolders = [
        "checkpoints", "loras", "vae", "text_encoders", "diffusion_models", "clip_vision", "style_models",
        "embeddings", "diffusers", "vae_approx", "controlnet", "gligen", "upscale_models", "hypernetworks",
        "photomaker", "classifiers",
    ]

    /// Creates the folders, empties `temp/` (as ComfyUI does at start) and puts `example.png` into an empty
    /// `input/` (ComfyUI ships one).
    func prepare() throws {
        let fm = FileManager.default
        for dir in [
            input, output, models.appendingPathComponent("checkpoints"), models.appendingPathComponent("loras"),
        ] {
            try fm.createDirectory(at: dir, withIntermediateDirectories: true)
        }
        if fm.fileExists(atPath: temp.path) { try? fm.removeItem(at: temp) }
        try fm.createDirectory(at: temp, withIntermediateDirectories: true)
        if imageFiles(in: input).isEmpty {
            try Data(PNGEncoder.sample(size: 128)).write(to: input.appendingPathComponent("example.png"))
        }
    }

    func imageFiles(in dir: URL) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
        let exts: Set<String> = ["png", "jpg", "jpeg", "webp", "gif", "bmp"]
        return names.filter { exts.contains(($0 as NSString).pathExtension.lowercased()) }.sorted()
    }

    func modelFiles(_ kind: String) -> [String] {
        let dir = models.appendingPathComponent(kind)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
        return names.filter { !$0.hasPrefix(".") }.sorted()
    }

    func lists() -> DynamicLists {
        DynamicLists(
            checkpoints: Array(Set(Self.builtInCheckpoints + modelFiles("checkpoints"))).sorted(),
            loras: Array(Set(Self.builtInLoras + modelFiles("loras"))).sorted(),
            inputImages: imageFiles(in: input))
    }

    /// The folder for a `/view` or upload `type`, or nil for an unknown type.
    func folder(forType type: String) -> URL? {
        switch type {
        case "output": return output
        case "input": return input
        case "temp": return temp
        default: return nil
        }
    }

    /// `base/subfolder`, or nil when the subfolder escapes `base` (the real server answers 403).
    static func contained(_ base: URL, _ subfolder: String) -> URL? {
        let basePath = base.standardizedFileURL.path
        let candidate = base.appendingPathComponent(subfolder).standardizedFileURL
        let path = candidate.path
        guard path == basePath || path.hasPrefix(basePath + "/") else { return nil }
        return candidate
    }

    /// The PNG bytes a save node writes for `source`.
    func pictureBytes(for source: ImageSource) -> [UInt8] {
        switch source {
        case .solid(let w, let h, let color, _):
            return PNGEncoder.solid(width: max(1, min(w, 1024)), height: max(1, min(h, 1024)), color: color)
        case .scene(let seed, let w, let h, _):
            return SyntheticPicture.png(seed: seed, width: max(1, min(w, 1024)), height: max(1, min(h, 1024)))
        case .file(let url):
            if let data = try? Data(contentsOf: url) { return [UInt8](data) }
            return PNGEncoder.sample()
        case .sample:
            if let first = imageFiles(in: input).first(where: { $0.lowercased().hasSuffix(".png") }),
                let data = try? Data(contentsOf: input.appendingPathComponent(first))
            {
                return [UInt8](data)
            }
            return PNGEncoder.sample()
        }
    }

    struct SaveError: Error { let message: String }

    /// Writes one file per image of the batch with ComfyUI's `prefix_00001_.png` counter naming and returns
    /// `(filename, subfolder)` of each, exactly as they now exist on disk.
    func save(prefix: String, temp isTemp: Bool, source: ImageSource) throws(SaveError) -> [(String, String)] {
        let base = isTemp ? temp : output
        let normalized = (prefix as NSString).standardizingPath
        // Not NSString's deletingLastPathComponent: Foundation on Linux traps on a one-character last component
        // ("x", a prefix a user may well type).
        let slash = normalized.lastIndex(of: "/")
        let subfolder = slash.map { String(normalized[..<$0]) } ?? ""
        let name = slash.map { String(normalized[normalized.index(after: $0)...]) } ?? normalized
        guard !normalized.hasPrefix("/"), let folder = Self.contained(base, subfolder) else {
            throw SaveError(
                message: "**** ERROR: Saving image outside the output folder is not allowed.\n full_output_folder: "
                    + base.appendingPathComponent(subfolder).path + "\n         output_dir: " + base.path)
        }
        let fm = FileManager.default
        try? fm.createDirectory(at: folder, withIntermediateDirectories: true)
        var counter = 1
        for existing in (try? fm.contentsOfDirectory(atPath: folder.path)) ?? [] {
            guard existing.lowercased().hasPrefix(name.lowercased() + "_") else { continue }
            let rest = existing.dropFirst(name.count + 1)
            if let digits = rest.split(separator: "_", omittingEmptySubsequences: false).first, let n = Int(digits),
                existing.dropFirst(name.count + 1 + digits.count).hasPrefix("_")
            {
                counter = max(counter, n + 1)
            }
        }
        let bytes = pictureBytes(for: source)
        var files: [(String, String)] = []
        for batchNumber in 0..<max(1, min(source.batch, 64)) {
            let fileName =
                name.replacingOccurrences(of: "%batch_num%", with: String(batchNumber))
                + "_" + String(format: "%05d", counter) + "_.png"
            let url = folder.appendingPathComponent(fileName)
            do {
                try Data(bytes).write(to: url, options: .atomic)
            } catch {
                throw SaveError(message: "could not write \(url.path): \(error.localizedDescription)")
            }
            files.append((fileName, subfolder == "." ? "" : subfolder))
            counter += 1
        }
        return files
    }
}
