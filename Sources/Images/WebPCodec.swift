import CWebP

/// WebP through libwebp's simple API (ComfyUI's `/view?preview=webp;Q` and some custom nodes' previews).
enum WebPCodec {
    static func dimensions(_ bytes: [UInt8]) throws(ImageError) -> (width: Int, height: Int) {
        var width: Int32 = 0, height: Int32 = 0
        let ok = bytes.withUnsafeBufferPointer { WebPGetInfo($0.baseAddress, $0.count, &width, &height) }
        guard ok != 0 else { throw .corrupt("not a readable WebP header") }
        return (Int(width), Int(height))
    }

    static func decode(_ bytes: [UInt8], limits: ImageLimits) throws(ImageError) -> RGBImage {
        let (width, height) = try dimensions(bytes)
        try limits.check(width: width, height: height)
        var pixels = [UInt8](repeating: 0, count: width * height * 3)
        let decoded = bytes.withUnsafeBufferPointer { source in
            pixels.withUnsafeMutableBufferPointer { target in
                WebPDecodeRGBInto(source.baseAddress, source.count, target.baseAddress, target.count, Int32(width * 3))
            }
        }
        guard decoded != nil else { throw .corrupt("the WebP data could not be decoded") }
        return RGBImage(uncheckedWidth: width, height: height, pixels: pixels)
    }

    static func encode(_ image: RGBImage, quality: Int) throws(ImageError) -> [UInt8] {
        var output: UnsafeMutablePointer<UInt8>? = nil
        let size = image.pixels.withUnsafeBufferPointer { source in
            WebPEncodeRGB(
                source.baseAddress, Int32(image.width), Int32(image.height), Int32(image.width * 3),
                Float(min(100, max(0, quality))), &output)
        }
        defer { if let output { WebPFree(output) } }
        guard size > 0, let output else { throw .encodeFailed("libwebp refused the image") }
        return Array(UnsafeBufferPointer(start: output, count: size))
    }
}
