import ComfyJSON
import Foundation
import NIOHTTP1

/// Idempotent submission: comfytop chooses the prompt_id (a canonical lowercase UUID, the only form newer
/// servers accept), so a POST whose connection dropped can be looked up by that id before anything is posted
/// again. A retry can never queue the job twice: it posts again only when the id was not found and the server is
/// known to keep client ids (an earlier answer carried ours back, or it has the jobs API).
extension ComfyAPI {
    /// Sent with every `POST /prompt`; newer servers keep it in `extra_data.comfy_usage_source`.
    static let usageSourceHeader = ("Comfy-Usage-Source", "comfytop")

    /// A fresh prompt id in the form newer servers require (`str(uuid.UUID(x)) == x`).
    public static func newPromptID() -> String { UUID().uuidString.lowercased() }

    /// True for the canonical lowercase hyphenated UUID form (`comfy_execution/jobs.py: validate_job_id`).
    public static func isCanonicalPromptID(_ id: String) -> Bool {
        guard id.utf8.count == 36, let uuid = UUID(uuidString: id) else { return false }
        return uuid.uuidString.lowercased() == id
    }

    /// What this client learned about the server's handling of client prompt ids.
    public var clientPromptIDSupport: ServerCapabilities.ClientPromptID { promptIDSupport.value }

    /// `POST /prompt` with a prompt id chosen here (or `promptID` when given). A 400 becomes `.validation` with one
    /// line per node; a 200 with `node_errors` comes back as warnings (those outputs were dropped, the rest is
    /// queued). When the connection drops after the request may have reached the server (a transport error, a
    /// timeout, a proxy's 502/504), the id is looked up (`/api/jobs/{id}`, else `/queue` and `/history/{id}`)
    /// and the job returned if it is there; it is posted again only if it is not and the server keeps client
    /// ids. Servers that mint their own id regardless (older than client prompt ids) keep the old behaviour:
    /// the error is reported, never a blind second post.
    public func submit(
        prompt: JSONValue, clientID: String?, front: Bool = false, number: Double? = nil,
        extraData: JSONValue? = nil, promptID: String? = nil, partialTargets: [String]? = nil
    ) async throws(ComfyError) -> PromptAccepted {
        var chosen = promptID ?? (promptIDSupport.value == .ignored ? nil : Self.newPromptID())
        var reposts = 0
        while true {
            let error: ComfyError
            do {
                let accepted = try await postPrompt(
                    prompt: prompt, clientID: clientID, front: front, number: number, extraData: extraData,
                    promptID: chosen, partialTargets: partialTargets)
                if let chosen { promptIDSupport.learn(accepted.promptID == chosen ? .honoured : .ignored) }
                return accepted
            } catch let caught {
                error = caught
            }
            // A server stricter than the canonical form (none known): once more, letting it choose.
            if case .validation(let type, _, _, _) = error, type == "invalid_prompt_id", promptID == nil,
                chosen != nil
            {
                chosen = nil
                continue
            }
            guard let id = chosen, Self.mayHaveReachedServer(error) else { throw error }
            switch await locate(id) {
            case .found(let number):
                promptIDSupport.learn(.honoured)
                return PromptAccepted(promptID: id, number: number ?? 0, warnings: [])
            case .absent(let jobsAPI):
                let keepsIDs = promptIDSupport.value == .honoured || jobsAPI
                guard keepsIDs, reposts < 2 else { throw error }
                reposts += 1
            case .unknown:
                throw error
            }
        }
    }

    /// Errors after which the request may have been received and acted on.
    static func mayHaveReachedServer(_ error: ComfyError) -> Bool {
        switch error {
        case .transport, .timeout: return true
        case .http(_, let status, _): return status == 502 || status == 504
        default: return false
        }
    }

    enum Located: Equatable {
        /// Queued, running or finished (its queue number when known).
        case found(number: Double?)
        /// Not there (after waiting for a handler that may still be validating); `jobsAPI`: the server has it.
        case absent(jobsAPI: Bool)
        /// The server could not be asked.
        case unknown
    }

    /// Where is `id`? Asked twice (after a short wait, then a longer one), since the server may still be
    /// validating the dropped request when the first answer comes. The whole search has its own budget
    /// (`lookupBudget` seconds): a server too slow to answer the POST must not hold the caller for several more
    /// request timeouts.
    func locate(_ id: String, waits: [Double] = [0.3, 1.5]) async -> Located {
        await withTaskGroup(of: Located?.self) { group in
            group.addTask {
                var last = Located.unknown
                for wait in waits {
                    try? await Task.sleep(for: .milliseconds(Int(wait * 1000)))
                    last = await self.lookOnce(id)
                    if case .absent = last { continue }
                    return last
                }
                return last
            }
            group.addTask {
                try? await Task.sleep(for: .milliseconds(Int(Self.lookupBudget * 1000)))
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first ?? .unknown
        }
    }

    /// Seconds the search for a dropped POST's job may take in all.
    static let lookupBudget = 8.0

    private func lookOnce(_ id: String) async -> Located {
        var jobsAPI = false
        do {
            let reply = try await send(.GET, "/api/jobs/\(Endpoint.encode(id))")
            if reply.status == 200, let json = reply.json, json["id"]?.stringValue == id {
                return .found(number: json["priority"].map { WireNumber.finite($0, or: 0) })
            }
            // A job API's own 404 is JSON ({"error": "Job not found"}); an older server's is not.
            jobsAPI = reply.status == 404 && reply.json?["error"] != nil
        } catch {
            return .unknown
        }
        do {
            let queue = try await queue()
            if let item = (queue.running + queue.pending).first(where: { $0.promptID == id }) {
                return .found(number: item.number)
            }
            if try await history(promptID: id) != nil { return .found(number: nil) }
            return .absent(jobsAPI: jobsAPI)
        } catch {
            return .unknown
        }
    }
}

/// What one `ComfyAPI` learned from `POST /prompt` answers (thread-safe).
final class PromptIDMemory: @unchecked Sendable {
    private var known = ServerCapabilities.ClientPromptID.unknown
    private let lock = NSLock()

    var value: ServerCapabilities.ClientPromptID { lock.withLock { known } }

    func learn(_ support: ServerCapabilities.ClientPromptID) { lock.withLock { known = support } }
}
