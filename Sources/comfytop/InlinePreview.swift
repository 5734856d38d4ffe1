import ComfyClient
import ComfyImages
import Foundation

/// `submit --wait --preview`: the job's live preview drawn in symbols above the progress lines (stderr, a
/// terminal). Frames only replace the kept bytes; a picture is decoded and drawn when the progress is redrawn
/// (at most every 0.1 s), and only when a newer frame came, so a fast sampler costs one decode per drawn frame.
final class InlinePreview: @unchecked Sendable {
    private let lock = NSLock()
    private var bytes: [UInt8]?
    private var version = 0
    private var drawnVersion = -1
    private var drawnWidth = 0
    private var cached: [String] = []
    private let depth: PictureDepth
    private let symbols: SymbolSet

    init(environment: [String: String] = ProcessInfo.processInfo.environment, ascii: Bool) {
        depth = GraphicsSupport.symbolDepth(environment: environment, colors: PictureTerminal.colours(environment))
        symbols = ascii ? .ascii : .quadrant
    }

    /// A new frame: it replaces the one kept (never queued).
    func put(_ image: PreviewImage) {
        lock.withLock {
            bytes = image.bytes
            version += 1
        }
    }

    /// The picture's lines for a terminal `columns` wide and `rows` high (SGR colours, no cursor moves), or none
    /// before the first frame. Decodes only when a newer frame came or the width changed.
    func lines(columns: Int, rows: Int) -> [String] {
        let (frame, current) = lock.withLock { (bytes, version) }
        guard let frame else { return [] }
        let width = max(8, min(columns - 1, 64))
        if current == drawnVersion, width == drawnWidth { return cached }
        drawnVersion = current
        drawnWidth = width
        guard let image = try? ImageCodec.decode(frame) else { return cached }
        let picture = SymbolRenderer.renderFitted(
            image, maxColumns: width, maxRows: max(4, min(16, rows / 2)),
            options: SymbolOptions(depth: depth, symbols: symbols))
        cached = picture.ansiText().split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init)
        return cached
    }
}
