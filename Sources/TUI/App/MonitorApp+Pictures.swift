import ComfyClient
import Foundation

extension MonitorApp {
    /// The picture worker of a screen: previews from the session, thumbnails through the disk cache, at the
    /// terminal's colour depth, answering through the inbox.
    func pictureWorker(_ terminal: any Terminal, server: String) -> PictureWorker {
        return PictureWorker(
            previews: session.previews, thumbnails: ThumbnailCache(directory: Paths().thumbnailDirectory),
            server: server, depth: (terminal as? CursesTerminal)?.depth ?? .c256, ascii: options.ascii,
            graphics: options.graphics,
            fetch: { [session] file in try await session.api.view(file, preview: ThumbnailCache.previewFormat) },
            post: { [inbox] in inbox.post($0) })
    }
}
