// swift-tools-version:6.2
import PackageDescription

// A bot with its own Swift action: `swift run ticketbot check support.yaml`, `swift run ticketbot chat support.yaml`.
let package = Package(
    name: "CustomAction",
    platforms: [.macOS(.v15)],
    dependencies: [.package(name: "rulebot", path: "../..")],
    targets: [
        // The rulebot command line plus the create_ticket action.
        .executableTarget(
            name: "ticketbot",
            dependencies: [
                .product(name: "Server", package: "rulebot"),
                .product(name: "Runtime", package: "rulebot"),
                .product(name: "RuleEngine", package: "rulebot"),
            ]
        )
    ]
)
