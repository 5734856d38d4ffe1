// swift-tools-version:6.2
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    // A file sees only the members of the modules it imports itself, and each target declares below every module
    // its files import (as Hummingbird does).
    .enableUpcomingFeature("MemberImportVisibility"),
]

// Linux only: the code calls Glibc and ncursesw directly, so no Apple platform is claimed.
let package = Package(
    name: "comfytop",
    products: [
        .executable(name: "comfytop", targets: ["comfytop"])
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-websocket.git", from: "2.8.1"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/hummingbird-project/swift-websocket.git", from: "1.6.2"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.33.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.6.0"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/LebJe/TOMLKit.git", from: "0.6.0"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
    ],
    targets: [
        .systemLibrary(name: "CNCurses", path: "Sources/CNCurses"),
        .systemLibrary(name: "CTurboJPEG", path: "Sources/CTurboJPEG", pkgConfig: "libturbojpeg"),
        .systemLibrary(name: "CSpng", path: "Sources/CSpng", pkgConfig: "spng"),
        .systemLibrary(name: "CChafa", path: "Sources/CChafa", pkgConfig: "chafa"),
        .systemLibrary(name: "CWebP", path: "Sources/CWebP", pkgConfig: "libwebp"),
        .target(
            name: "ComfyImages",
            dependencies: ["CTurboJPEG", "CSpng", "CChafa", "CWebP"],
            path: "Sources/Images",
            swiftSettings: swiftSettings
        ),
        .target(name: "ComfyJSON", path: "Sources/JSON", swiftSettings: swiftSettings),
        .target(
            name: "ComfyClient",
            dependencies: [
                "ComfyJSON",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "WSClient", package: "swift-websocket"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOHTTPCompression", package: "swift-nio-extras"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "TOMLKit", package: "TOMLKit"),
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            path: "Sources/Client",
            swiftSettings: swiftSettings
        ),
        .target(
            name: "ComfyTUI",
            dependencies: ["ComfyClient", "ComfyJSON", "CNCurses", "ComfyImages"],
            path: "Sources/TUI",
            swiftSettings: swiftSettings
        ),
        .target(
            name: "ComfyMock",
            dependencies: [
                "ComfyJSON", "ComfyImages",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            path: "Sources/MockServer",
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "comfytop",
            dependencies: [
                "ComfyClient", "ComfyJSON", "ComfyTUI", "ComfyMock", "ComfyImages",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Sources/comfytop",
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "comfybench",
            dependencies: ["ComfyClient", "ComfyJSON", "ComfyMock", "ComfyTUI", "ComfyImages"],
            path: "Benchmarks/ComfyBench",
            swiftSettings: swiftSettings
        ),
        .target(
            name: "ComfyTestSupport",
            dependencies: [
                "ComfyMock", "ComfyJSON",
                .product(name: "WSClient", package: "swift-websocket"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
            ],
            path: "Tests/Support",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ComfyMockTests",
            dependencies: [
                "ComfyMock", "ComfyJSON", "ComfyTestSupport", "ComfyImages",
                .product(name: "WSClient", package: "swift-websocket"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            path: "Tests/ComfyMockTests",
            resources: [.copy("Fixtures")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ComfyClientTests",
            dependencies: [
                "ComfyClient", "ComfyMock", "ComfyJSON", "ComfyTestSupport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
            ],
            path: "Tests/ComfyClientTests",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ComfytopTests",
            dependencies: [
                "comfytop", "ComfyClient",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Tests/ComfytopTests",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ComfyImagesTests",
            dependencies: ["ComfyImages"],
            path: "Tests/ComfyImagesTests",
            exclude: ["Golden"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ComfyTUITests",
            dependencies: ["ComfyTUI", "ComfyClient", "ComfyJSON", "ComfyMock", "ComfyImages"],
            path: "Tests/ComfyTUITests",
            exclude: ["Golden"],
            swiftSettings: swiftSettings
        ),
    ]
)
