import ComfyClient
import Testing

@testable import comfytop

@Suite struct DoctorTextTests {
    @Test func aFailureShowsItsCauseAndFixUnderIt() {
        let check = DoctorCheck(
            .websocket, .fail, "ws://h/ws: HTTP 400", cause: "the proxy drops Upgrade", fix: "forward it")
        #expect(
            DoctorText.lines(check, width: 100) == """
                  FAIL  WebSocket /ws       ws://h/ws: HTTP 400
                        cause: the proxy drops Upgrade
                        fix:   forward it

                """)
        #expect(
            DoctorText.lines(DoctorCheck(.clock, .ok, "in step", cause: "x"), width: 100).contains("cause") == false)
    }

    @Test func serverTextIsEscapedAndLinesWrapUnderTheirText() {
        let hostile = DoctorCheck(
            .http, .fail, "Server: evil\u{1b}]52;c;aGk=\u{07}\u{202e}\ndone", cause: "a b", fix: nil)
        let text = DoctorText.lines(hostile, width: 100)
        #expect(!text.unicodeScalars.contains { $0 == "\u{1b}" || $0 == "\u{07}" || $0 == "\u{202e}" })
        #expect(text.split(separator: "\n").count == 2)  // the summary's newline is escaped, not a new line
        let long = DoctorText.wrap("  ok    x  ", String(repeating: "word ", count: 30), width: 60)
        let lines = long.split(separator: "\n")
        #expect(lines.count > 1)
        #expect(lines.allSatisfy { $0.count <= 60 })
        #expect(lines[1].hasPrefix(String(repeating: " ", count: 11) + "word"))
    }

    @Test func theVerdictNamesTheExitCode() {
        let ok = DoctorCheck(.http, .ok, "fine")
        let warn = DoctorCheck(.previews, .warn, "none")
        let fail = DoctorCheck(.connect, .fail, "refused")
        #expect(
            DoctorText.verdict(DoctorReport(url: "http://h", checks: [ok])) == "all good: comfytop can use http://h\n")
        #expect(
            DoctorText.verdict(DoctorReport(url: "u", checks: [ok, warn])) == "1 warning: comfytop can use the server\n"
        )
        #expect(DoctorText.verdict(DoctorReport(url: "u", checks: [fail, warn])) == "1 failed, 1 warning (exit 3)\n")
    }
}
