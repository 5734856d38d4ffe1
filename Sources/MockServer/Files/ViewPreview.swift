import ComfyImages

/// `GET /view?…&preview=<fmt>[;<quality>]`: the file re-encoded, as ComfyUI's `view_image` does with Pillow. It
/// does not resize (a 1024² output comes back 1024² in fewer bytes); `fmt` is `jpeg` or `webp`, anything else (or a
/// `channel` containing `a`) gives webp; the quality defaults to 90. The Content-Disposition stays the file's.
enum ViewPreview {
    static func apply(_ preview: String?, channel: String?, to response: MockResponse) -> MockResponse {
        guard let preview, response.status == 200 else { return response }
        let parts = preview.split(separator: ";", omittingEmptySubsequences: false).map(String.init)
        var format = parts.first ?? ""
        if !["webp", "jpeg"].contains(format) || (channel ?? "").contains("a") { format = "webp" }
        var quality = 90
        if let last = parts.last, !last.isEmpty, last.allSatisfy(\.isASCII), let q = Int(last), q >= 0 {
            quality = min(q, 100)
        }
        do {
            let image = try ImageCodec.decode(response.body)
            let body =
                format == "jpeg"
                ? try ImageCodec.encodeJPEG(image, quality: max(1, quality))
                : try ImageCodec.encodeWebP(image, quality: quality)
            var out = response
            out.body = body
            out.contentType = "image/\(format)"
            return out
        } catch {
            // Pillow cannot open it: the handler raises and aiohttp answers 500.
            return .serverError
        }
    }
}
