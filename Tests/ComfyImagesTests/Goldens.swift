import ComfyImages
import Foundation
import Testing

/// Golden files beside this source file. `RECORD_SNAPSHOTS=1 swift test --filter ComfyImagesTests` re-records them
/// (as the screen goldens do); a missing golden is recorded on the first run.
enum Goldens {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden")

    static func bytes(_ name: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: folder.appendingPathComponent(name)))
    }

    /// The recorded ComfyUI preview (binary type-1 frame of `a_normal_run`, 64×64 JPEG).
    static func fixtureJPEG() throws -> [UInt8] { try bytes("fixture-preview.jpg") }

    /// A test scene with edges, gradients and saturated colours: harder for symbols than the flat fixture.
    static func scene(width: Int = 192, height: Int = 128) -> RGBImage {
        RGBImage(width: width, height: height) { x, y in
            let fx = Double(x) / Double(width), fy = Double(y) / Double(height)
            let dx = fx - 0.68, dy = fy - 0.32
            if dx * dx * 2.25 + dy * dy < 0.018 { return (250, 210, 60) }  // a sun
            if fy > 0.62 + 0.08 * sin(fx * 9) { return (UInt8(30 + 60 * fx), UInt8(110 + 60 * (1 - fy)), 50) }  // hills
            return (UInt8(40 + 120 * fy), UInt8(80 + 100 * fy), UInt8(200 - 40 * fy))  // sky
        }
    }

    static func compare(_ actual: [UInt8], _ name: String) throws {
        let url = folder.appendingPathComponent(name)
        if ProcessInfo.processInfo.environment["RECORD_SNAPSHOTS"] != nil
            || !FileManager.default.fileExists(atPath: url.path)
        {
            try Data(actual).write(to: url)
            return
        }
        let expected = try bytes(name)
        #expect(actual == expected, "\(name) differs from its golden (RECORD_SNAPSHOTS=1 re-records)")
    }
}
