import ArgumentParser
import ComfyClient
import ComfyMock
import Foundation
import Logging

@main
struct Comfytop: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "comfytop",
        abstract: "A terminal monitor and CLI for ComfyUI, with a faithful mock server built in.",
        version: ComfyClientInfo.version,
        subcommands: [MockCommand.self, DemoCommand.self])
}
