import CNCurses

/// A picture on the canvas with the pair of each of its cells for this frame.
struct PairedPicture {
    var placed: CanvasPicture
    var pairs: [Int32]
}

extension CursesTerminal {
    /// The pictures of `canvas` with their cells' pairs (none in mono: the characters alone draw them), defining
    /// the pairs this frame needs.
    func picturePairs(_ canvas: Canvas) -> [PairedPicture] {
        guard !canvas.pictures.isEmpty else { return [] }
        guard depth != .mono else {
            return canvas.pictures.map {
                PairedPicture(placed: $0, pairs: Array(repeating: 0, count: $0.picture.width * $0.picture.height))
            }
        }
        if picturePool == nil {
            let limit = min(Int32(ct_color_pairs()), 32767)
            picturePool = PicturePairPool(base: limit > 1024 ? 512 : max(1, limit / 2), limit: limit)
        }
        picturePool?.beginFrame()
        return canvas.pictures.map { placed in
            let pairs =
                picturePool?.pairs(of: placed.picture) { pair, fg, bg in init_extended_pair(pair, fg, bg) != ct_err() }
            return PairedPicture(placed: placed, pairs: pairs ?? [])
        }
    }

    /// Writes row `y` into curses' window, each cell once: the text in its styles' attributes and pairs, a
    /// picture's cells in their own pairs. Curses cells go in directly (`wadd_wchnstr`): no string to build, no
    /// UTF-8 for curses to decode, and combining marks ride in the cell.
    func writeRow(_ canvas: Canvas, _ y: Int, pictures: [PairedPicture]) {
        let width = canvas.width
        let lastRow = y == canvas.height - 1
        var spans: [(x: Int, end: Int, picture: Int)] = []
        for (k, p) in pictures.enumerated() where (p.placed.y..<p.placed.y + p.placed.picture.height).contains(y) {
            spans.append((p.placed.x, p.placed.x + p.placed.picture.width, k))
        }
        spans.sort { $0.x < $1.x }
        var buffer: [cchar_t] = []
        buffer.reserveCapacity(width)
        var x = 0
        var lastStyle: Style?
        var look: (attributes: attr_t, pair: Int32) = (ct_a_normal(), 0)
        // Text from x up to `end`, then the next picture's cells.
        func flushText(upTo end: Int) {
            guard x < end else { return }
            let start = x
            buffer.removeAll(keepingCapacity: true)
            while x < end {
                let index = y * width + x
                let cell = canvas.cells[index]
                x += 1
                // The right half of a wide character: curses fills it from the left half.
                if cell.code == 0 { continue }
                if cell.style != lastStyle {
                    look = cellLook(cell.style)
                    lastStyle = cell.style
                }
                buffer.append(Self.cell(cell.code, canvas.marks(at: index), look.attributes, look.pair))
            }
            // The bottom-right cell cannot be written without scrolling on some terminals: a blank is left alone.
            if lastRow, x == width, buffer.last.map({ $0.chars.0 == 0x20 }) == true { buffer.removeLast() }
            put(buffer, y, start)
        }
        for span in spans where span.x >= x {
            flushText(upTo: span.x)
            let p = pictures[span.picture]
            let row = y - p.placed.y
            let picture = p.placed.picture
            buffer.removeAll(keepingCapacity: true)
            for col in 0..<picture.width {
                let i = row * picture.width + col
                let code = picture.codes[i]
                var c = Self.cell(code == 0 ? 0x20 : code, nil, ct_a_normal(), i < p.pairs.count ? p.pairs[i] : 0)
                // Combining marks (kitty's placeholders number rows and columns with them) ride in the cell.
                if !picture.marks.isEmpty, picture.marks[i] != 0 {
                    c.chars.1 = wchar_t(bitPattern: UInt32(truncatingIfNeeded: picture.marks[i]))
                    c.chars.2 = wchar_t(bitPattern: UInt32(truncatingIfNeeded: picture.marks[i] >> 32))
                }
                buffer.append(c)
            }
            // As for text: the bottom-right cell is left alone.
            if lastRow, span.end == width { buffer.removeLast() }
            put(buffer, y, span.x)
            x = span.end
        }
        flushText(upTo: width)
    }

    private func put(_ cells: [cchar_t], _ y: Int, _ x: Int) {
        guard !cells.isEmpty, wmove(ct_stdscr(), Int32(y), Int32(x)) != ct_err() else { return }
        _ = cells.withUnsafeBufferPointer { wadd_wchnstr(ct_stdscr(), $0.baseAddress, Int32($0.count)) }
    }

    /// A curses cell: a character (a control shown as `?`: curses would expand it), up to four combining marks,
    /// attributes and a pair (the attribute's pair field holds at most 255; the extended field holds it whole).
    static func cell(_ code: UInt32, _ marks: String?, _ attributes: attr_t, _ pair: Int32) -> cchar_t {
        var c = cchar_t()
        let safe = code < 0x20 || (0x7F..<0xA0).contains(code) ? 0x3F : code
        c.attr = attributes | ct_color_pair(min(pair, 255))
        c.ext_color = pair
        c.chars.0 = wchar_t(bitPattern: safe)
        if let marks {
            var extra = marks.unicodeScalars.makeIterator()
            if let m = extra.next() { c.chars.1 = wchar_t(bitPattern: m.value) }
            if let m = extra.next() { c.chars.2 = wchar_t(bitPattern: m.value) }
            if let m = extra.next() { c.chars.3 = wchar_t(bitPattern: m.value) }
        }
        return c
    }
}
