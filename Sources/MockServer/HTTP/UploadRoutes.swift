import Hummingbird

/// `POST /upload/image` and `POST /upload/mask` (see `MockEngine.upload`).
enum UploadRoutes {
    static func register(on router: Router<MockContext>, prefix p: String, engine: MockEngine) {
        for (path, mask) in [("/upload/image", false), ("/upload/mask", true)] {
            router.post("\(p)\(path)") { request, _ in
                if await engine.consumeHTTP500() { return MockRoutes.response(.serverError) }
                let body = try await MockRoutes.body(request)
                return MockRoutes.response(
                    await engine.upload(body: body, contentType: request.headers[.contentType], mask: mask))
            }
        }
    }
}
