import ArgumentParser
import Testing

@testable import comfytop

@Suite struct ArgumentOrderTests {
    let order = ArgumentOrder.comfytop

    @Test(arguments: [
        (["--url", "X", "history"], ["history", "--url", "X"]),
        (["--json", "--url", "X", "queue"], ["queue", "--json", "--url", "X"]),
        (["--server", "gpu", "status"], ["status", "--server", "gpu"]),
        (["--url=X", "show", "P"], ["show", "--url=X", "P"]),
        (
            ["--url", "X", "history", "import", "--page-size", "5"],
            ["history", "import", "--url", "X", "--page-size", "5"]
        ),
        (["--url", "X", "history", "--search", "fox"], ["history", "--url", "X", "--search", "fox"]),
        (
            ["--data-dir", "D", "--insecure", "monitor", "--read-only"],
            ["monitor", "--data-dir", "D", "--insecure", "--read-only"]
        ),
        (["--header", "A: b", "--header", "C: d", "queue"], ["queue", "--header", "A: b", "--header", "C: d"]),
        // A value that is a command's name is still the value.
        (["--server", "status", "queue"], ["queue", "--server", "status"]),
    ])
    func movesGlobalOptionsAfterTheSubcommand(_ input: [String], _ expected: [String]) {
        #expect(order.reorder(input).arguments == expected)
    }

    @Test(arguments: [
        ["history", "--url", "X"],  // already in place
        ["--url", "X"],  // no subcommand: the monitor
        ["--url", "X", "--read-only"],  // an option of the monitor's: left to ArgumentParser
        ["--read-only", "--url", "X", "queue"],
        ["--url"],  // a missing value: ArgumentParser says so
        ["--", "history"],
        ["--url", "X", "bogus"],  // not a command
        ["--url", "X", "help", "queue"],
        ["--insecure=yes", "queue"],
        [],
    ])
    func leavesEverythingElseAsItIs(_ input: [String]) {
        #expect(order.reorder(input).arguments == input)
    }

    @Test func parsesAsTheSameCommandEitherWay() throws {
        let before = try Comfytop.parseAsRoot(order.reorder(["--url", "http://h:1", "--json", "queue"]).arguments)
        let queue = try #require(before as? QueueCommand)
        #expect(queue.server.url == "http://h:1")
        #expect(queue.json)

        let monitor = try #require(
            try Comfytop.parseAsRoot(order.reorder(["--url", "http://h:2"]).arguments) as? MonitorCommand)
        #expect(monitor.server.url == "http://h:2")

        let list = try Comfytop.parseAsRoot(order.reorder(["--data-dir", "/d", "--url", "u", "history"]).arguments)
        let history = try #require(list as? HistoryListCommand)
        #expect(history.store.dataDir == "/d")
        #expect(history.server.url == "u")
    }

    /// The table of global options matches the flags the commands really declare.
    @Test func everyGlobalOptionIsDeclaredAsTheTableSays() throws {
        for (name, takesValue) in ArgumentOrder.globalOptions {
            var arguments = ["history", name]
            if takesValue { arguments.append("x") }
            if name == "--header" { arguments[arguments.count - 1] = "X-A: b" }
            #expect(throws: Never.self, "\(name)") { _ = try Comfytop.parseAsRoot(arguments) }
        }
    }

    @Test func explainsAGlobalOptionTheSubcommandDoesNotTake() {
        let moved = order.reorder(["--data-dir", "/d", "status"])
        #expect(moved.arguments == ["status", "--data-dir", "/d"])
        var message: String?
        do {
            _ = try Comfytop.parseAsRoot(moved.arguments)
        } catch {
            message = order.explain(
                unknownOption: Comfytop.message(for: error), result: moved, original: ["--data-dir", "/d", "status"])
        }
        #expect(message?.hasPrefix("comfytop status does not take --data-dir") == true)

        let monitor = ["--json", "--url", "X"]
        var hint: String?
        do {
            _ = try Comfytop.parseAsRoot(order.reorder(monitor).arguments)
        } catch {
            hint = order.explain(
                unknownOption: Comfytop.message(for: error), result: order.reorder(monitor), original: monitor)
        }
        #expect(hint?.contains("comfytop watch --json") == true)
    }
}
