import Testing

@testable import ComfyTUI

@Suite("ncursesw shim")
struct CursesLinkTests {
    @Test("the CNCurses system library links libncursesw and its functions are callable")
    func links() {
        #expect(ComfyTUIInfo.cursesVersion.hasPrefix("ncurses"))
    }
}
