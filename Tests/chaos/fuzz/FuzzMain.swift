// The libFuzzer entry point of `make chaos`. Tests/chaos/fuzz.py compiles it together with copies of the decoders'
// sources (ComfyJSON, the client's Protocol folder, the TUI's theme parser) as one module, so nothing here needs a
// public API. COMFY_FUZZ picks the decoder: frame (WebSocket text), binary (WebSocket binary), history (the lazy
// /history reader) or theme (a btop-style theme file).
import Foundation

private let target = ProcessInfo.processInfo.environment["COMFY_FUZZ"] ?? "frame"

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    switch target {
    case "binary":
        _ = EventDecoder.decode(binary: bytes)
    case "history":
        if let items = try? HistoryItem.list(body: bytes) {
            // The lazy parts are read only when asked for: ask, as the screens do.
            for item in items {
                _ = item.queue?.prompt
                _ = item.queue?.extraData
                _ = (item.outcome, item.error, item.startedAt, item.endedAt, item.outputs.count)
            }
        }
    case "theme":
        _ = try? Theme.parse(String(decoding: bytes, as: UTF8.self), name: "fuzz")
    default:
        var decoder = FrameDecoder()
        _ = decoder.decode(bytes: bytes)
        _ = EventDecoder.decode(text: String(decoding: bytes, as: UTF8.self))
    }
    return 0
}
