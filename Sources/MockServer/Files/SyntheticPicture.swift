import ComfyImages
import ComfyJSON
import Foundation

/// The mock's generated picture: a landscape at dusk drawn from the seed (sky, sun, three mountain ridges, a lake
/// with their reflection), and the previews of a sampler forming it out of noise step by step. Deterministic:
/// the same seed and size always give the same pixels.
enum SyntheticPicture {
    /// The finished picture.
    static func scene(seed: Int, width: Int, height: Int) -> RGBImage {
        let w = max(1, min(width, 4096)), h = max(1, min(height, 4096))
        var random = SplitMix(seed: UInt64(truncatingIfNeeded: seed))
        let palettes: [(top: RGB, horizon: RGB, sun: RGB, far: RGB, near: RGB)] = [
            (RGB(28, 32, 92), RGB(250, 140, 90), RGB(255, 226, 150), RGB(122, 84, 130), RGB(32, 26, 52)),
            (RGB(18, 60, 130), RGB(150, 210, 240), RGB(255, 250, 220), RGB(84, 120, 150), RGB(30, 62, 60)),
            (RGB(60, 20, 70), RGB(240, 100, 120), RGB(255, 200, 120), RGB(140, 60, 100), RGB(40, 18, 40)),
            (RGB(10, 16, 40), RGB(60, 90, 150), RGB(230, 236, 255), RGB(40, 56, 96), RGB(12, 18, 34)),
            (RGB(40, 90, 150), RGB(255, 196, 110), RGB(255, 240, 190), RGB(150, 110, 90), RGB(50, 60, 40)),
        ]
        let palette = palettes[Int(random.next() % UInt64(palettes.count))]
        let sunX = 0.2 + 0.6 * random.unit(), sunY = 0.22 + 0.2 * random.unit(), sunR = 0.035 + 0.03 * random.unit()
        let water = 0.68 + 0.08 * random.unit()
        let ridges: [Ridge] = (0..<3).map { layer in
            let offset: Double = 0.1 * Double(2 - layer) + 0.06 * random.unit()
            let base: Double = water - 0.05 - offset
            var waves: [(amplitude: Double, frequency: Double, phase: Double)] = []
            for k in 0..<4 {
                let n = Double(k + 1)
                let amplitude: Double = 0.06 / n * (0.6 + random.unit())
                let frequency: Double = n * (2 + 3 * random.unit())
                let phase: Double = random.unit() * 6.283
                waves.append((amplitude, frequency, phase))
            }
            return Ridge(base: base, waves: waves, color: palette.far.mix(palette.near, Double(layer) / 2))
        }
        return RGBImage(width: w, height: h) { px, py in
            let x = (Double(px) + 0.5) / Double(w), y = (Double(py) + 0.5) / Double(h)
            if y < water {
                return land(x: x, y: y, palette: palette, sun: (sunX, sunY, sunR), ridges: ridges, water: water).bytes
            }
            // The lake: the scene mirrored about the waterline, rippled and darkened toward the shore.
            let depth = (y - water) / (1 - water)
            let ripple = 0.004 * sin(y * 420 + sin(x * 30) * 2)
            let mirrored = water - (y - water) * 0.9
            let reflection = land(
                x: min(1, max(0, x + ripple)), y: mirrored, palette: palette, sun: (sunX, sunY, sunR), ridges: ridges,
                water: water)
            return reflection.mix(palette.near, 0.25 + 0.45 * depth).bytes
        }
    }

    /// The sampler's preview after `step` of `total` steps: seeded colour noise giving way to a blurred picture
    /// that sharpens into the scene, so the distance to the finished picture falls step after step.
    static func preview(final: RGBImage, blurred: RGBImage, noise: RGBImage, step: Int, of total: Int) -> RGBImage {
        let t = Double(max(0, min(step, total))) / Double(max(1, total))
        let signal = pow(t, 0.5), sharp = t * t
        var pixels = [UInt8](repeating: 0, count: final.pixels.count)
        for i in pixels.indices {
            let structure = Double(blurred.pixels[i]) + sharp * (Double(final.pixels[i]) - Double(blurred.pixels[i]))
            let value = Double(noise.pixels[i]) + signal * (structure - Double(noise.pixels[i]))
            pixels[i] = UInt8(max(0, min(255, value.rounded())))
        }
        return RGBImage(width: final.width, height: final.height, pixels: pixels) ?? final
    }

    /// What a sampler's steps are drawn from, at latent resolution (an eighth of the picture's, as latent2rgb
    /// previews are): the finished picture, a coarse version of it, and the seed's noise. Each preview is then
    /// enlarged to `previewSide` on its long side, as ComfyUI enlarges latent previews to `--preview-size`.
    struct Frames: Sendable {
        let final: RGBImage
        let blurred: RGBImage
        let noise: RGBImage
        let width: Int
        let height: Int

        init(seed: Int, width: Int, height: Int, previewSide: Int = 256) {
            let long = Double(max(width, height, 1))
            self.width = max(8, Int(Double(width) / long * Double(previewSide)))
            self.height = max(8, Int(Double(height) / long * Double(previewSide)))
            let w = max(4, width / 8), h = max(4, height / 8)
            final = SyntheticPicture.scene(seed: seed, width: width, height: height).resized(width: w, height: h)
            blurred = SyntheticPicture.bilinear(final.resized(width: max(2, w / 8), height: max(2, h / 8)), w, h)
            var random = SplitMix(seed: UInt64(truncatingIfNeeded: seed) ^ 0x9E37_79B9_7F4A_7C15)
            // Latent-like noise: blobs of colour over grain.
            let blobs = RGBImage(width: max(2, w / 6), height: max(2, h / 6)) { _, _ in
                (UInt8(40 + random.next() % 176), UInt8(40 + random.next() % 176), UInt8(40 + random.next() % 176))
            }
            let coarse = SyntheticPicture.bilinear(blobs, w, h)
            noise = RGBImage(width: w, height: h) { x, y in
                let (r, g, b) = coarse.pixel(x, y)
                let grain = Int(random.next() % 64) - 32
                return (clamp(Int(r) + grain), clamp(Int(g) + grain), clamp(Int(b) + grain))
            }
        }

        /// The JPEG (quality 90) a sampler sends after `step` of `total`.
        func jpeg(step: Int, of total: Int) -> [UInt8] {
            let small = SyntheticPicture.preview(final: final, blurred: blurred, noise: noise, step: step, of: total)
            return (try? ImageCodec.encodeJPEG(SyntheticPicture.bilinear(small, width, height), quality: 90)) ?? []
        }
    }

    /// The PNG a save node writes for a scene.
    static func png(seed: Int, width: Int, height: Int) -> [UInt8] {
        (try? ImageCodec.encodePNG(scene(seed: seed, width: min(width, 2048), height: min(height, 2048)))) ?? []
    }

    /// `image` enlarged to `width`×`height` with bilinear interpolation (smooth blobs, not blocks).
    static func bilinear(_ image: RGBImage, _ width: Int, _ height: Int) -> RGBImage {
        RGBImage(width: width, height: height) { x, y in
            let fx = max(0, (Double(x) + 0.5) * Double(image.width) / Double(width) - 0.5)
            let fy = max(0, (Double(y) + 0.5) * Double(image.height) / Double(height) - 0.5)
            let x0 = Int(fx), y0 = Int(fy), tx = fx - Double(x0), ty = fy - Double(y0)
            let a = image.pixel(x0, y0), b = image.pixel(x0 + 1, y0)
            let c = image.pixel(x0, y0 + 1), d = image.pixel(x0 + 1, y0 + 1)
            func lerp(_ p: UInt8, _ q: UInt8, _ r: UInt8, _ s: UInt8) -> UInt8 {
                let top = Double(p) + (Double(q) - Double(p)) * tx
                let bottom = Double(r) + (Double(s) - Double(r)) * tx
                return UInt8(max(0, min(255, (top + (bottom - top) * ty).rounded())))
            }
            return (lerp(a.0, b.0, c.0, d.0), lerp(a.1, b.1, c.1, d.1), lerp(a.2, b.2, c.2, d.2))
        }
    }

    private struct Ridge {
        let base: Double
        let waves: [(amplitude: Double, frequency: Double, phase: Double)]
        let color: RGB

        func height(_ x: Double) -> Double {
            waves.reduce(base) { $0 - $1.amplitude * (0.5 + 0.5 * sin($1.frequency * x * 6.283 + $1.phase)) }
        }
    }

    private static func land(
        x: Double, y: Double, palette: (top: RGB, horizon: RGB, sun: RGB, far: RGB, near: RGB),
        sun: (Double, Double, Double), ridges: [Ridge], water: Double
    ) -> RGB {
        for ridge in ridges.reversed() where y >= ridge.height(x) {
            // Nearer ridges are darker (the haze of distance is in their colour); each darkens toward its foot,
            // with a lit rim along the crest on the sun's side.
            let crest = ridge.height(x)
            let rim = y - crest < 0.006 ? max(0, 0.5 - abs(x - sun.0)) : 0
            return ridge.color.mix(palette.near, min(0.6, (y - crest) * 1.2)).mix(palette.sun, rim)
        }
        let sky = palette.top.mix(palette.horizon, pow(min(1, y / water), 1.6))
        let dx = x - sun.0, dy = (y - sun.1) * 0.75
        let distance = (dx * dx + dy * dy).squareRoot()
        if distance < sun.2 { return palette.sun }
        let glow = max(0, 1 - (distance - sun.2) / (sun.2 * 5))
        return sky.mix(palette.sun, glow * glow * 0.6)
    }

    private static func clamp(_ v: Int) -> UInt8 { UInt8(max(0, min(255, v))) }
}

/// A colour with arithmetic in Double.
struct RGB: Sendable {
    let r: Double, g: Double, b: Double
    init(_ r: Double, _ g: Double, _ b: Double) {
        self.r = r
        self.g = g
        self.b = b
    }

    func mix(_ other: RGB, _ t: Double) -> RGB {
        let t = max(0, min(1, t))
        return RGB(r + (other.r - r) * t, g + (other.g - g) * t, b + (other.b - b) * t)
    }

    var bytes: (UInt8, UInt8, UInt8) {
        (
            UInt8(max(0, min(255, r.rounded()))), UInt8(max(0, min(255, g.rounded()))),
            UInt8(max(0, min(255, b.rounded())))
        )
    }
}

/// SplitMix64: a small seeded generator (the same numbers on every platform and run).
struct SplitMix {
    private var state: UInt64
    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func unit() -> Double { Double(next() >> 11) / Double(1 << 53) }
}

extension MockEngine {
    /// What a sampling node hands on: the scene of its `seed`, the size of its upstream picture (512² when that
    /// has none, as an empty latent of SD 1.5), the upstream batch.
    func sceneSource(_ run: RunState, _ id: String) -> ImageSource {
        let seed = run.input(id, "seed")?.intValue ?? run.input(id, "noise_seed")?.intValue ?? 0
        switch upstreamSource(run, id) {
        case .solid(let w, let h, _, let batch)?: return .scene(seed: seed, width: w, height: h, batch: batch)
        case .scene(_, let w, let h, let batch)?: return .scene(seed: seed, width: w, height: h, batch: batch)
        case let other?: return .scene(seed: seed, width: 512, height: 512, batch: other.batch)
        case nil: return .scene(seed: seed, width: 512, height: 512, batch: 1)
        }
    }

    /// The preview frames of the scene a sampling node is forming.
    func sceneFrames(_ run: RunState, _ id: String) -> SyntheticPicture.Frames {
        guard case .scene(let seed, let w, let h, _) = sceneSource(run, id) else {
            return SyntheticPicture.Frames(seed: 0, width: 512, height: 512)
        }
        return SyntheticPicture.Frames(seed: seed, width: w, height: h)
    }
}

/// The mock's pictures for benchmarks and tools outside the module.
public enum MockPictures {
    /// The JPEG previews (quality 90) a sampler of `steps` steps sends for `seed`, `side` pixels square.
    public static func previewSequence(seed: Int, steps: Int, side: Int) -> [[UInt8]] {
        let frames = SyntheticPicture.Frames(seed: seed, width: side, height: side, previewSide: side)
        return (1...max(1, steps)).map { frames.jpeg(step: $0, of: steps) }
    }
}
