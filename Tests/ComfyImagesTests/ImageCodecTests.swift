import ComfyImages
import Testing

@Suite struct ImageCodecTests {
    @Test func roundTripsPNG() throws {
        let image = RGBImage(width: 7, height: 5) { x, y in (UInt8(x * 30), UInt8(y * 50), 128) }
        let png = try ImageCodec.encodePNG(image)
        #expect(ImageFormat.sniff(png) == .png)
        #expect(try ImageCodec.decode(png) == image)
    }
}
