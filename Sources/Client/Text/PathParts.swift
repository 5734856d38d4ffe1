/// A slash-separated path split into its folder and its last component, as `NSString`'s
/// `deletingLastPathComponent`/`lastPathComponent` do, without them: on Linux, Foundation traps (SIGILL) on a
/// path whose last component is one character ("x", "é", "a/"), and such names come from servers and users.
public struct PathParts: Equatable, Sendable {
    /// Everything before the last component ("" when there is none, "/" for a component of the root).
    public var folder: String
    /// The last component ("" for an empty path, "/" for the root itself).
    public var last: String

    public init(folder: String, last: String) {
        self.folder = folder
        self.last = last
    }

    public init(_ path: String) {
        var trimmed = Substring(path)
        while trimmed.count > 1, trimmed.hasSuffix("/") { trimmed = trimmed.dropLast() }
        if trimmed == "/" {
            (folder, last) = ("/", "/")
            return
        }
        guard let slash = trimmed.lastIndex(of: "/") else {
            (folder, last) = ("", String(trimmed))
            return
        }
        last = String(trimmed[trimmed.index(after: slash)...])
        var head = trimmed[..<slash]
        while head.count > 1, head.hasSuffix("/") { head = head.dropLast() }
        folder = head.isEmpty ? "/" : String(head)
    }
}
