import ComfyJSON
import Foundation
import Testing

@testable import ComfyClient

@Suite("Workflows and --set")
struct WorkflowTests {
    let prompt: JSONValue = .obj(
        ("3", .obj(("class_type", "KSampler"), ("inputs", .obj(("seed", 1), ("steps", 20))))),
        ("6", .obj(("class_type", "CLIPTextEncode"), ("inputs", .obj(("text", "a dog"))))))

    @Test("--set edits inputs: JSON values, plain text, random seeds")
    func set() throws {
        var p = try Workflow.set("6.text=a cat in a hat", in: prompt)
        p = try Workflow.set("3.steps=30", in: p)
        p = try Workflow.set("3.seed=random", in: p)
        #expect(p["6"]?["inputs"]?["text"] == "a cat in a hat")
        #expect(p["3"]?["inputs"]?["steps"] == 30)
        #expect(p["3"]?["inputs"]?["seed"]?.intValue != nil)
        for _ in 0..<64 {
            let seed = try Workflow.set("3.seed=random", in: p)["3"]?["inputs"]?["seed"]?.intValue ?? -1
            #expect((0...Int(UInt32.max)).contains(seed), "a random seed fits the 32 bits some seed inputs allow")
        }
        #expect(throws: Workflow.Problem.self) { try Workflow.set("9.x=1", in: prompt) }
        #expect(throws: Workflow.Problem.self) { try Workflow.set("nonsense", in: prompt) }
    }

    @Test("a UI-format workflow gets an error that says how to export the API format")
    func uiFormat() throws {
        let ui: JSONValue = .obj(("nodes", []), ("links", []), ("version", 0.4))
        do {
            _ = try Workflow.apiFormat(ui, path: "wf.json")
            Issue.record("accepted a UI workflow")
        } catch {
            #expect(error.description.contains("Export (API)"))
        }
        #expect(try Workflow.apiFormat(.obj(("prompt", prompt)), path: "x") == prompt)
    }

    @Test("prompt texts are labelled positive and negative where a sampler links them")
    func promptText() {
        let p: JSONValue = .obj(
            ("3", .obj(("class_type", "KSampler"), ("inputs", .obj(("positive", ["6", 0]), ("negative", ["7", 0]))))),
            ("6", .obj(("class_type", "CLIPTextEncode"), ("inputs", .obj(("text", "sun"))))),
            ("7", .obj(("class_type", "CLIPTextEncode"), ("inputs", .obj(("text", "blur"))))))
        #expect(PromptText.extract(p) == [.init(role: "positive", text: "sun"), .init(role: "negative", text: "blur")])
    }
}
