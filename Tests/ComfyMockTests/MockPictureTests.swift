import ComfyImages
import ComfyJSON
import ComfyMock
import ComfyTestSupport
import Foundation
import Testing

@Suite("Mock pictures")
struct MockPictureTests {
    static func workflow(seed: Int, steps: Int = 8, prefix: String = "pic/scene") -> JSONValue {
        MockEngine.demoSlow(steps: steps, delayMS: 10, seed: seed, prefix: prefix, size: (128, 96))
    }

    @Test("the sampler's previews are real JPEGs that converge on the saved picture, step after step")
    func previewsConverge() async throws {
        let mock = try await MockHarness.start()
        defer { Task { await mock.stop() } }
        // An anonymous job: its type-1 previews are broadcast to every socket, as ComfyUI does.
        let watcher = TestSocket(baseURL: mock.baseURL, path: "/ws")
        defer { watcher.abandon() }
        try await watcher.waitFor("status") { $0.kind == "status" }
        let id = try await mock.submit(Self.workflow(seed: 5))
        let entry = try await mock.waitForHistory(id)
        try await waitUntil("8 previews") { watcher.kinds.filter { $0 == "binary/1" }.count >= 8 }
        let name = try #require(entry["outputs"]?["3"]?["images"]?[0]?["filename"]?.stringValue)
        let saved = try await mock.get("/view?filename=\(name)&subfolder=pic&type=output")
        let final = try ImageCodec.decode(saved.body)
        #expect(final.width == 128 && final.height == 96)
        let previews = try watcher.frames.compactMap { frame -> RGBImage? in
            guard case .binary(let bytes) = frame, frame.kind == "binary/1" else { return nil }
            #expect(Array(bytes[4..<8]) == [0, 0, 0, 1])  // image_type 1: JPEG
            #expect(Array(bytes[8..<11]) == [0xFF, 0xD8, 0xFF])
            return try ImageCodec.decode(Array(bytes[8...]))
        }
        #expect(previews.count == 8)
        let errors = previews.map { preview in
            PictureDifference.meanChannelError(preview, final.resized(width: preview.width, height: preview.height))
                ?? .infinity
        }
        print("mock previews: mean channel error to the final picture by step: \(errors)")
        for (earlier, later) in zip(errors, errors.dropFirst()) { #expect(later < earlier) }
        #expect((errors.last ?? .infinity) < (errors.first ?? 0) / 3)  // the last: the picture at latent size
        #expect(errors.first ?? 0 > 30)  // the first is mostly noise
    }

    @Test("the saved picture is the seed's: the same seed gives the same PNG, another seed another picture")
    func savedPictureIsSeeded() async throws {
        let mock = try await MockHarness.start()
        defer { Task { await mock.stop() } }
        var files: [[UInt8]] = []
        for (index, seed) in [11, 11, 12].enumerated() {
            let id = try await mock.submit(Self.workflow(seed: seed, steps: 1, prefix: "seeded/s\(index)"))
            let entry = try await mock.waitForHistory(id)
            let name = try #require(entry["outputs"]?["3"]?["images"]?[0]?["filename"]?.stringValue)
            files.append(try await mock.get("/view?filename=\(name)&subfolder=seeded&type=output").body)
        }
        #expect(ImageFormat.sniff(files[0]) == .png)
        #expect(files[0] == files[1])
        #expect(files[0] != files[2])
        // A picture, not a flat colour: its pixels vary.
        let image = try ImageCodec.decode(files[0])
        #expect(Set(stride(from: 0, to: image.pixels.count, by: 3).map { image.pixels[$0] }).count > 20)
    }

    @Test("/view?preview=jpeg;80 re-encodes the file as a smaller JPEG of the same size; webp and its fallbacks")
    func viewPreview() async throws {
        let mock = try await MockHarness.start()
        defer { Task { await mock.stop() } }
        let id = try await mock.submit(Self.workflow(seed: 3, steps: 1, prefix: "thumb"))
        let entry = try await mock.waitForHistory(id)
        let name = try #require(entry["outputs"]?["3"]?["images"]?[0]?["filename"]?.stringValue)
        let path = "/view?filename=\(name)&type=output"
        let png = try await mock.get(path)
        let jpeg = try await mock.get(path + "&preview=jpeg;80")
        #expect(jpeg.status == 200 && jpeg.contentType == "image/jpeg")
        #expect(ImageFormat.sniff(jpeg.body) == .jpeg)
        #expect(jpeg.body.count < png.body.count)
        let small = try ImageCodec.decode(jpeg.body)
        #expect(small.width == 128 && small.height == 96)  // ComfyUI re-encodes, it does not resize
        let lower = try await mock.get(path + "&preview=jpeg;20")
        #expect(lower.body.count < jpeg.body.count)
        for (query, type) in [
            ("webp;50", "image/webp"), ("gif;50", "image/webp"), ("jpeg;80&channel=rgba", "image/webp"),
        ] {
            let reply = try await mock.get(path + "&preview=" + query.replacingOccurrences(of: ";", with: "%3B"))
            #expect(reply.status == 200 && reply.contentType == type, "\(query)")
            #expect(ImageFormat.sniff(reply.body) == .webp, "\(query)")
        }
        #expect(try await mock.get(path + "&preview=jpeg").contentType == "image/jpeg")  // quality 90
        #expect(try await mock.get("/view?filename=missing.png&preview=jpeg%3B80").status == 404)
    }
}
