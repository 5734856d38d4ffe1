import ComfyImages
import Testing

@Suite struct ImageCodecTests {
    @Test func decodesTheRecordedPreview() throws {
        let image = try ImageCodec.decode(try Goldens.fixtureJPEG())
        #expect(image.width == 64 && image.height == 64 && image.pixels.count == 64 * 64 * 3)
        #expect(try ImageCodec.dimensions(of: try Goldens.fixtureJPEG()) == (64, 64))
    }

    @Test func roundTripsPNGWithText() throws {
        let image = RGBImage(width: 7, height: 5) { x, y in (UInt8(x * 30), UInt8(y * 50), 128) }
        let png = try ImageCodec.encodePNG(image, text: [("prompt", "{\"1\": {}}")])
        #expect(ImageFormat.sniff(png) == .png)
        #expect(try ImageCodec.decode(png) == image)
        #expect(String(decoding: png, as: UTF8.self).contains("prompt"))
    }

    @Test func roundTripsJPEGAndWebPClosely() throws {
        let image = Goldens.scene(width: 96, height: 64)
        for (bytes, format) in [
            (try ImageCodec.encodeJPEG(image, quality: 90), ImageFormat.jpeg),
            (try ImageCodec.encodeWebP(image, quality: 90), .webp),
        ] {
            #expect(ImageFormat.sniff(bytes) == format)
            let back = try ImageCodec.decode(bytes)
            #expect(back.width == 96 && back.height == 64)
            #expect((PictureDifference.meanChannelError(back, image) ?? 99) < 4)
        }
    }

    @Test func resizesByArea() {
        let image = RGBImage(width: 4, height: 2) { x, _ in x < 2 ? (0, 0, 0) : (200, 100, 50) }
        let half = image.resized(width: 2, height: 1)
        #expect(half.pixels == [0, 0, 0, 200, 100, 50])
        let fitted = Goldens.scene().fitted(maxWidth: 48, maxHeight: 48)
        #expect(fitted.width == 48 && fitted.height == 32)
    }

    @Test func hostileInputsAreErrors() throws {
        let jpeg = try Goldens.fixtureJPEG()
        #expect(throws: ImageError.empty) { try ImageCodec.decode([]) }
        #expect(throws: ImageError.unknownFormat) { try ImageCodec.decode(Array("<html>".utf8)) }
        // Truncated: a JPEG cut in half, a PNG cut after its header.
        #expect(throws: ImageError.self) { try ImageCodec.decode(Array(jpeg.prefix(jpeg.count / 2))) }
        let png = try ImageCodec.encodePNG(Goldens.scene(width: 32, height: 32))
        #expect(throws: ImageError.self) { try ImageCodec.decode(Array(png.prefix(60))) }
        // Garbage after a valid signature.
        var garbage: [UInt8] = [0xFF, 0xD8, 0xFF]
        var state: UInt32 = 12345
        for _ in 0..<4096 {
            state = state &* 1_103_515_245 &+ 12345
            garbage.append(UInt8(truncatingIfNeeded: state >> 16))
        }
        #expect(throws: ImageError.self) { try ImageCodec.decode(garbage) }
        #expect(throws: ImageError.self) {
            try ImageCodec.decode([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + garbage)
        }
        #expect(throws: ImageError.self) { try ImageCodec.decode(Array("RIFF\0\0\0\0WEBPVP8 ".utf8) + garbage) }
    }

    @Test func hugeDeclaredSizesAreRefusedBeforeAllocating() throws {
        // A JPEG whose frame header claims 65 000 × 65 000 pixels (SOF0 patched).
        var jpeg = try Goldens.fixtureJPEG()
        let sof = try #require((0..<(jpeg.count - 9)).first { jpeg[$0] == 0xFF && jpeg[$0 + 1] == 0xC0 })
        jpeg[sof + 5] = 0xFD
        jpeg[sof + 6] = 0xE8
        jpeg[sof + 7] = 0xFD
        jpeg[sof + 8] = 0xE8
        #expect(throws: ImageError.self) { try ImageCodec.decode(jpeg) }
        do {
            _ = try ImageCodec.decode(jpeg)
        } catch {
            #expect(error.description.contains("65000×65000"))
        }
        // A PNG whose IHDR claims 100 000 × 100 000 (libspng checks its own limits, then ours).
        var png = try ImageCodec.encodePNG(Goldens.scene(width: 8, height: 8))
        for (offset, byte) in [
            (16, 0x00), (17, 0x01), (18, 0x86), (19, 0xA0), (20, 0x00), (21, 0x01), (22, 0x86), (23, 0xA0),
        ] {
            png[offset] = UInt8(byte)
        }
        #expect(throws: ImageError.self) { try ImageCodec.decode(png) }
        // Tighter limits apply too.
        let small = ImageLimits(maxSide: 32, maxPixels: 1024, maxBytes: 1 << 20)
        #expect(throws: ImageError.self) { try ImageCodec.decode(try Goldens.fixtureJPEG(), limits: small) }
    }
}
