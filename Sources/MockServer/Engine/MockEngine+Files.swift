import ComfyJSON
import Foundation

/// `GET /view` (uploads: MockEngine+Uploads).
extension MockEngine {
    func view(filename rawName: String?, type rawType: String?, subfolder: String?) -> MockResponse {
        guard var filename = rawName else { return .status(404) }
        var type = rawType ?? "output"
        for annotation in ["output", "input", "temp"] where filename.hasSuffix(" [\(annotation)]") {
            filename = String(filename.dropLast(annotation.count + 3))
            type = annotation
        }
        if filename.hasPrefix("/") || filename.contains("..") || filename.isEmpty {
            return .status(400)
        }
        guard let base = files.folder(forType: type) else { return .status(400) }
        var folder = base
        if let subfolder, !subfolder.isEmpty {
            guard let inside = DataDirectory.contained(base, subfolder) else { return .status(403) }
            folder = inside
        }
        let url = folder.appendingPathComponent(filename)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), !isDirectory.boolValue,
            let data = try? Data(contentsOf: url)
        else {
            return .status(404)
        }
        let safeName = filename.replacingOccurrences(of: "\"", with: "")
        return MockResponse(
            status: 200, contentType: Self.mimeType(filename), body: [UInt8](data),
            headers: [("Content-Disposition", "filename=\"\(safeName)\"")])
    }

    static func mimeType(_ name: String) -> String {
        switch (name as NSString).pathExtension.lowercased() {
        case "png": return "image/png"
        case "jpg", "jpeg": return "image/jpeg"
        case "webp": return "image/webp"
        case "gif": return "image/gif"
        case "json": return "application/json"
        case "txt": return "text/plain"
        case "mp4": return "video/mp4"
        case "webm": return "video/webm"
        default: return "application/octet-stream"
        }
    }
}

/// A small multipart/form-data reader: enough for the upload route.
enum Multipart {
    struct Part {
        var name: String?
        var filename: String?
        var data: [UInt8]
    }

    static func parse(body: [UInt8], contentType: String) -> [Part]? {
        guard let range = contentType.range(of: "boundary=") else { return nil }
        var boundary = String(contentType[range.upperBound...])
        if let semicolon = boundary.firstIndex(of: ";") { boundary = String(boundary[..<semicolon]) }
        boundary = boundary.trimmingCharacters(in: CharacterSet(charactersIn: "\" "))
        let delimiter = Array("--\(boundary)".utf8)
        var parts: [Part] = []
        var positions: [Int] = []
        var i = 0
        while i + delimiter.count <= body.count {
            if body[i] == delimiter[0], Array(body[i..<i + delimiter.count]) == delimiter {
                positions.append(i)
                i += delimiter.count
            } else {
                i += 1
            }
        }
        guard positions.count >= 2 else { return nil }
        for (start, end) in zip(positions, positions.dropFirst()) {
            var section = Array(body[(start + delimiter.count)..<end])
            if section.starts(with: [13, 10]) { section.removeFirst(2) }
            if section.count >= 2, section.suffix(2) == [13, 10] { section.removeLast(2) }
            guard let split = find([13, 10, 13, 10], in: section) else { continue }
            let headerText = String(decoding: section[..<split], as: UTF8.self)
            var part = Part(name: nil, filename: nil, data: Array(section[(split + 4)...]))
            for line in headerText.split(separator: "\r\n") where line.lowercased().hasPrefix("content-disposition") {
                part.name = attribute("name", in: String(line))
                part.filename = attribute("filename", in: String(line))
            }
            parts.append(part)
        }
        return parts
    }

    private static func attribute(_ key: String, in line: String) -> String? {
        for piece in line.split(separator: ";") {
            let trimmed = piece.trimmingCharacters(in: .whitespaces)
            if trimmed.hasPrefix(key + "=") {
                return String(trimmed.dropFirst(key.count + 1)).trimmingCharacters(in: CharacterSet(charactersIn: "\""))
            }
        }
        return nil
    }

    private static func find(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        for i in 0...(haystack.count - needle.count) where Array(haystack[i..<i + needle.count]) == needle {
            return i
        }
        return nil
    }
}
