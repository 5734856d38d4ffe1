/// The fleet screen's keys: one table for its hint bar, its help and the README. (On a server's screen the
/// single-server table, `KeyMap`, applies, plus the jumps below.)
struct FleetKeys {
    var keys: String
    var short: String
    var help: String
    var inBar: Bool

    static let all: [FleetKeys] = [
        FleetKeys(keys: "Enter", short: "open", help: "open the server's own screen (Esc comes back)", inBar: true),
        FleetKeys(keys: "↑ ↓ j k", short: "select", help: "select a server", inBar: false),
        FleetKeys(keys: "Tab S-Tab", short: "next", help: "next / previous server", inBar: false),
        FleetKeys(
            keys: "1-9 [ ]", short: "jump", help: "open server 1–9; [ ] previous / next (on a server's screen too)",
            inBar: true),
        FleetKeys(keys: "/", short: "filter", help: "filter servers and jobs (name, id, node, state)", inBar: true),
        FleetKeys(keys: "o", short: "sort", help: "jobs by finish time or by server", inBar: true),
        FleetKeys(keys: "h", short: "history", help: "the history browser (every server's runs)", inBar: true),
        FleetKeys(
            keys: "Esc", short: "back", help: "clear the filter; on a server's screen: back to the fleet", inBar: false),
        FleetKeys(keys: "?", short: "help", help: "this help", inBar: true),
        FleetKeys(keys: "q", short: "quit", help: "quit", inBar: true),
    ]
}
