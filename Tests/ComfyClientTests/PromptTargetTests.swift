import ComfyJSON
import Foundation
import Testing

@testable import ComfyClient

@Suite("--prompt/--negative: following the graph to the text")
struct PromptTargetTests {
    static func node(_ cls: String, _ inputs: (String, JSONValue)...) -> JSONValue {
        .obj(("class_type", .string(cls)), ("inputs", .object(inputs)))
    }
    static func link(_ id: String, _ slot: Int = 0) -> JSONValue { .array([.string(id), .int(slot)]) }

    /// The default text-to-image graph.
    let txt2img: JSONValue = .obj(
        (
            "3",
            node("KSampler", ("seed", 1), ("positive", link("6")), ("negative", link("7")), ("latent_image", link("5")))
        ),
        ("5", node("EmptyLatentImage", ("width", 512))),
        ("6", node("CLIPTextEncode", ("text", "a dog"), ("clip", link("4", 1)))),
        ("7", node("CLIPTextEncode", ("text", "blurry"), ("clip", link("4", 1)))),
        ("4", node("CheckpointLoaderSimple", ("ckpt_name", "x.safetensors"))))

    @Test("the sampler's positive and negative inputs lead to their text encoders")
    func direct() throws {
        #expect(try PromptTarget.locate(.positive, in: txt2img).description == "6.text")
        #expect(try PromptTarget.locate(.negative, in: txt2img).description == "7.text")
        let set = try PromptTarget.set("a cat", .positive, in: txt2img)
        #expect(set["6"]?["inputs"]?["text"] == "a cat" && set["7"]?["inputs"]?["text"] == "blurry")
    }

    @Test("through conditioning nodes: ControlNet (same polarity), guidance, a guider for SamplerCustomAdvanced")
    func throughConditioning() throws {
        let graph: JSONValue = .obj(
            ("10", Self.node("SamplerCustomAdvanced", ("guider", Self.link("11")), ("noise", Self.link("12")))),
            ("11", Self.node("CFGGuider", ("positive", Self.link("20")), ("negative", Self.link("20", 1)))),
            ("20", Self.node("ControlNetApplyAdvanced", ("positive", Self.link("21")), ("negative", Self.link("22")))),
            ("21", Self.node("FluxGuidance", ("conditioning", Self.link("30")), ("guidance", 3.5))),
            ("30", Self.node("CLIPTextEncode", ("text", "a castle"))),
            ("22", Self.node("CLIPTextEncode", ("text", "ugly"))))
        #expect(try PromptTarget.locate(.positive, in: graph).description == "30.text")
        #expect(try PromptTarget.locate(.negative, in: graph).description == "22.text")
    }

    @Test("two samplers that share the prompt (a hires-fix pass) are not ambiguous")
    func sharedPrompt() throws {
        var graph = txt2img
        graph = graph.setting(
            "13", Self.node("KSampler", ("positive", Self.link("6")), ("negative", Self.link("7")), ("denoise", 0.5)))
        #expect(try PromptTarget.locate(.positive, in: graph).description == "6.text")
    }

    @Test("a text that comes from a primitive string node is set there")
    func primitive() throws {
        let graph = txt2img.setting(
            "6", Self.node("CLIPTextEncode", ("text", Self.link("40")), ("clip", Self.link("4", 1)))
        )
        .setting("40", Self.node("PrimitiveStringMultiline", ("value", "a fox")))
        #expect(try PromptTarget.locate(.positive, in: graph).description == "40.value")
    }

    @Test("ambiguity and dead ends are errors that name the candidates and the --set to use")
    func errors() {
        func message(_ graph: JSONValue, _ polarity: PromptTarget.Polarity = .positive) -> String {
            do {
                _ = try PromptTarget.locate(polarity, in: graph)
                return ""
            } catch {
                return error.description
            }
        }
        // Two samplers with their own prompts (base + refiner).
        let two = txt2img.setting(
            "13", Self.node("KSampler", ("positive", Self.link("16")), ("negative", Self.link("7")))
        )
        .setting("16", Self.node("CLIPTextEncode", ("text", "refined")))
        let ambiguous = message(two)
        #expect(ambiguous.contains("ambiguous") && ambiguous.contains("3 (KSampler) ← 6.text"))
        #expect(ambiguous.contains("13 (KSampler) ← 16.text") && ambiguous.contains("--set 6.text=…"))
        #expect(message(two, .negative).isEmpty, "both samplers share the negative")
        // A combine of two prompts.
        let combined = txt2img.setting(
            "3", Self.node("KSampler", ("positive", Self.link("8")), ("negative", Self.link("7")))
        )
        .setting(
            "8",
            Self.node("ConditioningCombine", ("conditioning_1", Self.link("6")), ("conditioning_2", Self.link("9")))
        )
        .setting("9", Self.node("CLIPTextEncode", ("text", "second")))
        #expect(message(combined).contains("6.text, 9.text"))
        // No sampler at all.
        let none: JSONValue = .obj(("6", Self.node("CLIPTextEncode", ("text", "a"))))
        #expect(message(none).contains("no sampler") && message(none).contains("6 (CLIPTextEncode)"))
        // A positive from a node with no text (an SDXL encoder's text_g/text_l).
        let sdxl = txt2img.setting("6", Self.node("CLIPTextEncodeSDXL", ("text_g", "a"), ("text_l", "b")))
        #expect(message(sdxl).contains("cannot follow") && message(sdxl).contains("--set NODE.text"))
        // A cycle does not hang.
        let cycle = txt2img.setting(
            "3", Self.node("KSampler", ("positive", Self.link("8")), ("negative", Self.link("7")))
        )
        .setting("8", Self.node("ConditioningSetArea", ("conditioning", Self.link("8"))))
        #expect(message(cycle).contains("cannot follow"))
    }
}
