import Foundation
import Glibc
import NIOCore
import NIOHTTP1

/// Downloads streamed to disk.
extension ComfyAPI {
    /// `GET /view` streamed into the file at `path` (created or truncated), chunk by chunk, so a large output is
    /// never held in memory; returns the bytes written.
    public func view(_ file: OutputFile, streamingTo path: String) async throws(ComfyError) -> Int {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw ComfyError.io(path: path, detail: "cannot write: " + String(cString: strerror(errno)))
        }
        defer { close(fd) }
        var written = 0
        let query = [("filename", file.filename), ("subfolder", file.subfolder), ("type", file.type)]
        let reply: Reply
        do throws(ComfyError) {
            reply = try await exchange(
                .GET, "/view", url: endpoint.url("/view", query: query), body: nil, contentType: nil,
                maxBody: Self.bodyLimit(for: "/view")
            ) { (chunk: ByteBufferView) throws(ComfyError) in
                try chunk.withUnsafeBytes { (raw: UnsafeRawBufferPointer) throws(ComfyError) in
                    var offset = 0
                    while offset < raw.count {
                        let n = Glibc.write(fd, raw.baseAddress.map { $0 + offset }, raw.count - offset)
                        if n < 0, errno == EINTR { continue }
                        guard n > 0 else {
                            throw ComfyError.io(path: path, detail: "cannot write: " + String(cString: strerror(errno)))
                        }
                        offset += n
                    }
                }
                written += chunk.count
            }
        } catch {
            throw error.scrubbed(endpoint.scrub)
        }
        guard reply.status == 200 else {
            if reply.status == 401 || reply.status == 403 {
                throw ComfyError.unauthorized(
                    url: endpoint.displayURL, status: reply.status, authSummary: endpoint.auth.summary)
            }
            if reply.status == 404 {
                throw ComfyError.notFound(
                    url: "\(endpoint.displayURL)/view of \(file.type)/\(file.subfolder)/\(file.filename)")
            }
            throw statusError(reply, path: "/view")
        }
        return written
    }
}
