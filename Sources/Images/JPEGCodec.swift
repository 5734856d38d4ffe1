import CTurboJPEG

/// JPEG through libjpeg-turbo's TurboJPEG API.
enum JPEGCodec {
    static func dimensions(_ bytes: [UInt8]) throws(ImageError) -> (width: Int, height: Int) {
        guard let handle = tjInitDecompress() else { throw .corrupt("cannot start the JPEG decoder") }
        defer { tjDestroy(handle) }
        var width: Int32 = 0, height: Int32 = 0, subsampling: Int32 = 0, colorspace: Int32 = 0
        let status = bytes.withUnsafeBufferPointer { buffer in
            tjDecompressHeader3(
                handle, buffer.baseAddress, UInt(buffer.count), &width, &height, &subsampling, &colorspace)
        }
        guard status == 0 else { throw .corrupt(message(handle)) }
        return (Int(width), Int(height))
    }

    static func decode(_ bytes: [UInt8], limits: ImageLimits, atLeast target: (Int, Int)? = nil) throws(ImageError)
        -> RGBImage
    {
        guard let handle = tjInitDecompress() else { throw .corrupt("cannot start the JPEG decoder") }
        defer { tjDestroy(handle) }
        var w32: Int32 = 0, h32: Int32 = 0, subsampling: Int32 = 0, colorspace: Int32 = 0
        let header = bytes.withUnsafeBufferPointer { buffer in
            tjDecompressHeader3(handle, buffer.baseAddress, UInt(buffer.count), &w32, &h32, &subsampling, &colorspace)
        }
        guard header == 0 else { throw .corrupt(message(handle)) }
        let (fullWidth, fullHeight) = (Int(w32), Int(h32))
        try limits.check(width: fullWidth, height: fullHeight)
        var (width, height) = (fullWidth, fullHeight)
        if let target {
            // Scaling factors n/8, smallest first: the first whose output still covers the target.
            for n in 1...8 {
                let w = (fullWidth * n + 7) / 8, h = (fullHeight * n + 7) / 8
                if w >= target.0 && h >= target.1 || n == 8 {
                    (width, height) = (w, h)
                    break
                }
            }
        }
        var pixels = [UInt8](repeating: 0, count: width * height * 3)
        // Stop on warnings too: a truncated file is an error, not a picture with a grey bottom.
        let flags = Int32(TJFLAG_STOPONWARNING)
        let status = bytes.withUnsafeBufferPointer { source in
            pixels.withUnsafeMutableBufferPointer { target in
                tjDecompress2(
                    handle, source.baseAddress, UInt(source.count), target.baseAddress, Int32(width),
                    Int32(width * 3), Int32(height), Int32(TJPF_RGB.rawValue), flags)
            }
        }
        guard status == 0 else { throw .corrupt(message(handle)) }
        return RGBImage(uncheckedWidth: width, height: height, pixels: pixels)
    }

    static func encode(_ image: RGBImage, quality: Int) throws(ImageError) -> [UInt8] {
        guard let handle = tjInitCompress() else { throw .encodeFailed("cannot start the JPEG encoder") }
        defer { tjDestroy(handle) }
        var output: UnsafeMutablePointer<UInt8>? = nil
        var size: UInt = 0
        let status = image.pixels.withUnsafeBufferPointer { source in
            tjCompress2(
                handle, source.baseAddress, Int32(image.width), Int32(image.width * 3), Int32(image.height),
                Int32(TJPF_RGB.rawValue), &output, &size, Int32(TJSAMP_420.rawValue),
                Int32(min(100, max(1, quality))), 0)
        }
        defer { if let output { tjFree(output) } }
        guard status == 0, let output else { throw .encodeFailed(message(handle)) }
        return Array(UnsafeBufferPointer(start: output, count: Int(size)))
    }

    private static func message(_ handle: tjhandle) -> String {
        guard let text = tjGetErrorStr2(handle) else { return "unknown JPEG error" }
        return String(cString: text)
    }
}
