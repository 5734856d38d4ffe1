/// Colour pairs for pictures, from a pool above the theme's: (fg, bg) -> pair, and the frame each pair was last
/// drawn in. A pair is redefined only when no picture on the current canvas uses it (redefining a pair on screen
/// would recolour those cells); the least recently drawn goes first.
///
/// Lookups are per cell and per frame (3,200 cells for an 80×40 picture), so palette colours (both below 256, what
/// 256 colours draw with) are found in a flat table and the frames in an array: no hashing on the hot path.
struct PicturePairPool {
    /// The first pair of the pool and the end of the pool.
    let base: Int32
    let limit: Int32
    /// Palette pairs by `fg << 8 | bg`; 0: none.
    private var palette: [Int32]
    /// Other pairs (packed RGB, the terminal's own colours) by `fg << 32 | bg`.
    private var others: [UInt64: Int32] = [:]
    /// Per pair from `base`: its colours (`UInt64.max`: none yet) and the frame it was last drawn in.
    private var keys: [UInt64]
    private var stamps: [Int]
    private var next: Int32
    private var cursor: Int32
    private var frame = 0

    init(base: Int32, limit: Int32) {
        self.base = base
        self.limit = max(base, limit)
        let size = Int(self.limit - base)
        palette = Array(repeating: 0, count: 1 << 16)
        keys = Array(repeating: .max, count: size)
        stamps = Array(repeating: 0, count: size)
        next = base
        cursor = base
    }

    private func lookup(_ fg: UInt32, _ bg: UInt32) -> Int32 {
        if fg < 256, bg < 256 { return palette[Int(fg << 8 | bg)] }
        return others[UInt64(fg) << 32 | UInt64(bg)] ?? 0
    }

    private mutating func store(_ key: UInt64, _ pair: Int32) {
        let (fg, bg) = (key >> 32, key & 0xFFFF_FFFF)
        if fg < 256, bg < 256 { palette[Int(fg << 8 | bg)] = pair } else { others[key] = pair == 0 ? nil : pair }
    }

    /// The pair of each cell of `picture` (0: none could be had, the terminal's colours), defining the missing
    /// ones with `define(pair, fg, bg)` (false: curses refused). Call once per picture per frame, after
    /// `beginFrame`.
    mutating func pairs(of picture: CellPicture, define: (Int32, Int32, Int32) -> Bool) -> [Int32] {
        let n = picture.width * picture.height
        var result = [Int32](repeating: 0, count: n)
        var missing: [Int] = []
        picture.fg.withUnsafeBufferPointer { fg in
            picture.bg.withUnsafeBufferPointer { bg in
                for i in 0..<n {
                    let pair = lookup(fg[i], bg[i])
                    if pair == 0 {
                        missing.append(i)
                    } else {
                        result[i] = pair
                        stamps[Int(pair - base)] = frame
                    }
                }
            }
        }
        for i in missing {
            let (fg, bg) = (picture.fg[i], picture.bg[i])
            // An earlier cell of this frame may have defined it.
            var pair = lookup(fg, bg)
            if pair == 0 {
                guard let free = freePair() else { continue }
                if keys[Int(free - base)] != .max { store(keys[Int(free - base)], 0) }
                keys[Int(free - base)] = .max
                guard define(free, Int32(bitPattern: fg), Int32(bitPattern: bg)) else { continue }
                let key = UInt64(fg) << 32 | UInt64(bg)
                keys[Int(free - base)] = key
                store(key, free)
                pair = free
            }
            stamps[Int(pair - base)] = frame
            result[i] = pair
        }
        return result
    }

    /// Starts a frame: pairs drawn in earlier frames become free to redefine.
    mutating func beginFrame() { frame += 1 }

    /// A pair not used by this frame's pictures: a new one while the pool lasts, then the least recently drawn.
    private mutating func freePair() -> Int32? {
        if next < limit {
            defer { next += 1 }
            return next
        }
        guard limit > base else { return nil }
        for _ in 0..<limit - base {
            let pair = cursor
            cursor = cursor + 1 >= limit ? base : cursor + 1
            if stamps[Int(pair - base)] < frame { return pair }
        }
        return nil
    }
}
