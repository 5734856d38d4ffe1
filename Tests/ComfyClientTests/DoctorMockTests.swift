import ComfyJSON
import ComfyMock
import ComfyTestSupport
import Foundation
import Testing

@testable import ComfyClient

@Suite("doctor against the mock, over real sockets")
struct DoctorMockTests {
    func status(_ report: DoctorReport, _ step: DoctorCheck.Step) -> DoctorCheck.Status? {
        report.checks.first { $0.step == step }?.status
    }

    @Test("every step passes on both server versions", arguments: MockServerVersion.allCases)
    func healthy(version: MockServerVersion) async throws {
        let mock = try await MockHarness.start(jobsAPI: version == .current, serverVersion: version)
        defer { Task { await mock.stop() } }
        var seen: [DoctorCheck.Step] = []
        let report = await Doctor(endpoint: try Endpoint(url: mock.baseURL), timeout: 10).run { seen.append($0.step) }
        #expect(seen == DoctorCheck.Step.allCases)
        #expect(report.exitCode == 0, "\(report.checks.filter { $0.status != .ok })")
        for step in [DoctorCheck.Step.resolve, .connect, .http, .auth, .server, .logs, .previews] {
            #expect(status(report, step) == .ok, "\(step)")
        }
        // Upgraded; under a loaded test run the greeting may come after the budget (then it only warns).
        #expect(status(report, .websocket) != .fail)
        #expect(status(report, .tls) == .skipped)
        let capabilities = report.checks.first { $0.step == .capabilities }
        #expect(capabilities?.facts.first { $0.0 == "jobs_api" }?.1 == .bool(version == .current))
    }

    @Test("a self-signed certificate: fail with --ca-file as the fix; passes with it")
    func selfSigned() async throws {
        let (cert, key, dir) = try TLSTests.makeCertificate()
        defer { try? FileManager.default.removeItem(at: dir) }
        let mock = try await MockHarness.start(tls: (cert, key))
        defer { Task { await mock.stop() } }
        let refused = await Doctor(endpoint: try Endpoint(url: mock.baseURL), timeout: 10).run()
        let tls = try #require(refused.checks.first { $0.step == .tls })
        #expect(tls.status == .fail)
        #expect(tls.summary == "the server's certificate is self-signed")
        #expect(refused.exitCode == 3)
        #expect(status(refused, .http) == .skipped)
        let trusted = await Doctor(
            endpoint: try Endpoint(url: mock.baseURL, tls: TLSOptions(caFile: cert)), timeout: 10
        )
        .run()
        #expect(status(trusted, .tls) != .fail)  // the test certificate lasts 2 days: "expires soon" warns
        #expect(status(trusted, .websocket) != .fail)
        #expect(trusted.exitCode == 0)
        let wrongScheme = await Doctor(
            endpoint: try Endpoint(url: mock.baseURL.replacingOccurrences(of: "https", with: "http")), timeout: 10
        ).run()
        #expect(wrongScheme.checks.first { $0.step == .http }?.fix?.contains("https://127.0.0.1") == true)
    }

    @Test("a refused port and an unknown host stop at their step with exit 3")
    func unreachable() async throws {
        let refused = await Doctor(endpoint: try Endpoint(url: "http://127.0.0.1:1"), timeout: 3).run()
        #expect(status(refused, .connect) == .fail)
        #expect(status(refused, .http) == .skipped)
        #expect(refused.exitCode == 3)
        let unknown = await Doctor(endpoint: try Endpoint(url: "http://no-such-host.invalid:8188"), timeout: 3).run()
        #expect(status(unknown, .resolve) == .fail)
        #expect(unknown.exitCode == 3)
    }
}
