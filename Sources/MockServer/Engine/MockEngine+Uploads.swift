import ComfyJSON
import Foundation

/// `POST /upload/image` and `POST /upload/mask`, as `server.py`'s `image_upload` answers them, quirks included:
/// a `type` other than input/temp/output is a 500 (`get_dir_by_type` leaves its folder unbound), a file part
/// without a filename is a text field (500 on `.file`), a path that leaves the folder is a 400, `overwrite` counts
/// only as the exact text `true` or `1`, an existing file with the same bytes is reused and a different one makes
/// `name (1).ext`. A mask's `original_ref` is read only when the file is written; a bad reference still answers
/// 200 (the handler's own 400/403 is returned from the save function and dropped) and writes nothing.
extension MockEngine {
    func upload(body: [UInt8], contentType: String?, mask: Bool) -> MockResponse {
        // aiohttp's `post()` reads only form bodies; anything else is an empty form: no image, 400.
        guard let contentType, contentType.lowercased().hasPrefix("multipart/form-data"),
            let parts = Multipart.parse(body: body, contentType: contentType)
        else { return .status(400) }
        let field = { (name: String) in
            parts.first(where: { $0.name == name && $0.filename == nil }).map {
                String(decoding: $0.data, as: UTF8.self)
            }
        }
        let type = field("type") ?? "input"
        guard let base = files.folder(forType: type) else { return .serverError }
        guard let image = parts.first(where: { $0.name == "image" }) else { return .status(400) }
        guard let filename = image.filename, !filename.isEmpty else { return .serverError }
        let subfolder = field("subfolder") ?? ""
        guard let folder = DataDirectory.contained(base, subfolder),
            var target = DataDirectory.contained(base, (subfolder as NSString).appendingPathComponent(filename)),
            target.path != base.standardizedFileURL.path
        else { return .status(400) }
        try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        var name = filename
        var duplicate = false
        if !["true", "1"].contains(field("overwrite") ?? "") {
            let stem = (filename as NSString).deletingPathExtension
            let ext = (filename as NSString).pathExtension
            var n = 1
            while FileManager.default.fileExists(atPath: target.path) {
                if let existing = try? Data(contentsOf: target), [UInt8](existing) == image.data {
                    duplicate = true
                    break
                }
                name = ext.isEmpty ? "\(stem) (\(n))" : "\(stem) (\(n)).\(ext)"
                target = folder.appendingPathComponent(name)
                n += 1
            }
        }
        let answer = MockResponse.json(
            .obj(("name", .string(name)), ("subfolder", .string(subfolder)), ("type", .string(type))))
        if !duplicate {
            var bytes = image.data
            if mask {
                switch maskedOriginal(field("original_ref")) {
                case .failed: return .serverError
                case .skip: return answer
                case .original(let original): bytes = original
                }
            }
            do {
                try Data(bytes).write(to: target, options: .atomic)
            } catch {
                return .serverError
            }
        }
        return answer
    }

    enum MaskSource {
        /// The handler raised: a 500.
        case failed
        /// The handler returned early (bad or missing original): nothing is written, the answer is still 200.
        case skip
        /// The original's bytes. The real server writes the original with the mask's alpha; the mock does not
        /// decode PNGs and writes the original unchanged.
        case original([UInt8])
    }

    /// `upload_mask`'s `image_save_function` up to the point where it writes.
    func maskedOriginal(_ reference: String?) -> MaskSource {
        guard let reference, let json = try? JSONValue.parse(reference), json.objectValue != nil,
            var filename = json["filename"]?.stringValue
        else { return .failed }
        var type = json["type"]?.stringValue ?? "output"
        for annotation in ["output", "input", "temp"] where filename.hasSuffix(" [\(annotation)]") {
            filename = String(filename.dropLast(annotation.count + 3))
            type = annotation
        }
        guard !filename.isEmpty, !filename.hasPrefix("/"), !filename.contains("..") else { return .skip }
        guard var folder = files.folder(forType: type) else { return .skip }
        if let subfolder = json["subfolder"]?.stringValue, !subfolder.isEmpty {
            guard let inside = DataDirectory.contained(folder, subfolder) else { return .skip }
            folder = inside
        }
        guard let data = try? Data(contentsOf: folder.appendingPathComponent(filename)) else { return .skip }
        return .original([UInt8](data))
    }
}
