import Foundation

/// Checks names that come from a server before they touch the local disk.
public enum SafePath {
    /// A file name from the server: no separators, no `..`, no NUL or control characters, not empty.
    public static func checkFilename(_ name: String) throws(ComfyError) {
        if name.isEmpty || name == "." || name == ".." {
            throw ComfyError.unsafeFilename(name, reason: "it is empty or a directory name")
        }
        if name.contains("/") || name.contains("\\") {
            throw ComfyError.unsafeFilename(name, reason: "it contains a path separator")
        }
        if name.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) {
            throw ComfyError.unsafeFilename(name, reason: "it contains a NUL or control character")
        }
        if name.utf8.count > 255 { throw ComfyError.unsafeFilename(name, reason: "it is longer than 255 bytes") }
    }

    /// A subfolder from the server: relative, no `..`, no empty or control-character components.
    public static func checkSubfolder(_ subfolder: String) throws(ComfyError) -> [String] {
        if subfolder.isEmpty { return [] }
        if subfolder.hasPrefix("/") || subfolder.hasPrefix("\\") || subfolder.contains(":") {
            throw ComfyError.unsafeFilename(subfolder, reason: "the subfolder is an absolute path")
        }
        let parts = subfolder.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        for part in parts {
            if part == ".." || part == "." || part.contains("\\")
                || part.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F })
            {
                throw ComfyError.unsafeFilename(subfolder, reason: "the subfolder escapes the output folder")
            }
        }
        return parts
    }
}
