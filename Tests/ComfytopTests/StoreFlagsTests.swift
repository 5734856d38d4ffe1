import ArgumentParser
import ComfyClient
import Foundation
import Testing

@testable import comfytop

@Suite struct StoreFlagsTests {
    @Test func dataDirOpensTheStoreInThatFolder() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("comfytop-store-\(UUID())").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let flags = try StoreFlags.parse(["--data-dir", folder])
        let store = try #require(try flags.openForRecording())
        #expect(store.path == folder + "/history.sqlite")
        #expect(FileManager.default.fileExists(atPath: store.path))
    }

    /// The user named the folder: a store that cannot be opened there is an error, not a run silently unrecorded.
    @Test func anExplicitFolderThatCannotBeUsedIsAnError() throws {
        let flags = try StoreFlags.parse(["--data-dir", "/proc/comfytop-cannot-create-this"])
        #expect(throws: (any Error).self) { _ = try flags.openForRecording() }
        #expect(throws: (any Error).self) { _ = try flags.open() }
    }

    @Test func tildeIsExpanded() throws {
        let flags = try StoreFlags.parse(["--data-dir", "~/somewhere"])
        #expect(flags.paths.historyStore == NSHomeDirectory() + "/somewhere/history.sqlite")
    }
}
