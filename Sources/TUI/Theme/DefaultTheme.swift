import ComfyClient
import Foundation

/// The compiled-in default theme; `themes/default.theme` holds the same text (a test keeps them equal).
extension Theme {
    public static let defaultText = #"""
        # comfytop default theme: dark terminals, 256 colours and up. Grammar as btop's:
        #   theme[role]="value"        foreground: "#RRGGBB", "0"-"255", an ANSI name, or "" for the terminal's own
        #   theme[role_bg]="value"     background
        #   theme[role_attr]="bold"    bold, dim, reverse, underline (comma-separated)
        #   theme[role_mono]="reverse" what the role looks like without colour
        theme[main]=""
        theme[title]="#e5e9f0"
        theme[title_attr]="bold"
        theme[title_mono]="bold"
        theme[dim]="#7f8796"
        theme[dim_mono]="dim"
        theme[border]="#4c566a"
        theme[header]="#e5e9f0"
        theme[header_bg]="#2e3440"
        theme[header_mono]="reverse"
        theme[selected]="#ffffff"
        theme[selected_bg]="#3b4a63"
        theme[selected_mono]="reverse"
        theme[key]="#88c0d0"
        theme[key_attr]="bold"
        theme[key_mono]="bold"
        theme[message]=""
        theme[conn_ok]="#a3be8c"
        theme[conn_warn]="#ebcb8b"
        theme[conn_bad]="#bf616a"
        theme[conn_bad_attr]="bold"
        theme[conn_bad_mono]="bold"
        theme[state_pending]="#7f8796"
        theme[state_running]="#88c0d0"
        theme[state_running_attr]="bold"
        theme[state_running_mono]="bold"
        theme[state_done]="#a3be8c"
        theme[state_cached]="#8fbcbb"
        theme[state_failed]="#bf616a"
        theme[state_failed_attr]="bold"
        theme[state_failed_mono]="bold,underline"
        theme[state_interrupted]="#d08770"
        theme[state_interrupted_mono]="underline"
        theme[progress_start]="#5e81ac"
        theme[progress_mid]="#81a1c1"
        theme[progress_end]="#a3be8c"
        theme[progress_track]="#434c5e"
        theme[source_own]="#b48ead"
        theme[source_foreign]="#ebcb8b"
        theme[source_anonymous]="#8fbcbb"
        theme[msg_info]=""
        theme[msg_success]="#a3be8c"
        theme[msg_warning]="#ebcb8b"
        theme[msg_error]="#bf616a"
        theme[msg_error_attr]="bold"
        theme[msg_error_mono]="bold"
        """#

    /// The default theme; it always parses (a test proves it).
    public static var `default`: Theme {
        (try? Theme.parse(defaultText, name: "default")) ?? Theme(name: "default", looks: [:])
    }

    /// Finds a theme by name or path: `--themes-dir`, the user's config dir, the install dir, then `./themes`.
    public static func load(_ nameOrPath: String, themesDir: String?, environment: [String: String]) throws -> Theme {
        if nameOrPath == "default" { return .default }
        var candidates: [String] = []
        if nameOrPath.contains("/") || nameOrPath.hasSuffix(".theme") {
            candidates.append((nameOrPath as NSString).expandingTildeInPath)
        } else {
            let file = nameOrPath + ".theme"
            if let themesDir { candidates.append((themesDir as NSString).appendingPathComponent(file)) }
            let userThemes = Paths(environment: environment).themesDirectory
            candidates.append((userThemes as NSString).appendingPathComponent(file))
            let exe = URL(fileURLWithPath: CommandLine.arguments.first ?? "").resolvingSymlinksInPath()
            candidates.append(
                exe.deletingLastPathComponent().appendingPathComponent("../share/comfytop/themes/\(file)").path)
            candidates.append("themes/\(file)")
        }
        for path in candidates where FileManager.default.fileExists(atPath: path) {
            let text = try String(contentsOfFile: path, encoding: .utf8)
            do {
                return try Theme.parse(text, name: nameOrPath, base: .default)
            } catch {
                throw ThemeLoadError(message: "\(path): \(error)")
            }
        }
        throw ThemeLoadError(message: "no theme \"\(nameOrPath)\" (looked in: \(candidates.joined(separator: ", ")))")
    }
}

public struct ThemeLoadError: Error, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}
