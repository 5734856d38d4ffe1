import Foundation

/// The `--log` file: the message line's events, appended (nothing goes to stdout while curses owns the screen).
final class EventLog {
    private let handle: FileHandle?

    init(path: String) {
        if !FileManager.default.fileExists(atPath: path) {
            FileManager.default.createFile(atPath: path, contents: nil)
        }
        handle = FileHandle(forWritingAtPath: path)
        _ = try? handle?.seekToEnd()
    }

    deinit { try? handle?.close() }

    func append(_ line: String) {
        try? handle?.write(contentsOf: Data(line.utf8))
    }
}
