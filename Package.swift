// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "Liaison",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "liaison", targets: ["liaison"]),
        .library(name: "LiaisonAdapterKit", targets: ["LiaisonAdapterKit"]),
        // For the fuzzing package in Fuzz/, which reaches the readers it fuzzes through products.
        .library(name: "LiaisonProtocol", targets: ["LiaisonProtocol"]),
        .library(name: "StrictJSON", targets: ["StrictJSON"]),
        .library(name: "JSONSchema", targets: ["JSONSchema"]),
        .library(name: "LiaisonRules", targets: ["LiaisonRules"]),
        .library(name: "AttendanceDomain", targets: ["AttendanceDomain"]),
    ],
    dependencies: [
        .package(url: "https://github.com/groue/GRDB.swift", exact: "7.10.0"),
        .package(url: "https://github.com/jpsim/Yams", exact: "6.2.2"),
        .package(url: "https://github.com/apple/swift-argument-parser", exact: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", exact: "1.16.2"),
        .package(url: "https://github.com/apple/swift-crypto", exact: "3.12.3"),
        .package(url: "https://github.com/apple/swift-collections", exact: "1.6.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", exact: "2.13.0"),
        // The console (issue 13): HTTP, TLS, bcrypt, templates.
        .package(url: "https://github.com/hummingbird-project/hummingbird", exact: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth", exact: "2.5.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", exact: "2.1.1"),
        .package(url: "https://github.com/apple/swift-nio", exact: "2.101.3"),
        .package(url: "https://github.com/apple/swift-nio-ssl", exact: "2.37.6"),
        // Metrics (issue 13): the broker's and adapters' counters, served in the Prometheus text format.
        .package(url: "https://github.com/apple/swift-metrics", exact: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", exact: "2.4.1"),
        // The hub's store on PostgreSQL (issue 16), in its own target so SQLite-only builds do not link it.
        .package(url: "https://github.com/vapor/postgres-nio", exact: "1.33.2"),
    ],
    targets: [
        // libzmq's C API, reached through the system library (apt: libzmq3-dev).
        // No pkgConfig: zmq.h is in /usr/include and the module map links libzmq; libzmq's pkg-config flags
        // (-isystem for Kerberos) would only make SwiftPM warn on every build.
        .systemLibrary(
            name: "CZeroMQ",
            providers: [.apt(["libzmq3-dev"])]
        ),
        // libxml2's C API (the streaming xmlTextReader), reached through the system library (apt: libxml2-dev).
        .systemLibrary(
            name: "CLibXML2",
            pkgConfig: "libxml-2.0",
            providers: [.apt(["libxml2-dev"])]
        ),
        // The attendance domain: register codes, UPNs, the school calendar, the figures, MIS file readers
        // (CTF XML, CSV register exports) and the synthetic county. Foundation and libxml2 only.
        .target(
            name: "AttendanceDomain",
            dependencies: ["CLibXML2"],
            exclude: ["Resources/README.md"],
            resources: [.copy("Resources/attendance-codes.csv")]
        ),
        // The legal rules of attendance casework, I/O-free: compulsory school age, the checks a prosecution must
        // pass, the penalty-notice framework, fast track and school attendance orders (data in config/legal/).
        .target(
            name: "LegalProcess",
            dependencies: ["AttendanceDomain", .product(name: "Yams", package: "Yams")]
        ),
        // Printing HTML documents to PDF with Debian's headless Chromium (the clerk's bundle, the monitoring reports).
        .target(name: "Printing"),
        // A thin, hub-agnostic Swift wrapper over libzmq: context, sockets, frames, CURVE keys, polling.
        .target(name: "ZeroMQ", dependencies: ["CZeroMQ"]),
        // The strict JSON the hub reads and writes (RFC 8259 with I-JSON's unique names): value, reader, writer.
        .target(name: "StrictJSON"),
        // I/O-free core: envelope, wire codec, error codes, the per-peer protocol state machine.
        .target(name: "LiaisonProtocol", dependencies: ["StrictJSON"]),
        // Hub configuration and the agency directory, from YAML with file/line/key errors.
        .target(
            name: "LiaisonConfig",
            dependencies: [
                "LiaisonProtocol", "ZeroMQ", "LiaisonMetrics",
                .product(name: "Yams", package: "Yams"),
            ]
        ),
        // A JSON Schema (draft 2020-12) validator for the keywords the message schemas use.
        .target(name: "JSONSchema", dependencies: ["StrictJSON"]),
        // Typed messages and sharing rules: message schemas (and, to come, agreements and decisions).
        .target(
            name: "LiaisonRules",
            dependencies: [
                "JSONSchema", "StrictJSON", "LiaisonProtocol", "LiaisonConfig", .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Yams", package: "Yams"),
            ]
        ),
        // RFC 6962 Merkle trees: roots, inclusion and consistency proofs (the audit log's evidence, to come).
        .target(name: "MerkleLog", dependencies: [.product(name: "Crypto", package: "swift-crypto")]),
        // The durable store: messages, per-recipient queues, dead letters, the append-only audit log.
        .target(
            name: "LiaisonStore",
            dependencies: [
                "LiaisonProtocol", "MerkleLog", "JSONSchema", "StrictJSON",
                .product(name: "GRDB", package: "GRDB.swift"),
                // SQLite's C API, for the two scans `audit verify` makes over every entry and node.
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        // The same store on PostgreSQL (postgres-nio), behind the broker's seam `HubLedger` (issue 16).
        .target(
            name: "LiaisonStorePostgres",
            dependencies: [
                "LiaisonStore", "LiaisonProtocol", "MerkleLog",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        // `/metrics` in the Prometheus text format on a loopback port, for the broker and every adapter (Hummingbird).
        .target(
            name: "LiaisonMetrics",
            dependencies: [
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // The broker: a CURVE ROUTER with a ZAP handler, group commit, credit-based delivery.
        .target(
            name: "LiaisonBroker",
            dependencies: [
                "ZeroMQ", "LiaisonProtocol", "LiaisonConfig", "LiaisonStore", "LiaisonStorePostgres", "LiaisonRules", "StrictJSON",
                "LiaisonMetrics",
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "DequeModule", package: "swift-collections"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // The library every adapter uses: connect, reconnect, send until accepted, receive, ack, nack.
        .target(
            name: "LiaisonAdapterKit",
            dependencies: [
                "ZeroMQ", "LiaisonProtocol", "LiaisonMetrics",
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "DequeModule", package: "swift-collections"),
            ]
        ),
        // Typed message bodies (Codable), as the schemas in schemas/ define them, for adapters to share; the
        // integer bounds adapters hold bodies to, and the keyed digests that make their message ids opaque.
        .target(
            name: "LiaisonMessages",
            dependencies: ["JSONSchema", "StrictJSON", .product(name: "Crypto", package: "swift-crypto")]
        ),
        // The agencies' adapters: one library each under adapters/NAME/Sources, run by `liaison adapter NAME`.
        .target(
            name: "SchoolsMISAdapter",
            dependencies: [
                "LiaisonAdapterKit", "LiaisonMessages", "LiaisonProtocol", "AttendanceDomain", "JSONSchema", "StrictJSON",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "adapters/schools-mis/Sources"
        ),
        .target(
            name: "NPASDesk",
            dependencies: [
                "LiaisonAdapterKit", "LiaisonMessages", "AttendanceDomain", "JSONSchema", "StrictJSON", "LegalProcess",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "adapters/npas-desk/Sources"
        ),
        .target(
            name: "AdvisoryServiceAdapter",
            dependencies: ["LiaisonAdapterKit", "LiaisonMessages", "AttendanceDomain"],
            path: "adapters/advisory-service/Sources"
        ),
        .target(
            name: "CourtsAdapter",
            dependencies: [
                "LiaisonAdapterKit", "Printing", "LiaisonMessages", "AttendanceDomain", "JSONSchema", "StrictJSON",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "adapters/courts/Sources"
        ),
        .target(
            name: "PartnerAdapter",
            dependencies: [
                "LiaisonAdapterKit", "LiaisonProtocol", "LiaisonMessages", "AttendanceDomain", "JSONSchema", "StrictJSON",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "adapters/partners/Sources"
        ),
        // The monitoring reports the attendance service publishes from the desk's store (governors, senior team, elected
        // members, protocol reviews, awards, register audits): figures, disclosure control, targets, HTML, CSV and PDF.
        .target(
            name: "MonitoringReports",
            dependencies: [
                "NPASDesk", "AttendanceDomain", "LiaisonMessages", "Printing", "StrictJSON",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Yams", package: "Yams"),
            ]
        ),
        // The console: a web application for the attendance service's staff and the hub's operators (Hummingbird 2,
        // server-rendered mustache templates, no JavaScript build): sign-in, roles, sessions, CSRF, the view log, pages.
        .target(
            name: "LiaisonConsole",
            dependencies: [
                "MonitoringReports", "NPASDesk", "CourtsAdapter", "AttendanceDomain", "LegalProcess", "LiaisonStore", "LiaisonMessages", "StrictJSON",
                "LiaisonConfig", "LiaisonRules", "ZeroMQ", "CZeroMQ",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ]
        ),
        // The `liaison` command line: every subcommand, as a library so tests can drive it.
        .target(
            name: "LiaisonCLI",
            dependencies: [
                "LiaisonBroker", "LiaisonAdapterKit", "LiaisonConfig", "LiaisonStore", "LiaisonStorePostgres", "ZeroMQ", "LiaisonRules", "JSONSchema", "StrictJSON",
                "LiaisonMessages", "SchoolsMISAdapter", "NPASDesk", "AdvisoryServiceAdapter", "CourtsAdapter", "PartnerAdapter", "AttendanceDomain",
                "LegalProcess", "MonitoringReports", "Printing", "LiaisonConsole", "LiaisonMetrics",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .executableTarget(name: "liaison", dependencies: ["LiaisonCLI"]),
        // `make bench`: throughput and latency against a raw CURVE relay measured in the same run.
        .executableTarget(
            name: "LiaisonBench",
            dependencies: [
                "ZeroMQ", "LiaisonBroker", "LiaisonAdapterKit", "LiaisonConfig", "LiaisonProtocol", "LiaisonTestSupport",
                "LiaisonRules", "JSONSchema", "StrictJSON", "LiaisonStore", "MerkleLog", "AttendanceDomain", "LiaisonConsole", "NPASDesk",
                "SchoolsMISAdapter", "LiaisonMessages",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        // Helpers for tests: temporary hubs, keys, broker processes, time limits.
        .target(
            name: "LiaisonTestSupport",
            dependencies: ["ZeroMQ", "LiaisonConfig", "LiaisonProtocol", "LiaisonAdapterKit", "LiaisonStore"]
        ),
        .testTarget(name: "AttendanceDomainTests", dependencies: ["AttendanceDomain", "LiaisonTestSupport"], exclude: ["Fixtures", "Oracles"]),
        .testTarget(name: "LiaisonProtocolTests", dependencies: ["LiaisonProtocol", "AttendanceDomain"]),
        .testTarget(name: "LegalProcessTests", dependencies: ["LegalProcess", "AttendanceDomain"]),
        .testTarget(
            name: "SchoolsMISAdapterTests", dependencies: ["SchoolsMISAdapter", "AttendanceDomain", "LiaisonMessages", "JSONSchema", "StrictJSON"],
            path: "adapters/schools-mis/Tests"),
        .testTarget(
            name: "NPASDeskTests", dependencies: ["NPASDesk", "LegalProcess", "AttendanceDomain", "JSONSchema", "StrictJSON", "LiaisonTestSupport", .product(name: "GRDB", package: "GRDB.swift")], path: "adapters/npas-desk/Tests",
            exclude: ["Golden"]),
        .testTarget(
            name: "LiaisonConsoleTests",
            dependencies: [
                "LiaisonConsole", "NPASDesk", "CourtsAdapter", "AttendanceDomain", "LiaisonTestSupport", "ZeroMQ", "CZeroMQ",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
            ]),
        .testTarget(
            name: "MonitoringReportsTests",
            dependencies: ["MonitoringReports", "NPASDesk", "AttendanceDomain", "LiaisonMessages", "StrictJSON", "LiaisonTestSupport"],
            exclude: ["Fixtures"]),
        .testTarget(name: "CourtsAdapterTests", dependencies: ["CourtsAdapter", "Printing", "JSONSchema", "StrictJSON", "LiaisonTestSupport"], path: "adapters/courts/Tests", exclude: ["Golden"]),
        .testTarget(name: "JSONSchemaTests", dependencies: ["JSONSchema", "StrictJSON"], exclude: ["Fixtures"]),
        .testTarget(name: "MerkleLogTests", dependencies: ["MerkleLog"], exclude: ["Fixtures"]),
        .testTarget(name: "LiaisonRulesTests", dependencies: ["LiaisonRules", "AttendanceDomain", "JSONSchema", "StrictJSON", "LiaisonConfig", "LiaisonProtocol", "LiaisonTestSupport"]),
        .testTarget(
            name: "LiaisonConfigTests",
            dependencies: ["LiaisonConfig", "LiaisonTestSupport"]
        ),
        .testTarget(
            name: "LiaisonStoreTests",
            dependencies: ["LiaisonStore", "LiaisonProtocol", "LiaisonTestSupport", .product(name: "GRDB", package: "GRDB.swift")]
        ),
        .testTarget(
            name: "LiaisonStorePostgresTests",
            dependencies: [
                "LiaisonStorePostgres", "LiaisonStore", "LiaisonProtocol", "MerkleLog", "LiaisonTestSupport", "LiaisonConfig",
                "LiaisonAdapterKit", "ZeroMQ",
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .testTarget(
            name: "LiaisonBrokerTests",
            dependencies: [
                "LiaisonBroker", "LiaisonStore", "LiaisonProtocol", "LiaisonConfig", "LiaisonRules", "StrictJSON", "LiaisonMetrics",
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "LiaisonIntegrationTests",
            dependencies: [
                "LiaisonTestSupport", "LiaisonAdapterKit", "LiaisonStore", "LiaisonProtocol", "ZeroMQ",
                "LiaisonConfig", "MerkleLog", "LiaisonMetrics", "LiaisonConsole",
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "GRDB", package: "GRDB.swift"),
            ]
        ),
    ]
)
