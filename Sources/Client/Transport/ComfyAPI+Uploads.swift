import ComfyJSON
import Foundation
import NIOHTTP1

/// `POST /upload/image` and `POST /upload/mask`, as `server.py`'s `image_upload` reads them: the file in the
/// `image` field (for a mask too), `type` (`input`, `temp` or `output`), `subfolder`, `overwrite` = `"true"`; a mask
/// also sends `original_ref`, the image whose alpha it replaces.
extension ComfyAPI {
    /// Where the server put an upload. `name` differs from the local name when the server renamed it
    /// (`photo (1).png`: a different file had that name and `overwrite` was off).
    public struct Uploaded: Sendable, Equatable {
        public var name: String
        public var subfolder: String
        public var type: String

        public init(name: String, subfolder: String, type: String) {
            self.name = name
            self.subfolder = subfolder
            self.type = type
        }

        /// How a node input names the file: `subfolder/name` (LoadImage's combo values), with ` [temp]` or
        /// ` [output]` appended outside `input` (ComfyUI's annotated file names).
        public var inputValue: String {
            let path = subfolder.isEmpty ? name : "\(subfolder)/\(name)"
            return type == "input" ? path : "\(path) [\(type)]"
        }
    }

    /// Uploads one file. `maskFor` makes it a mask upload: the server copies the original image with this file's
    /// alpha (the file must be an image with an alpha channel).
    public func upload(
        filename: String, bytes: [UInt8], type: String = "input", subfolder: String = "", overwrite: Bool = false,
        maskFor original: OutputFile? = nil
    ) async throws(ComfyError) -> Uploaded {
        var form = MultipartForm()
        form.add(field: "type", type)
        form.add(field: "subfolder", subfolder)
        if overwrite { form.add(field: "overwrite", "true") }
        if let original {
            let reference = JSONValue.obj(
                ("filename", .string(original.filename)), ("subfolder", .string(original.subfolder)),
                ("type", .string(original.type)))
            form.add(field: "original_ref", reference.pythonJSON)
        }
        form.add(file: "image", filename: filename, contentType: MultipartForm.mimeType(filename), bytes: bytes)
        let path = original == nil ? "/upload/image" : "/upload/mask"
        let reply = try await send(.POST, path, body: form.bytes, contentType: form.contentType)
        if reply.status == 413 {
            throw ComfyError.http(
                url: endpoint.displayURL + path, status: 413,
                body: "\(filename) (\(bytes.count / 1_048_576) MiB) is larger than the server accepts "
                    + "(ComfyUI's --max-upload-size, 100 MB by default)"
            ).scrubbed(endpoint.scrub)
        }
        let json = try decodeJSON(reply, path: path)
        guard let name = json["name"]?.stringValue else {
            throw ComfyError.protocolViolation(url: endpoint.displayURL + path, detail: "no name in the answer")
        }
        return Uploaded(
            name: name, subfolder: json["subfolder"]?.stringValue ?? subfolder,
            type: json["type"]?.stringValue ?? type)
    }
}
