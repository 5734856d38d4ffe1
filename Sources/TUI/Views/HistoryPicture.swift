import ComfyClient
import Foundation

/// The first image output of the run open in the history detail, at the detail's top right (wide screens only:
/// the text keeps the rest). Fetched as a thumbnail like any output.
enum HistoryPicture {
    static let minWidth = 100

    /// The picture's area inside the history body (nil: too narrow, or no detail open).
    static func area(_ body: Rect) -> Rect? {
        guard body.width >= minWidth, body.height >= 12 else { return nil }
        let width = min(40, body.width * 36 / 100)
        let height = min(body.height - 4, width / 2)
        return Rect(x: body.maxX - 1 - width, y: body.y + 1, width: width, height: height)
    }

    static func body(width: Int, height: Int) -> Rect {
        Rect(x: 0, y: 1, width: width, height: height - 1 - (height >= 12 ? 2 : 1))
    }

    static func image(_ app: AppState) -> (String, OutputFile)? {
        guard app.screen == .history, app.pictures.enabled, let record = app.history?.detail,
            let file = record.outputs.first(where: ImageViewer.isImage)
        else { return nil }
        return (record.promptID, file)
    }

    static func request(_ m: AppModel) -> PictureRequest? {
        guard m.app.overlay == .none, let (id, file) = image(m.app),
            let area = area(body(width: m.width, height: m.height))
        else { return nil }
        return PictureRequest(
            slot: .history, source: .output(promptID: id, file: file), columns: area.width, rows: area.height)
    }

    static func draw(_ c: inout Canvas, _ body: Rect, _ app: AppState) {
        guard app.overlay == .none, let (id, file) = image(app), let area = area(body) else { return }
        let wanted = PictureRequest(
            slot: .history, source: .output(promptID: id, file: file), columns: area.width, rows: area.height)
        c.fill(area)
        if let shown = app.pictures.picture(.history, for: wanted), shown.drawable {
            PreviewPane.place(&c, shown, in: area)
        }
    }
}
