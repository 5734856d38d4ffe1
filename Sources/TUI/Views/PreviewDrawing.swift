import ComfyClient
import ComfyImages
import Foundation

/// The preview pane's drawing of one frame, as a function: what the picture worker makes of a preview's bytes
/// (`PictureWorker.render`) placed as the pane places it (`PreviewPane.place`). B9 (`comfybench preview-draw`)
/// measures the monitor through this, so the figure is the monitor's own path, not a copy of it.
public enum PreviewDrawing {
    /// Renders preview `bytes` for `area` at `depth` and centres it there on `canvas`; false: nothing drawn.
    @discardableResult
    public static func draw(_ bytes: [UInt8], on canvas: inout Canvas, in area: Rect, depth: ColorDepth) -> Bool {
        let request = PictureRequest(
            slot: .pane, source: .preview(promptID: "", seq: 0), columns: area.width, rows: area.height)
        let shown = PictureWorker.render(bytes, request, depth: depth, symbols: .quadrant)
        guard shown.drawable else { return false }
        PreviewPane.place(&canvas, shown, in: area)
        return true
    }
}
