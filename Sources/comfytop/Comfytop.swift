import ArgumentParser
import ComfyClient
import Foundation

@main
struct Comfytop: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "comfytop",
        abstract: "A terminal monitor and CLI for ComfyUI, with a faithful mock server built in.",
        discussion: """
            Exit codes: 0 ok, 1 a job failed or the server answered an error, 2 usage error, \
            3 cannot reach the server, 130 interrupted by Ctrl-C.
            """,
        version: ComfyClientInfo.version,
        subcommands: [
            MonitorCommand.self, SubmitCommand.self, QueueCommand.self, HistoryCommand.self, ShowCommand.self,
            DownloadCommand.self,
            InterruptCommand.self, CancelCommand.self, StatusCommand.self, WatchCommand.self, MockCommand.self,
            DemoCommand.self,
        ],
        defaultSubcommand: MonitorCommand.self)

    /// Parses and runs, mapping errors to comfytop's exit codes (usage errors are 2, not 64).
    static func main() async {
        do {
            var command = try parseAsRoot()
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
                print(fullMessage(for: error))
                Foundation.exit(0)
            }
            Output.error(fullMessage(for: error) + "\n")
            Foundation.exit(code == .validationFailure ? 2 : code.rawValue)
        }
    }
}
