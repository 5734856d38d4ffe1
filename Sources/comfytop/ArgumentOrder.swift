/// Lets global options come before the subcommand, as in git and kubectl: `comfytop --url X history` is read as
/// `comfytop history --url X`.
///
/// ArgumentParser gives options that precede a subcommand to the default command (the monitor), so `main` moves
/// them, before parsing, to just after the subcommand (and its nested subcommand, `history import`). Only the
/// options named here move; anything else (an unknown option, `--`, a missing value) leaves the arguments as they
/// are, for ArgumentParser to parse or to refuse with its own message.
struct ArgumentOrder: Sendable {
    /// The global options, and whether each takes a value.
    static let globalOptions: [String: Bool] = [
        "--url": true, "--server": true, "--token": true, "--user": true, "--password": true, "--header": true,
        "--token-query": true, "--ca-file": true, "--config": true, "--data-dir": true,
        "--insecure": false, "--json": false, "--all": false,
    ]

    /// A command name and its nested subcommands' names.
    struct Command: Sendable {
        var name: String
        var subcommands: [Command] = []
    }

    /// The subcommands of `comfytop`.
    var commands: [Command]
    var options: [String: Bool] = ArgumentOrder.globalOptions

    /// The result of reordering: the arguments to parse, and which global options were moved past which command.
    struct Result: Equatable, Sendable {
        var arguments: [String]
        /// The option names moved (without values), e.g. `["--url", "--json"]`.
        var moved: [String] = []
        /// The subcommand path they were moved after, e.g. `["history", "import"]`.
        var command: [String] = []
    }

    /// Moves the global options that precede the first subcommand name to just after it.
    func reorder(_ arguments: [String]) -> Result {
        var moved: [String] = []
        var names: [String] = []
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            guard argument.hasPrefix("-"), argument != "-" else { break }
            let (name, inlineValue) = Self.split(argument)
            // `--`, `--help`, an option of the monitor's: not ours to move; leave everything as it is.
            guard let takesValue = options[name] else { return Result(arguments: arguments) }
            if takesValue && inlineValue == nil {
                guard index + 1 < arguments.count else { return Result(arguments: arguments) }
                moved += [argument, arguments[index + 1]]
                index += 2
            } else {
                guard takesValue || inlineValue == nil else { return Result(arguments: arguments) }
                moved.append(argument)
                index += 1
            }
            names.append(name)
        }
        guard !moved.isEmpty, index < arguments.count,
            var command = commands.first(where: { $0.name == arguments[index] })
        else { return Result(arguments: arguments) }
        var end = index + 1
        while end < arguments.count, let nested = command.subcommands.first(where: { $0.name == arguments[end] }) {
            command = nested
            end += 1
        }
        let path = Array(arguments[index..<end])
        return Result(arguments: path + moved + arguments[end...], moved: names, command: path)
    }

    /// A clearer word for ArgumentParser's "Unknown option '--x'" when `--x` was moved from before the subcommand,
    /// or given with no subcommand at all (the monitor).
    func explain(unknownOption message: String, result: Result, original: [String]) -> String? {
        guard message.hasPrefix("Unknown option '"), let name = message.split(separator: "'").dropFirst().first
        else { return nil }
        let option = String(name)
        if result.moved.contains(option) {
            return "comfytop \(result.command.joined(separator: " ")) does not take \(option) "
                + "(options before the subcommand are passed to it; see comfytop \(result.command.joined(separator: " ")) --help)"
        }
        // No subcommand: every argument went to the monitor.
        let given = original.map { Self.split($0).name }
        let hasCommand = original.contains { word in commands.contains { $0.name == word } }
        guard result.moved.isEmpty, !hasCommand, given.contains(option), options[option] != nil else { return nil }
        if option == "--json" {
            return "the monitor (comfytop with no subcommand) has no --json; for scripts use comfytop watch --json, "
                + "comfytop status --json or comfytop queue --json"
        }
        return "the monitor (comfytop with no subcommand) does not take \(option); see comfytop --help"
    }

    /// `--url=http://x` → (`--url`, `http://x`); `--url` → (`--url`, nil).
    static func split(_ argument: String) -> (name: String, value: String?) {
        guard argument.hasPrefix("--"), let equals = argument.firstIndex(of: "=") else { return (argument, nil) }
        return (String(argument[..<equals]), String(argument[argument.index(after: equals)...]))
    }
}
