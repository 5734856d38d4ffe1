/// Fitting a picture into terminal cells.
public enum PictureFit {
    /// The largest `columns`×`rows` inside `maxColumns`×`maxRows` that shows a `imageWidth`×`imageHeight` image
    /// without distortion, where a cell is `cellAspect` times as tall as it is wide (about 2 in most fonts; the
    /// terminal's cell size in pixels gives the exact value).
    public static func cells(
        imageWidth: Int, imageHeight: Int, maxColumns: Int, maxRows: Int, cellAspect: Double = 2.0
    ) -> (columns: Int, rows: Int) {
        let maxColumns = max(1, maxColumns), maxRows = max(1, maxRows)
        guard imageWidth > 0, imageHeight > 0, cellAspect > 0, cellAspect.isFinite else { return (maxColumns, maxRows) }
        // In units of a cell's width: the image is imageWidth wide and imageHeight tall; a row is cellAspect tall.
        let ratio = Double(imageWidth) / Double(imageHeight) * cellAspect  // columns per row
        var columns = Double(maxColumns)
        var rows = columns / ratio
        if rows > Double(maxRows) {
            rows = Double(maxRows)
            columns = rows * ratio
        }
        return (min(maxColumns, max(1, Int(columns.rounded()))), min(maxRows, max(1, Int(rows.rounded()))))
    }

    /// The cell aspect of a terminal whose cells are `width`×`height` pixels (2 when unknown).
    public static func cellAspect(_ size: CellPixelSize?) -> Double {
        guard let size, size.width > 0, size.height > 0 else { return 2.0 }
        return Double(size.height) / Double(size.width)
    }
}

/// The size of one terminal cell in pixels.
public struct CellPixelSize: Hashable, Sendable {
    public var width: Int
    public var height: Int

    public init(width: Int, height: Int) {
        self.width = width
        self.height = height
    }
}
