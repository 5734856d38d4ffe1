import ComfyJSON
import Foundation

extension ExecutionErrorInfo {
    /// "node 3 FailAfter: deliberate failure after 2 of 5 steps": the one line every view prints for a failure.
    public var summary: String {
        "node \(nodeID ?? "?") \(nodeType ?? "?"): \(exceptionMessage.trimmingCharacters(in: .whitespacesAndNewlines))"
    }
}

extension ComfyAPI {
    /// A finished job's history entry. The server announces the end (`executing {node: null}`, or the job leaving
    /// the queue) right after it writes the entry, but a read can still race it (ComfyUI issue #11540), so an
    /// empty answer is asked again a few times, backing off. Nil: the server has no entry (deleted from the queue,
    /// or lost to a restart). Errors other than "unreachable" end the lookup at once; while the server is
    /// unreachable the attempts go on.
    public func historyEntry(_ promptID: String, attempts: Int = 5, backoffMS: Int = 200) async throws(ComfyError)
        -> HistoryItem?
    {
        var lastError: ComfyError?
        for attempt in 0..<max(1, attempts) {
            do {
                if let item = try await history(promptID: promptID) { return item }
                lastError = nil
            } catch {
                if !error.isUnreachable { throw error }
                lastError = error
            }
            if attempt < attempts - 1 { try? await Task.sleep(for: .milliseconds(backoffMS * (attempt + 1))) }
        }
        if let lastError { throw lastError }
        return nil
    }
}
