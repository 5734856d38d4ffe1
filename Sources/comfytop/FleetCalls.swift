import ComfyClient
import ComfyJSON
import Foundation

/// One request (or a few) to every server of a fleet, all at once: each server has its own client and its own
/// budget, so a host that accepts a connection and never answers costs its own row and nothing else; the command
/// takes as long as its slowest server's budget, not the sum.
enum FleetCalls {
    /// The budget of each server's part of a command (a fleet command never waits longer than this for a host).
    static let budget = 5.0

    /// Runs `body` for every member at once, each with its own `ComfyAPI` and `budget`; the results in the
    /// members' order.
    static func each<T: Sendable>(
        _ members: [FleetMember], budget: Double = budget,
        _ body: @escaping @Sendable (FleetMember, ComfyAPI) async throws(ComfyError) -> T
    ) async -> [Result<T, ComfyError>] {
        await withTaskGroup(of: (Int, Result<T, ComfyError>).self) { group in
            for (index, member) in members.enumerated() {
                group.addTask { (index, await one(member, budget: budget, body)) }
            }
            var results = [Result<T, ComfyError>?](repeating: nil, count: members.count)
            for await (index, result) in group { results[index] = result }
            return results.map { $0 ?? .failure(.timeout(url: "", seconds: budget)) }
        }
    }

    /// One member: the body, raced against the budget (the client's own timeouts are per request; a body of
    /// several requests, or a connect that hangs, is cut here).
    static func one<T: Sendable>(
        _ member: FleetMember, budget: Double,
        _ body: @escaping @Sendable (FleetMember, ComfyAPI) async throws(ComfyError) -> T
    ) async -> Result<T, ComfyError> {
        let api: ComfyAPI
        do {
            api = try ComfyAPI(endpoint: member.endpoint, requestTimeout: budget)
        } catch {
            return .failure(error)
        }
        let result = await withTaskGroup(of: Result<T, ComfyError>?.self) { group in
            group.addTask {
                do throws(ComfyError) {
                    return .success(try await body(member, api))
                } catch {
                    return .failure(error)
                }
            }
            group.addTask {
                try? await Task.sleep(for: .milliseconds(Int(budget * 1000)))
                return Task.isCancelled ? nil : .failure(.timeout(url: member.endpoint.displayURL, seconds: budget))
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first ?? .failure(.timeout(url: member.endpoint.displayURL, seconds: budget))
        }
        await api.shutdown()
        return result
    }

    /// Runs `body` when the flags ask for several servers (`--all`, `--server a,b`, several `--url`s); false when
    /// they ask for one (the command goes on its single-server way). Config errors are reported as every command
    /// reports them; a status other than 0 ends the process with it.
    static func command(
        _ flags: ServerFlags, json: Bool, _ body: ([FleetMember]) async throws -> Int32
    ) async throws -> Bool {
        guard flags.selection.isFleet else { return false }
        try await mapErrors(json: json) {
            guard let members = try flags.fleet() else { return 0 }
            return try await body(members)
        }
        return true
    }

    /// The exit status of a fleet command: 3 only when no server could be reached, 1 when a server that was
    /// reached answered an error, else 0 (a server that is down is said on its own row).
    static func exitCode<T>(_ results: [Result<T, ComfyError>]) -> Int32 {
        let errors = results.compactMap { result -> ComfyError? in
            if case .failure(let error) = result { return error }
            return nil
        }
        if !results.isEmpty && errors.count == results.count && errors.allSatisfy(\.isUnreachable) {
            return Exit.unreachable
        }
        return errors.contains { !$0.isUnreachable } ? Exit.failed : 0
    }

    /// Why a server gave no answer, in the fleet's words ("connection refused", "no answer in 5 s").
    static func reason(_ error: ComfyError) -> String { FleetDownReason(error).words }

    /// The width of the server column: the longest name, within reason.
    static func nameWidth(_ members: [FleetMember]) -> Int {
        min(24, max(6, members.map { $0.name.count }.max() ?? 6))
    }
}
