import ArgumentParser
import ComfyClient
import Foundation

@main
struct Comfytop: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "comfytop",
        abstract: "A terminal monitor and CLI for ComfyUI, with a faithful mock server built in.",
        discussion: """
            Global options (--url, --server, --token, --user, --password, --header, --token-query, --ca-file, \
            --insecure, --config, --data-dir, --json) may come before or after the subcommand: \
            comfytop --url X history is comfytop history --url X. With no subcommand, comfytop is the monitor.
            Exit codes: 0 ok, 1 a job failed or the server answered an error, 2 usage error, \
            3 cannot reach the server, 130 Ctrl-C (SIGINT), 143 SIGTERM, 129 SIGHUP.
            """,
        version: ComfyClientInfo.version,
        subcommands: [
            MonitorCommand.self, SubmitCommand.self, QueueCommand.self, HistoryCommand.self, ShowCommand.self,
            DownloadCommand.self, UploadCommand.self, WaitCommand.self, ModelsCommand.self, NodesCommand.self,
            FreeCommand.self,
            InterruptCommand.self, CancelCommand.self, StatusCommand.self, WatchCommand.self, MockCommand.self,
            DemoCommand.self, ViewCommand.self,
            DoctorCommand.self, FleetCommand.self,
        ],
        defaultSubcommand: MonitorCommand.self)

    /// Parses and runs, mapping errors to comfytop's exit codes (usage errors are 2, not 64).
    static func main() async {
        let arguments = Array(CommandLine.arguments.dropFirst())
        let order = ArgumentOrder.comfytop
        let reordered = order.reorder(arguments)
        do {
            var command = try parseAsRoot(reordered.arguments)
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let exit as ExitCode {
            Foundation.exit(exit.rawValue)
        } catch {
            let code = exitCode(for: error)
            if code == .success {
                Output.out(fullMessage(for: error) + "\n")
                Foundation.exit(0)
            }
            var text = fullMessage(for: error)
            let short = message(for: error)
            if let better = order.explain(unknownOption: short, result: reordered, original: arguments),
                let range = text.range(of: short)
            {
                text.replaceSubrange(range, with: better)
            }
            Output.error(text + "\n")
            Foundation.exit(code == .validationFailure ? 2 : code.rawValue)
        }
    }
}

extension ArgumentOrder {
    /// The reordering for comfytop's own commands (`help` is left alone: `comfytop help queue`).
    static var comfytop: ArgumentOrder {
        ArgumentOrder(commands: Comfytop.configuration.subcommands.map(Command.init(type:)))
    }
}

extension ArgumentOrder.Command {
    init(type: any ParsableCommand.Type) {
        self.init(name: type._commandName, subcommands: type.configuration.subcommands.map(Self.init(type:)))
    }
}
