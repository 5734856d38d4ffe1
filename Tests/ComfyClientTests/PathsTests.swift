import ComfyClient
import Testing

@Suite struct PathsTests {
    @Test func followsTheXDGVariables() {
        let paths = Paths(environment: ["XDG_CONFIG_HOME": "/c", "XDG_DATA_HOME": "/d"], home: "/home/u")
        #expect(paths.configFile == "/c/comfytop/config.toml")
        #expect(paths.themesDirectory == "/c/comfytop/themes")
        #expect(paths.dataDirectory == "/d/comfytop")
        #expect(paths.historyStore == "/d/comfytop/history.sqlite")
        #expect(paths.mockDataDirectory == "/d/comfytop/mock")
    }

    @Test(arguments: [
        [:], ["XDG_CONFIG_HOME": "", "XDG_DATA_HOME": ""], ["XDG_CONFIG_HOME": "rel", "XDG_DATA_HOME": "x/y"],
    ])
    func defaultsUnderHomeWhenUnsetEmptyOrRelative(_ environment: [String: String]) {
        let paths = Paths(environment: environment, home: "/home/u")
        #expect(paths.configFile == "/home/u/.config/comfytop/config.toml")
        #expect(paths.historyStore == "/home/u/.local/share/comfytop/history.sqlite")
    }

    @Test func dataDirReplacesTheDataDirectoryOnly() {
        let paths = Paths(environment: ["XDG_DATA_HOME": "/d"], home: "/home/u", dataDir: "/tmp/store")
        #expect(paths.historyStore == "/tmp/store/history.sqlite")
        #expect(paths.mockDataDirectory == "/d/comfytop/mock")
        #expect(Paths(environment: [:], dataDir: "~/s").dataDirectory.hasSuffix("/s"))
        #expect(!Paths(environment: [:], dataDir: "~/s").dataDirectory.hasPrefix("~"))
    }

    @Test func storeAndConfigDefaultsUseThePaths() {
        let environment = ["XDG_CONFIG_HOME": "/c", "XDG_DATA_HOME": "/d"]
        #expect(ServerConfig.defaultPath(environment: environment) == "/c/comfytop/config.toml")
        #expect(LocalHistory.defaultPath(environment: environment) == "/d/comfytop/history.sqlite")
        #expect(LocalHistory.defaultPath(dataDir: "/x", environment: environment) == "/x/history.sqlite")
    }
}
