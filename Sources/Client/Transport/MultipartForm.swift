import Foundation

/// A `multipart/form-data` body as a browser sends it (RFC 7578): text fields, then files. Names in
/// `Content-Disposition` follow the HTML standard's escaping (`"` → `%22`, CR → `%0D`, LF → `%0A`), which is what
/// ComfyUI's frontend sends and aiohttp reads back as is.
public struct MultipartForm: Sendable {
    public let boundary: String
    private var parts: [[UInt8]] = []

    public init(boundary: String = "comfytop-" + UUID().uuidString.lowercased()) {
        self.boundary = boundary
    }

    public var contentType: String { "multipart/form-data; boundary=\(boundary)" }

    public mutating func add(field name: String, _ value: String) {
        parts.append(Array("Content-Disposition: form-data; name=\"\(Self.escape(name))\"\r\n\r\n\(value)".utf8))
    }

    public mutating func add(file name: String, filename: String, contentType: String, bytes: [UInt8]) {
        var part = Array(
            ("Content-Disposition: form-data; name=\"\(Self.escape(name))\"; filename=\"\(Self.escape(filename))\"\r\n"
                + "Content-Type: \(contentType)\r\n\r\n").utf8)
        part += bytes
        parts.append(part)
    }

    /// The whole body.
    public var bytes: [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(parts.reduce(0) { $0 + $1.count + boundary.utf8.count + 8 } + 8)
        for part in parts {
            out += Array("--\(boundary)\r\n".utf8)
            out += part
            out += [13, 10]
        }
        out += Array("--\(boundary)--\r\n".utf8)
        return out
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "\"", with: "%22").replacingOccurrences(of: "\r", with: "%0D")
            .replacingOccurrences(of: "\n", with: "%0A")
    }

    /// The Content-Type of a file from its extension (what the server stores does not depend on it).
    public static func mimeType(_ filename: String) -> String {
        switch (filename as NSString).pathExtension.lowercased() {
        case "png": return "image/png"
        case "jpg", "jpeg": return "image/jpeg"
        case "webp": return "image/webp"
        case "gif": return "image/gif"
        case "mp4": return "video/mp4"
        case "webm": return "video/webm"
        case "wav": return "audio/wav"
        case "mp3": return "audio/mpeg"
        case "flac": return "audio/flac"
        default: return "application/octet-stream"
        }
    }
}
