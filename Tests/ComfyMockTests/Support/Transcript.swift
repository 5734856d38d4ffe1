import ComfyJSON
import ComfyMock
import ComfyTestSupport
import Foundation

/// One recorded scenario from `Fixtures/` (copied from shared/fixtures/comfyui-real).
struct Transcript {
    let name: String
    let root: JSONValue
    var events: [JSONValue] { root["events"]?.arrayValue ?? [] }
    var clients: [(String, JSONValue)] { root["clients"]?.objectValue ?? [] }

    static func load(_ name: String) throws -> Transcript {
        guard let url = Bundle.module.url(forResource: name, withExtension: "json", subdirectory: "Fixtures") else {
            throw HarnessError("fixture \(name).json is missing from Tests/ComfyMockTests/Fixtures")
        }
        let data = try Data(contentsOf: url)
        return Transcript(name: name, root: try JSONValue.parse([UInt8](data)))
    }

    /// The kinds of the frames `client` received in the recording, in wire order.
    func receivedKinds(_ client: String) -> [String] {
        events.filter { $0["kind"]?.stringValue == "ws_recv" && $0["client"]?.stringValue == client }.map(Self.kind)
    }

    func receivedTexts(_ client: String) -> [JSONValue] {
        events.filter { $0["kind"]?.stringValue == "ws_recv" && $0["client"]?.stringValue == client }
            .compactMap { $0["text"]?.stringValue.flatMap { try? JSONValue.parse($0) } }
    }

    static func kind(_ event: JSONValue) -> String {
        if event["frame"]?.stringValue == "binary" {
            return "binary/\(event["decoded"]?["event_type"]?.intValue ?? -1)"
        }
        guard let text = event["text"]?.stringValue, let json = try? JSONValue.parse(text) else { return "?" }
        return json["type"]?.stringValue ?? "?"
    }
}
