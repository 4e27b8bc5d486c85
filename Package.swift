// swift-tools-version:6.2
import PackageDescription

// Warnings are bugs: they fail our own targets (dependencies keep their own settings).
let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .treatAllWarnings(as: .error),
]

let package = Package(
    name: "rulebot",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "RuleEngine", targets: ["RuleEngine"]),
        .library(name: "Runtime", targets: ["Runtime"]),
        .library(name: "ConversationTesting", targets: ["ConversationTesting"]),
        .library(name: "Server", targets: ["Server"]),
        .executable(name: "rulebot", targets: ["rulebot"]),
    ],
    dependencies: [
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1", traits: ["FullFoundation"]),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
    ],
    targets: [
        // A C face for Debian's RE2 (libre2-dev): regular expressions matched in linear time.
        .target(name: "CRE2", linkerSettings: [.linkedLibrary("re2")]),
        // Pure compiler: YAML text in, RuleGraph and diagnostics out; no clock, disk or network.
        .target(
            name: "RuleEngine",
            dependencies: ["CRE2", .product(name: "Yams", package: "Yams")],
            swiftSettings: swiftSettings
        ),
        // Debian's libhiredis (the official Redis C client), for the Redis storage backend.
        .systemLibrary(name: "CHiredis", providers: [.apt(["libhiredis-dev"])]),
        // Evaluates a RuleGraph per event; storage backends, durable timers, outbox and senders.
        .target(
            name: "Runtime",
            dependencies: [
                "RuleEngine",
                "CHiredis",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // Conversation tests: their files, a simulated WhatsApp user, and the runner on a virtual clock.
        .target(name: "ConversationTesting", dependencies: ["Runtime"], swiftSettings: swiftSettings),
        // Hummingbird app, webhook and admin routes, hot reload, Graph API sender and CLI commands.
        .target(
            name: "Server",
            dependencies: [
                "Runtime",
                "ConversationTesting",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),
        // The executable: a few lines that hand the command line to Server.
        .executableTarget(name: "rulebot", dependencies: ["Server"], swiftSettings: swiftSettings),
        // Release-build benchmarks for the compiler, runtime and server targets in the issues.
        .executableTarget(
            name: "Benchmarks",
            dependencies: [
                "Server", .product(name: "Yams", package: "Yams"),
                .product(name: "Hummingbird", package: "hummingbird"),
            ],
            swiftSettings: swiftSettings
        ),
        // Fuzzing: a seeded mutation loop for CI, or libFuzzer with -sanitize=fuzzer -DLIBFUZZER.
        .executableTarget(name: "Fuzz", dependencies: ["Server"], swiftSettings: swiftSettings),
        // Golden files are read from the source tree (#filePath), not bundled.
        .testTarget(
            name: "RuleEngineTests", dependencies: ["RuleEngine"], exclude: ["Fixtures"], swiftSettings: swiftSettings),
        .testTarget(
            name: "RuntimeTests", dependencies: ["Runtime", .product(name: "GRDB", package: "GRDB.swift")],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "ServerTests",
            dependencies: ["Server", "ConversationTesting", .product(name: "Hummingbird", package: "hummingbird")],
            swiftSettings: swiftSettings
        ),
    ],
    cxxLanguageStandard: .cxx17
)
