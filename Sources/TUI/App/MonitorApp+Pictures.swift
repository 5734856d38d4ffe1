import ComfyClient
import ComfyImages
import Foundation

extension MonitorApp {
    /// The picture worker of a screen: previews from the session, thumbnails through the disk cache, at the
    /// terminal's colour depth, answering through the inbox.
    func pictureWorker(_ terminal: any Terminal, server: String) -> PictureWorker {
        let worker = PictureWorker(
            previews: session.previews, thumbnails: ThumbnailCache(directory: Paths().thumbnailDirectory),
            server: server, depth: (terminal as? CursesTerminal)?.depth ?? .c256, ascii: options.ascii,
            graphics: options.graphics,
            fetch: { [session] file in try await session.api.view(file, preview: ThumbnailCache.previewFormat) },
            post: { [inbox] in inbox.post($0) })
        // `--images auto` with nothing in the environment: ask the terminal (its cell size and DA1) once the first
        // frame is up, and draw sixel from then on if it says so.
        if options.probeGraphics, let curses = terminal as? CursesTerminal {
            curses.askAfterFirstFrame(CursesTerminal.sixelQuery) { replies in
                if let choice = Self.sixel(replies) { worker.use(choice) }
            }
        }
        return worker
    }

    /// Sixel, when the terminal's answers allow it (DA1 with 4 and a cell size in pixels).
    static func sixel(_ replies: TerminalReplies, environment: [String: String] = ProcessInfo.processInfo.environment)
        -> GraphicsChoice?
    {
        let size = TerminalQuery.windowSize(STDOUT_FILENO)
        let choice = GraphicsSupport.choose(
            mode: .auto, environment: environment, replies: replies, windowPixels: size?.pixels,
            columns: size?.columns ?? 0, rows: size?.rows ?? 0)
        return choice.graphics == .sixel ? choice : nil
    }
}
