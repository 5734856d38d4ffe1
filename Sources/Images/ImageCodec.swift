/// The encoded formats the decoder knows, told apart by their first bytes.
public enum ImageFormat: String, Sendable, Equatable {
    case jpeg, png, webp

    /// The format of `bytes` by its signature, or nil.
    public static func sniff(_ bytes: [UInt8]) -> ImageFormat? {
        if bytes.count >= 3, bytes[0] == 0xFF, bytes[1] == 0xD8, bytes[2] == 0xFF { return .jpeg }
        if bytes.count >= 8, bytes[0..<8].elementsEqual([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) {
            return .png
        }
        if bytes.count >= 12, bytes[0..<4].elementsEqual(Array("RIFF".utf8)),
            bytes[8..<12].elementsEqual(Array("WEBP".utf8))
        {
            return .webp
        }
        return nil
    }

    public var mimeType: String {
        switch self {
        case .jpeg: return "image/jpeg"
        case .png: return "image/png"
        case .webp: return "image/webp"
        }
    }
}

/// Bytes to pixels and back, through libjpeg-turbo, libspng and libwebp. Every decoder reads the declared size
/// first and refuses it against `ImageLimits` before allocating.
public enum ImageCodec {
    /// Decodes a JPEG, PNG or WebP image to RGB (alpha is composited over black).
    public static func decode(_ bytes: [UInt8], limits: ImageLimits = .standard) throws(ImageError) -> RGBImage {
        guard !bytes.isEmpty else { throw .empty }
        guard bytes.count <= limits.maxBytes else { throw .tooManyBytes(count: bytes.count, limit: limits.maxBytes) }
        switch ImageFormat.sniff(bytes) {
        case .jpeg: return try JPEGCodec.decode(bytes, limits: limits)
        case .png: return try PNGCodec.decode(bytes, limits: limits)
        case .webp: return try WebPCodec.decode(bytes, limits: limits)
        case nil: throw .unknownFormat
        }
    }

    /// Decodes for a picture that will be shown at most `width`×`height` pixels: a JPEG is decoded at the smallest
    /// of libjpeg-turbo's DCT scales (1/8 … 1) still at least that large, which costs a fraction of a full decode
    /// (a 512² preview for an 80×40-cell pane needs 1/4 of it). Other formats decode at full size.
    public static func decode(
        _ bytes: [UInt8], atLeast width: Int, _ height: Int, limits: ImageLimits = .standard
    ) throws(ImageError) -> RGBImage {
        guard ImageFormat.sniff(bytes) == .jpeg else { return try decode(bytes, limits: limits) }
        guard !bytes.isEmpty else { throw .empty }
        guard bytes.count <= limits.maxBytes else { throw .tooManyBytes(count: bytes.count, limit: limits.maxBytes) }
        return try JPEGCodec.decode(bytes, limits: limits, atLeast: (max(1, width), max(1, height)))
    }

    /// The declared size of an encoded image, read from its header without decoding the pixels.
    public static func dimensions(of bytes: [UInt8]) throws(ImageError) -> (width: Int, height: Int) {
        switch ImageFormat.sniff(bytes) {
        case .jpeg: return try JPEGCodec.dimensions(bytes)
        case .png: return try PNGCodec.dimensions(bytes)
        case .webp: return try WebPCodec.dimensions(bytes)
        case nil: throw bytes.isEmpty ? .empty : .unknownFormat
        }
    }

    /// A baseline JPEG (4:2:0) at `quality` 1…100.
    public static func encodeJPEG(_ image: RGBImage, quality: Int = 90) throws(ImageError) -> [UInt8] {
        try JPEGCodec.encode(image, quality: quality)
    }

    /// An 8-bit RGB PNG; `text` becomes tEXt chunks (keyword, value), as ComfyUI's SaveImage writes its prompt.
    public static func encodePNG(_ image: RGBImage, text: [(String, String)] = []) throws(ImageError) -> [UInt8] {
        try PNGCodec.encode(image, text: text)
    }

    /// A lossy WebP at `quality` 0…100.
    public static func encodeWebP(_ image: RGBImage, quality: Int = 90) throws(ImageError) -> [UInt8] {
        try WebPCodec.encode(image, quality: quality)
    }
}
