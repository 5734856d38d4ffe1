import ComfyImages

/// PNG files the mock writes (through libspng, by ComfyImages): solid colours as `EmptyImage` makes, and the
/// sample picture ComfyUI ships as `input/example.png`.
enum PNGEncoder {
    /// Encodes `width`×`height` pixels produced by `pixel(x, y) -> (r, g, b)`.
    static func encode(width: Int, height: Int, pixel: (Int, Int) -> (UInt8, UInt8, UInt8)) -> [UInt8] {
        (try? ImageCodec.encodePNG(RGBImage(width: width, height: height, pixel: pixel))) ?? []
    }

    /// A solid-colour image, as `EmptyImage` makes (`color` is 0xRRGGBB).
    static func solid(width: Int, height: Int, color: Int) -> [UInt8] {
        let r = UInt8((color >> 16) & 0xFF), g = UInt8((color >> 8) & 0xFF), b = UInt8(color & 0xFF)
        return encode(width: width, height: height) { _, _ in (r, g, b) }
    }

    /// The built-in sample picture: the scene of seed 0.
    static func sample(size: Int = 64) -> [UInt8] {
        SyntheticPicture.png(seed: 0, width: size, height: size)
    }
}
