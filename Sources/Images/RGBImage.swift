/// An image as 8-bit RGB pixels, row after row, three bytes a pixel, no padding.
public struct RGBImage: Sendable, Equatable {
    public let width: Int
    public let height: Int
    /// `width * height * 3` bytes.
    public var pixels: [UInt8]

    /// An image of the given pixels; nil when the byte count does not match the size.
    public init?(width: Int, height: Int, pixels: [UInt8]) {
        guard width > 0, height > 0, width.multipliedReportingOverflow(by: height).overflow == false,
            pixels.count == width * height * 3
        else { return nil }
        self.width = width
        self.height = height
        self.pixels = pixels
    }

    /// An image whose pixels come from `pixel(x, y)`.
    public init(width: Int, height: Int, pixel: (Int, Int) -> (UInt8, UInt8, UInt8)) {
        self.width = max(1, width)
        self.height = max(1, height)
        var bytes = [UInt8](repeating: 0, count: self.width * self.height * 3)
        var i = 0
        for y in 0..<self.height {
            for x in 0..<self.width {
                let (r, g, b) = pixel(x, y)
                bytes[i] = r
                bytes[i + 1] = g
                bytes[i + 2] = b
                i += 3
            }
        }
        self.pixels = bytes
    }

    /// The pixel at (x, y), clamped to the image.
    public func pixel(_ x: Int, _ y: Int) -> (UInt8, UInt8, UInt8) {
        let cx = min(max(x, 0), width - 1), cy = min(max(y, 0), height - 1)
        let i = (cy * width + cx) * 3
        return (pixels[i], pixels[i + 1], pixels[i + 2])
    }

    /// The image scaled to `width`×`height` with a box (area-average) filter: every source pixel counts in
    /// proportion to the area it covers, so downscaling does not alias and upscaling repeats pixels.
    public func resized(width newWidth: Int, height newHeight: Int) -> RGBImage {
        let w = max(1, newWidth), h = max(1, newHeight)
        if w == width && h == height { return self }
        let xSpans = Self.spans(from: width, to: w)
        let ySpans = Self.spans(from: height, to: h)
        var out = [UInt8](repeating: 0, count: w * h * 3)
        var row = [Double](repeating: 0, count: width * 3)
        for oy in 0..<h {
            for i in row.indices { row[i] = 0 }
            var rowWeight = 0.0
            for (sy, wy) in ySpans[oy] {
                rowWeight += wy
                let base = sy * width * 3
                for i in 0..<(width * 3) { row[i] += Double(pixels[base + i]) * wy }
            }
            for ox in 0..<w {
                var r = 0.0, g = 0.0, b = 0.0, weight = 0.0
                for (sx, wx) in xSpans[ox] {
                    r += row[sx * 3] * wx
                    g += row[sx * 3 + 1] * wx
                    b += row[sx * 3 + 2] * wx
                    weight += wx
                }
                let total = max(weight * rowWeight, 1e-9)
                let o = (oy * w + ox) * 3
                out[o] = Self.byte(r / total)
                out[o + 1] = Self.byte(g / total)
                out[o + 2] = Self.byte(b / total)
            }
        }
        return RGBImage(uncheckedWidth: w, height: h, pixels: out)
    }

    /// The image scaled to fit inside `maxWidth`×`maxHeight`, keeping its aspect ratio (never larger than the box).
    public func fitted(maxWidth: Int, maxHeight: Int) -> RGBImage {
        let scale = min(Double(max(1, maxWidth)) / Double(width), Double(max(1, maxHeight)) / Double(height))
        let w = max(1, Int((Double(width) * scale).rounded()))
        let h = max(1, Int((Double(height) * scale).rounded()))
        return resized(width: min(w, maxWidth), height: min(h, maxHeight))
    }

    init(uncheckedWidth width: Int, height: Int, pixels: [UInt8]) {
        self.width = width
        self.height = height
        self.pixels = pixels
    }

    private static func byte(_ v: Double) -> UInt8 { UInt8(max(0, min(255, v.rounded()))) }

    /// For each output index, the source indices it covers and the fraction of each.
    private static func spans(from source: Int, to target: Int) -> [[(Int, Double)]] {
        let scale = Double(source) / Double(target)
        return (0..<target).map { o in
            let start = Double(o) * scale, end = Double(o + 1) * scale
            var list: [(Int, Double)] = []
            var s = Int(start.rounded(.down))
            while Double(s) < end && s < source {
                let covered = min(end, Double(s + 1)) - max(start, Double(s))
                if covered > 1e-9 { list.append((s, covered)) }
                s += 1
            }
            if list.isEmpty { list.append((min(source - 1, Int(start)), 1)) }
            return list
        }
    }
}

/// What a decoder accepts before it allocates: a hostile or broken server must not make us reserve gigabytes.
public struct ImageLimits: Sendable, Equatable {
    public var maxSide: Int
    public var maxPixels: Int
    /// The encoded input, in bytes.
    public var maxBytes: Int

    public init(maxSide: Int, maxPixels: Int, maxBytes: Int) {
        self.maxSide = maxSide
        self.maxPixels = maxPixels
        self.maxBytes = maxBytes
    }

    /// 16384 px a side, 64 Mpx (192 MB decoded), 64 MiB encoded: larger than any ComfyUI output we know of.
    public static let standard = ImageLimits(maxSide: 16384, maxPixels: 64 * 1024 * 1024, maxBytes: 64 << 20)

    func check(width: Int, height: Int) throws(ImageError) {
        guard width > 0, height > 0 else { throw .corrupt("the image declares a size of \(width)×\(height)") }
        guard width <= maxSide, height <= maxSide, width * height <= maxPixels else {
            throw .tooLarge(width: width, height: height, limit: self)
        }
    }
}

/// Why bytes could not become a picture, or a picture bytes.
public enum ImageError: Error, Equatable, Sendable, CustomStringConvertible {
    case empty
    case unknownFormat
    case tooLarge(width: Int, height: Int, limit: ImageLimits)
    case tooManyBytes(count: Int, limit: Int)
    case corrupt(String)
    case encodeFailed(String)

    public var description: String {
        switch self {
        case .empty: return "the image is empty (0 bytes)"
        case .unknownFormat: return "not a JPEG, PNG or WebP image"
        case .tooLarge(let w, let h, let limit):
            return "the image declares \(w)×\(h) pixels, over the limit (\(limit.maxSide) a side, "
                + "\(limit.maxPixels / 1_048_576) Mpx): refused"
        case .tooManyBytes(let count, let limit): return "the image is \(count) bytes, over the limit of \(limit)"
        case .corrupt(let why): return "the image is damaged: \(why)"
        case .encodeFailed(let why): return "could not encode the image: \(why)"
        }
    }
}
