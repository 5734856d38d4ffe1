import CChafa

/// Sixel through libchafa's sixel pixel mode.
public enum SixelEncoder {
    /// The image as one sixel sequence (`ESC P … q … ESC \`) filling `columns`×`rows` cells of `cellSize` pixels
    /// (aspect kept by the caller's fit; the sixel is the cells' pixel size).
    public static func encode(_ image: RGBImage, columns: Int, rows: Int, cellSize: CellPixelSize) -> [UInt8] {
        let columns = max(1, columns), rows = max(1, rows)
        guard let config = chafa_canvas_config_new() else { return [] }
        defer { chafa_canvas_config_unref(config) }
        chafa_canvas_config_set_geometry(config, Int32(columns), Int32(rows))
        chafa_canvas_config_set_cell_geometry(config, Int32(max(1, cellSize.width)), Int32(max(1, cellSize.height)))
        chafa_canvas_config_set_pixel_mode(config, CHAFA_PIXEL_MODE_SIXELS)
        chafa_canvas_config_set_canvas_mode(config, CHAFA_CANVAS_MODE_TRUECOLOR)
        guard let canvas = chafa_canvas_new(config) else { return [] }
        defer { chafa_canvas_unref(canvas) }
        image.pixels.withUnsafeBufferPointer { pixels in
            chafa_canvas_draw_all_pixels(
                canvas, CHAFA_PIXEL_RGB8, pixels.baseAddress, Int32(image.width), Int32(image.height),
                Int32(image.width * 3))
        }
        guard let info = sixelTermInfo() else { return [] }
        defer { chafa_term_info_unref(info) }
        var text: UnsafeMutablePointer<CChar>? = nil
        let count = ct_chafa_take_string(chafa_canvas_print(canvas, info), &text)
        guard let text else { return [] }
        defer { free(text) }
        return text.withMemoryRebound(to: UInt8.self, capacity: count) {
            Array(UnsafeBufferPointer(start: $0, count: count))
        }
    }

    /// A terminal description whose sixel sequences are the standard ones (mlterm's entry in chafa's database).
    private static func sixelTermInfo() -> OpaquePointer? {
        guard let db = chafa_term_db_get_default() else { return nil }
        var term = Array("TERM=mlterm".utf8CString)
        return term.withUnsafeMutableBufferPointer { entry in
            var envp: [UnsafeMutablePointer<CChar>?] = [entry.baseAddress, nil]
            return envp.withUnsafeMutableBufferPointer { chafa_term_db_detect(db, $0.baseAddress) }
        }
    }
}
