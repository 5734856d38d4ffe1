import CNCurses
import ComfyClient

/// The ncurses front. The monitor screens arrive with the live-monitor issue; this proves the curses shim links.
public enum ComfyTUIInfo {
    /// The ncurses version string of the linked library.
    public static var cursesVersion: String { String(cString: curses_version()) }
}
