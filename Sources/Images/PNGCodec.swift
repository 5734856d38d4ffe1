import CSpng

/// PNG through libspng.
enum PNGCodec {
    static func dimensions(_ bytes: [UInt8]) throws(ImageError) -> (width: Int, height: Int) {
        try withDecoder(bytes, limits: .standard, checkLimits: false) { ctx, ihdr in
            (Int(ihdr.width), Int(ihdr.height))
        }
    }

    static func decode(_ bytes: [UInt8], limits: ImageLimits) throws(ImageError) -> RGBImage {
        try withDecoder(bytes, limits: limits, checkLimits: true) { ctx, ihdr throws(ImageError) in
            let width = Int(ihdr.width), height = Int(ihdr.height)
            let format = Int32(SPNG_FMT_RGBA8.rawValue)
            var size = 0
            try check(spng_decoded_image_size(ctx, format, &size))
            guard size == width * height * 4 else { throw .corrupt("unexpected decoded size \(size)") }
            var rgba = [UInt8](repeating: 0, count: size)
            let status = rgba.withUnsafeMutableBytes { spng_decode_image(ctx, $0.baseAddress, size, format, 0) }
            try check(status)
            var rgb = [UInt8](repeating: 0, count: width * height * 3)
            var o = 0
            for i in stride(from: 0, to: size, by: 4) {
                let alpha = UInt32(rgba[i + 3])
                rgb[o] = UInt8(UInt32(rgba[i]) * alpha / 255)
                rgb[o + 1] = UInt8(UInt32(rgba[i + 1]) * alpha / 255)
                rgb[o + 2] = UInt8(UInt32(rgba[i + 2]) * alpha / 255)
                o += 3
            }
            return RGBImage(uncheckedWidth: width, height: height, pixels: rgb)
        }
    }

    static func encode(_ image: RGBImage, text: [(String, String)]) throws(ImageError) -> [UInt8] {
        guard let ctx = spng_ctx_new(Int32(SPNG_CTX_ENCODER.rawValue)) else {
            throw .encodeFailed("cannot start the PNG encoder")
        }
        defer { spng_ctx_free(ctx) }
        do {
            try check(spng_set_option(ctx, SPNG_ENCODE_TO_BUFFER, 1))
            var ihdr = spng_ihdr(
                width: UInt32(image.width), height: UInt32(image.height), bit_depth: 8,
                color_type: UInt8(SPNG_COLOR_TYPE_TRUECOLOR.rawValue), compression_method: 0, filter_method: 0,
                interlace_method: 0)
            try check(spng_set_ihdr(ctx, &ihdr))
            if !text.isEmpty { try setText(ctx, text) }
            let status = image.pixels.withUnsafeBytes { raw in
                spng_encode_image(
                    ctx, raw.baseAddress, raw.count, Int32(SPNG_FMT_PNG.rawValue), Int32(SPNG_ENCODE_FINALIZE.rawValue))
            }
            try check(status)
        } catch {
            throw .encodeFailed(error.description)
        }
        var size = 0
        var status: Int32 = 0
        guard let buffer = spng_get_png_buffer(ctx, &size, &status), status == 0 else {
            throw .encodeFailed(String(cString: spng_strerror(status)))
        }
        defer { free(buffer) }
        return Array(UnsafeRawBufferPointer(start: buffer, count: size))
    }

    private static func setText(_ ctx: OpaquePointer, _ text: [(String, String)]) throws(ImageError) {
        // spng keeps pointers to the values until the image is encoded: it copies them in spng_set_text.
        var values: [UnsafeMutablePointer<CChar>] = []
        defer { values.forEach { free($0) } }
        var chunks: [spng_text] = []
        for (keyword, value) in text {
            var chunk = spng_text()
            let key = Array(keyword.utf8.prefix(79))
            withUnsafeMutableBytes(of: &chunk.keyword) { raw in
                for (i, byte) in key.enumerated() { raw[i] = byte }
            }
            chunk.type = Int32(SPNG_TEXT.rawValue)
            guard let copy = strdup(value) else { throw .encodeFailed("out of memory") }
            values.append(copy)
            chunk.length = strlen(copy)
            chunk.text = copy
            chunks.append(chunk)
        }
        let status = chunks.withUnsafeMutableBufferPointer { spng_set_text(ctx, $0.baseAddress, UInt32($0.count)) }
        try check(status)
    }

    private static func withDecoder<T>(
        _ bytes: [UInt8], limits: ImageLimits, checkLimits: Bool,
        _ body: (OpaquePointer, spng_ihdr) throws(ImageError) -> T
    ) throws(ImageError) -> T {
        guard let ctx = spng_ctx_new(0) else { throw .corrupt("cannot start the PNG decoder") }
        defer { spng_ctx_free(ctx) }
        // Chunk and cache limits: a server's tEXt chunks (workflow JSON) may be large, not unbounded.
        spng_set_chunk_limits(ctx, 64 << 20, 128 << 20)
        var result: Result<T, ImageError> = .failure(.corrupt("unread"))
        bytes.withUnsafeBytes { raw in
            do throws(ImageError) {
                try check(spng_set_png_buffer(ctx, raw.baseAddress, raw.count))
                var ihdr = spng_ihdr()
                try check(spng_get_ihdr(ctx, &ihdr))
                if checkLimits { try limits.check(width: Int(ihdr.width), height: Int(ihdr.height)) }
                result = .success(try body(ctx, ihdr))
            } catch {
                result = .failure(error)
            }
        }
        return try result.get()
    }

    private static func check(_ status: Int32) throws(ImageError) {
        guard status == 0 else { throw .corrupt(String(cString: spng_strerror(status))) }
    }
}
