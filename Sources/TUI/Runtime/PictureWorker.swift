import ComfyClient
import ComfyImages
import Foundation

/// Makes the screen's pictures off the UI thread: decodes (libjpeg-turbo, libspng) and draws into cells
/// (libchafa), answering with `.picture` through the inbox.
///
/// Coalescing: each slot holds at most one waiting request, and a newer one replaces it; one picture is made at
/// a time. A preview is decoded from the newest frame there is when its turn comes (`LivePreviews.latest`), so a
/// fast sampler's frames are skipped, never queued, and a picture is never older than what was asked for.
final class PictureWorker: @unchecked Sendable {
    private let lock = NSLock()
    private var pending: [PictureSlot: PictureRequest] = [:]
    private var running = false
    private let previews: LivePreviews
    private let thumbnails: ThumbnailCache?
    private let fetch: @Sendable (OutputFile) async throws -> [UInt8]
    private let server: String
    private let depth: ColorDepth
    private let symbols: SymbolSet
    private let post: @Sendable (Msg) -> Void
    /// A graphics protocol to draw with (kitty direct, iTerm2, sixel); nil: symbols through curses. It may be
    /// chosen late (`use`), when the terminal has answered the question put after the first frame.
    private var graphics: GraphicsChoice?
    /// Pictures made so far (for tests and `--log`).
    private(set) var made = 0

    init(
        previews: LivePreviews, thumbnails: ThumbnailCache?, server: String, depth: ColorDepth, ascii: Bool,
        graphics: GraphicsChoice? = nil, fetch: @escaping @Sendable (OutputFile) async throws -> [UInt8],
        post: @escaping @Sendable (Msg) -> Void
    ) {
        self.graphics = graphics
        self.previews = previews
        self.thumbnails = thumbnails
        self.server = server
        self.depth = depth
        self.symbols = ascii ? .ascii : .quadrant
        self.fetch = fetch
        self.post = post
    }

    /// Draws the next pictures with `choice` (the terminal reported sixel and its cell size).
    func use(_ choice: GraphicsChoice) { lock.withLock { graphics = choice } }

    func submit(_ request: PictureRequest) {
        let start = lock.withLock {
            pending[request.slot] = request
            if running { return false }
            running = true
            return true
        }
        guard start else { return }
        Task.detached(priority: .userInitiated) { [self] in
            while let next = take() {
                let version = lock.withLock {
                    made += 1
                    return made
                }
                let picture = await make(next, version: version)
                post(.picture(picture))
            }
        }
    }

    /// The next request, the viewer first (it covers the screen), then the preview pane, then the outputs pane.
    private func take() -> PictureRequest? {
        lock.withLock {
            for slot in [PictureSlot.viewer, .pane, .output, .history] {
                if let request = pending.removeValue(forKey: slot) { return request }
            }
            running = false
            return nil
        }
    }

    private func make(_ request: PictureRequest, version: Int) async -> RenderedPicture {
        var request = request
        let bytes: [UInt8]
        switch request.source {
        case .preview(let id, _):
            guard let frame = previews.latest(for: id) else {
                return RenderedPicture(request: request, picture: nil, failure: "the preview is gone")
            }
            // The frame drawn is the newest one: the answer says which.
            request.source = .preview(promptID: id, seq: frame.seq)
            bytes = frame.bytes
        case .output(let id, let file):
            do {
                if let thumbnails {
                    bytes = try await thumbnails.thumbnail(of: file, promptID: id, server: server, fetch: fetch)
                } else {
                    bytes = try await fetch(file)
                }
            } catch {
                return RenderedPicture(request: request, picture: nil, failure: Self.words(error))
            }
        }
        if let graphics = lock.withLock({ graphics }),
            !graphics.kittyPlaceholders || depth == .c256 || depth == .truecolor
        {
            return Self.encode(bytes, request, graphics: graphics, version: version, depth: depth)
        }
        return Self.render(bytes, request, depth: depth, symbols: symbols)
    }

    /// The kitty image id of each slot (a new picture in a slot replaces the last). Placeholder cells name their
    /// image by a 256-colour foreground, which curses draws: ids below 256 there.
    static func imageID(_ slot: PictureSlot, placeholders: Bool = false) -> UInt32 {
        let base: UInt32 = placeholders ? 200 : 7_100
        switch slot {
        case .pane: return base + 1
        case .output: return base + 2
        case .viewer: return base + 3
        case .history: return base + 4
        }
    }

    /// Kitty's Unicode placeholder cells for image `id` over `columns`×`rows` cells: U+10EEEE with the row's and
    /// the column's diacritic, in the id's colour (a palette index; on a direct-colour terminal the same number is
    /// RGB 0,0,id, which kitty reads as the same id) over the terminal's background.
    static func placeholderCells(imageID id: UInt32, columns: Int, rows: Int, depth: ColorDepth) -> CellPicture? {
        var marks: [UInt64] = []
        marks.reserveCapacity(columns * rows)
        for row in 0..<rows {
            for column in 0..<columns {
                let (r, c) = KittyGraphics.placeholderMarks(row: row, column: column)
                marks.append(UInt64(c) << 32 | UInt64(r))
            }
        }
        let n = columns * rows
        return CellPicture(
            width: columns, height: rows, depth: depth, codes: Array(repeating: KittyGraphics.placeholder, count: n),
            fg: Array(repeating: id, count: n), bg: Array(repeating: UInt32(bitPattern: -1), count: n), marks: marks)
    }

    /// Decodes and encodes bytes for a graphics protocol, fitted to the request's cells. Public to tests.
    static func encode(
        _ bytes: [UInt8], _ request: PictureRequest, graphics: GraphicsChoice, version: Int, depth: ColorDepth = .c256
    ) -> RenderedPicture {
        do {
            let image = try ImageCodec.decode(bytes)
            let size = PictureFit.cells(
                imageWidth: image.width, imageHeight: image.height, maxColumns: request.columns,
                maxRows: request.rows, cellAspect: PictureFit.cellAspect(graphics.cellSize))
            let id = imageID(request.slot, placeholders: graphics.graphics == .kitty && graphics.kittyPlaceholders)
            guard
                let frame = try GraphicsEncoder.encode(
                    image, choice: graphics, columns: size.columns, rows: size.rows, imageID: id)
            else { return RenderedPicture(request: request, picture: nil, failure: "no graphics protocol") }
            let graphic = CanvasGraphic(
                x: 0, y: 0, columns: frame.columns, rows: frame.rows, imageID: id, version: version,
                bytes: frame.bytes, removal: GraphicsEncoder.remove(choice: graphics, imageID: id))
            // Placeholders: the image is transmitted (the graphic) and shown where its placeholder cells are drawn
            // as text (the picture), which tmux moves and clips like any text.
            let cells = frame.placeholderImageID.flatMap {
                placeholderCells(imageID: $0, columns: frame.columns, rows: frame.rows, depth: depth)
            }
            return RenderedPicture(request: request, picture: cells, graphic: graphic)
        } catch {
            return RenderedPicture(request: request, picture: nil, failure: error.description)
        }
    }

    /// Decodes and draws bytes into a picture fitted to the request's cells. Pure; public to tests.
    static func render(_ bytes: [UInt8], _ request: PictureRequest, depth: ColorDepth, symbols: SymbolSet)
        -> RenderedPicture
    {
        // A live preview is redrawn many times a second: decoded at the DCT scale the cells need and drawn in
        // half blocks (ComfyImages' fast path, the one B9 measures). Stills (outputs) get libchafa's symbol search.
        let live: Bool
        if case .preview = request.source { live = symbols != .ascii } else { live = false }
        let drawn: SymbolPicture
        do {
            let size = try ImageCodec.dimensions(of: bytes)
            let fit = PictureFit.cells(
                imageWidth: size.width, imageHeight: size.height, maxColumns: request.columns, maxRows: request.rows)
            let image =
                live
                ? try ImageCodec.decode(bytes, atLeast: fit.columns, fit.rows * 2) : try ImageCodec.decode(bytes)
            drawn = SymbolRenderer.render(
                image, columns: fit.columns, rows: fit.rows,
                options: SymbolOptions(depth: pictureDepth(depth), symbols: symbols, fast: live))
        } catch {
            return RenderedPicture(request: request, picture: nil, failure: error.description)
        }
        return RenderedPicture(request: request, picture: cells(drawn, depth: depth))
    }

    static func pictureDepth(_ depth: ColorDepth) -> PictureDepth {
        switch depth {
        case .truecolor: return .truecolor
        case .c256: return .colors256
        case .c16: return .colors16
        case .c8: return .colors8
        case .mono: return .mono
        }
    }

    /// The renderer's cells as the canvas keeps them: colours as curses takes them (packed RGB, a palette index,
    /// or -1 for the terminal's own).
    static func cells(_ p: SymbolPicture, depth: ColorDepth) -> CellPicture? {
        func value(_ color: PictureColor) -> UInt32 {
            switch color {
            case .rgb(let r, let g, let b): return UInt32(r) << 16 | UInt32(g) << 8 | UInt32(b)
            case .palette(let i): return UInt32(i)
            case .terminalForeground, .terminalBackground: return UInt32(bitPattern: -1)
            }
        }
        return CellPicture(
            width: p.columns, height: p.rows, depth: depth, codes: p.cells.map(\.character.value),
            fg: p.cells.map { value($0.foreground) }, bg: p.cells.map { value($0.background) })
    }

    static func words(_ error: any Error) -> String {
        if let error = error as? ComfyError { return error.description }
        return String(describing: error)
    }
}
