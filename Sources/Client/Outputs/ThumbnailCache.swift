import Foundation

/// Output thumbnails for the screen: `/view?…&preview=jpeg;80` (a few KB, so an image shows quickly over SSH),
/// kept on disk under the XDG cache with a size cap (the least recently used files go first, by mtime, which a
/// hit refreshes) and the last few in memory. Thread-safe.
public final class ThumbnailCache: @unchecked Sendable {
    public let directory: String
    /// The most the folder may hold, in bytes.
    public let capBytes: Int
    /// What the server is asked for: JPEG at quality 80.
    public static let previewFormat = "jpeg;80"
    private let lock = NSLock()
    private var memory: [String: [UInt8]] = [:]
    private var memoryOrder: [String] = []
    static let memoryEntries = 16

    public init(directory: String, capBytes: Int = 64 << 20) {
        self.directory = directory
        self.capBytes = capBytes
    }

    /// The cache file's name for an output: a stable hash of the server, the prompt and the file (temp files are
    /// reused across runs, so the prompt is part of the key).
    public static func key(server: String, promptID: String, file: OutputFile) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in "\(server)\u{0}\(promptID)\u{0}\(file.type)\u{0}\(file.subfolder)\u{0}\(file.filename)".utf8 {
            hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3
        }
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex + ".jpg"
    }

    /// The thumbnail's bytes: from memory, from disk, or fetched (then kept).
    public func thumbnail(
        of file: OutputFile, promptID: String, server: String, fetch: @Sendable (OutputFile) async throws -> [UInt8]
    ) async throws -> [UInt8] {
        let key = Self.key(server: server, promptID: promptID, file: file)
        if let bytes = lock.withLock({ memory[key] }) { return bytes }
        let path = (directory as NSString).appendingPathComponent(key)
        if let data = FileManager.default.contents(atPath: path) {
            // A hit counts as a use: the file moves to the end of the LRU order.
            utimes(path, nil)
            remember(key, Array(data))
            return Array(data)
        }
        let bytes = try await fetch(file)
        store(bytes, at: path)
        remember(key, bytes)
        return bytes
    }

    private func remember(_ key: String, _ bytes: [UInt8]) {
        lock.withLock {
            if memory[key] == nil { memoryOrder.append(key) }
            memory[key] = bytes
            while memoryOrder.count > Self.memoryEntries { memory[memoryOrder.removeFirst()] = nil }
        }
    }

    /// Writes atomically (a reader never sees half a file), then trims the folder to the cap. A cache that cannot
    /// be written is no error: the picture is still shown from memory.
    private func store(_ bytes: [UInt8], at path: String) {
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let temp = path + ".\(getpid()).part"
        guard FileManager.default.createFile(atPath: temp, contents: Data(bytes)) else { return }
        if rename(temp, path) != 0 { unlink(temp) }
        trim()
    }

    /// Deletes the least recently used files until the folder holds at most `capBytes`.
    public func trim() {
        let fm = FileManager.default
        guard let names = try? fm.contentsOfDirectory(atPath: directory) else { return }
        var files: [(path: String, size: Int, time: Date)] = []
        for name in names where name.hasSuffix(".jpg") {
            let path = (directory as NSString).appendingPathComponent(name)
            guard let attributes = try? fm.attributesOfItem(atPath: path) else { continue }
            let size = (attributes[.size] as? NSNumber)?.intValue ?? 0
            files.append((path, size, attributes[.modificationDate] as? Date ?? .distantPast))
        }
        var total = files.reduce(0) { $0 + $1.size }
        guard total > capBytes else { return }
        for file in files.sorted(by: { $0.time < $1.time }) where total > capBytes {
            if unlink(file.path) == 0 { total -= file.size }
        }
    }
}
