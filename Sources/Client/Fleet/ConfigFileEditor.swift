import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Appends to comfytop's config file without touching what is there: the user's text, comments and layout stay
/// byte for byte, the new text goes after them. The file is replaced atomically (a new file beside it, renamed
/// over it), so a crash leaves the old file or the new one, never half of one; a symbolic link (a dotfiles
/// checkout) is followed and its target replaced, and the file keeps its permissions.
public enum ConfigFileEditor {
    /// The file's text, or "" when there is no file.
    public static func read(_ path: String) throws(ComfyError) -> String {
        guard FileManager.default.fileExists(atPath: path) else { return "" }
        do {
            return try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ComfyError.io(path: path, detail: "cannot read the config file: \(error.localizedDescription)")
        }
    }

    /// `existing` followed by `addition`, with a line break between them when `existing` does not end with one.
    public static func appending(_ addition: String, to existing: String) -> String {
        if existing.isEmpty { return String(addition.drop(while: { $0 == "\n" })) }
        return existing.hasSuffix("\n") ? existing + addition : existing + "\n" + addition
    }

    /// Writes `text` as the file at `path` atomically; creates the folder (0700) and the file (0600) if missing.
    public static func write(_ text: String, to path: String) throws(ComfyError) {
        let target = URL(fileURLWithPath: path).resolvingSymlinksInPath().path
        let folder = (target as NSString).deletingLastPathComponent
        do {
            try FileManager.default.createDirectory(
                atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw ComfyError.io(path: folder, detail: "cannot create the folder: \(error.localizedDescription)")
        }
        var info = stat()
        let mode = stat(target, &info) == 0 ? info.st_mode & 0o7777 : 0o600
        let name = (target as NSString).lastPathComponent
        let temporary = folder + "/.\(name).\(getpid()).\(UInt32.random(in: 0...UInt32.max)).tmp"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        guard fd >= 0 else { throw failure(temporary, "cannot create") }
        let bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else {
                let error = failure(temporary, "cannot write")
                close(fd)
                unlink(temporary)
                throw error
            }
            offset += n
        }
        // The mode given to open(2) is masked by the umask: set it as the old file had it.
        fchmod(fd, mode)
        // Closed whether or not fsync worked (a guard on both leaked the descriptor when fsync failed).
        let synced = fsync(fd) == 0
        let syncError = errno
        let closed = close(fd) == 0
        guard synced, closed else {
            if !synced { errno = syncError }
            let error = failure(temporary, "cannot write")
            unlink(temporary)
            throw error
        }
        guard rename(temporary, target) == 0 else {
            let error = failure(target, "cannot replace")
            unlink(temporary)
            throw error
        }
    }

    private static func failure(_ path: String, _ what: String) -> ComfyError {
        ComfyError.io(path: path, detail: "\(what) the config file: \(String(cString: strerror(errno)))")
    }
}
