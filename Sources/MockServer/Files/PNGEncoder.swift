import ComfyJSON
import Foundation

/// A minimal PNG writer (RGB, 8 bit, stored deflate blocks): enough to write real, valid image files
/// without an image library.
enum PNGEncoder {
    /// Encodes `width`×`height` pixels produced by `pixel(x, y) -> (r, g, b)`.
    static func encode(width: Int, height: Int, pixel: (Int, Int) -> (UInt8, UInt8, UInt8)) -> [UInt8] {
        var raw: [UInt8] = []
        raw.reserveCapacity((width * 3 + 1) * height)
        for y in 0..<height {
            raw.append(0)
            for x in 0..<width {
                let (r, g, b) = pixel(x, y)
                raw.append(contentsOf: [r, g, b])
            }
        }
        var png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        var header: [UInt8] = []
        header.append(contentsOf: bigEndian(UInt32(width)))
        header.append(contentsOf: bigEndian(UInt32(height)))
        header.append(contentsOf: [8, 2, 0, 0, 0])
        chunk("IHDR", header, into: &png)
        chunk("IDAT", zlibStored(raw), into: &png)
        chunk("IEND", [], into: &png)
        return png
    }

    /// A solid-colour image, as `EmptyImage` makes (`color` is 0xRRGGBB).
    static func solid(width: Int, height: Int, color: Int) -> [UInt8] {
        let r = UInt8((color >> 16) & 0xFF), g = UInt8((color >> 8) & 0xFF), b = UInt8(color & 0xFF)
        return encode(width: width, height: height) { _, _ in (r, g, b) }
    }

    /// The built-in sample picture: a soft diagonal gradient.
    static func sample(size: Int = 64) -> [UInt8] {
        encode(width: size, height: size) { x, y in
            (UInt8(40 + x * 180 / size), UInt8(60 + y * 150 / size), UInt8(200 - (x + y) * 80 / (2 * size)))
        }
    }

    private static func bigEndian(_ v: UInt32) -> [UInt8] {
        [UInt8(v >> 24 & 0xFF), UInt8(v >> 16 & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)]
    }

    private static func chunk(_ type: String, _ data: [UInt8], into png: inout [UInt8]) {
        let typeBytes = Array(type.utf8)
        png.append(contentsOf: bigEndian(UInt32(data.count)))
        png.append(contentsOf: typeBytes)
        png.append(contentsOf: data)
        png.append(contentsOf: bigEndian(crc32(typeBytes + data)))
    }

    private static func zlibStored(_ data: [UInt8]) -> [UInt8] {
        var out: [UInt8] = [0x78, 0x01]
        var offset = 0
        repeat {
            let size = min(65535, data.count - offset)
            let final: UInt8 = offset + size >= data.count ? 1 : 0
            out.append(final)
            out.append(UInt8(size & 0xFF))
            out.append(UInt8(size >> 8))
            out.append(UInt8(~size & 0xFF))
            out.append(UInt8((~size >> 8) & 0xFF))
            out.append(contentsOf: data[offset..<offset + size])
            offset += size
        } while offset < data.count
        var a: UInt32 = 1, b: UInt32 = 0
        for byte in data {
            a = (a + UInt32(byte)) % 65521
            b = (b + a) % 65521
        }
        out.append(contentsOf: bigEndian(b << 16 | a))
        return out
    }

    private static let crcTable: [UInt32] = (0..<256).map { n in
        var c = UInt32(n)
        for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        return c
    }

    static func crc32(_ data: [UInt8]) -> UInt32 {
        var c: UInt32 = 0xFFFF_FFFF
        for byte in data { c = crcTable[Int((c ^ UInt32(byte)) & 0xFF)] ^ (c >> 8) }
        return c ^ 0xFFFF_FFFF
    }
}
