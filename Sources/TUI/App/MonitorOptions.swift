import ComfyImages
import Foundation

/// Options of the monitor screen.
public struct MonitorOptions: Sendable {
    public var readOnly = false
    public var mouse = true
    public var color: String?
    public var theme: Theme = .default
    public var ascii: Bool
    public var notify = false
    public var downloadDirectory: URL
    /// Where the message line's events are appended (`--log`).
    public var logFile: String?
    /// Pictures (the preview pane, thumbnails, the viewer); false with `--images off`.
    public var pictures = true
    /// A graphics protocol for pictures (kitty direct placement, iTerm2, sixel); nil: symbols through curses.
    public var graphics: GraphicsChoice?
    /// `--images auto` found no protocol in the environment: ask the terminal after the first frame (sixel).
    public var probeGraphics = false

    public init(ascii: Bool, downloadDirectory: URL) {
        self.ascii = ascii
        self.downloadDirectory = downloadDirectory
    }

    /// ASCII glyphs unless the locale says UTF-8.
    public static func localeIsUTF8(_ env: [String: String] = ProcessInfo.processInfo.environment) -> Bool {
        let value =
            env["LC_ALL"].flatMap { $0.isEmpty ? nil : $0 } ?? env["LC_CTYPE"].flatMap { $0.isEmpty ? nil : $0 }
            ?? env["LANG"] ?? ""
        return value.lowercased().contains("utf-8") || value.lowercased().contains("utf8")
    }
}
