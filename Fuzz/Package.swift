// swift-tools-version: 6.1
// libFuzzer targets for the readers that take input from outside the hub. Built apart from the main package
// (its own scratch path, sanitizer flags on every module), so the main build is never affected:
//   swift build -c release --scratch-path .build-fuzz -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library
// `make fuzz FUZZ_SECONDS=N` builds and runs each target; see Fuzz/README.md.
import PackageDescription

let fuzzTargets: [(name: String, products: [String])] = [
    ("FuzzWireCodec", ["LiaisonProtocol"]),
    ("FuzzEnvelope", ["LiaisonProtocol"]),
    ("FuzzJSON", ["StrictJSON"]),
    ("FuzzSchemaValidator", ["LiaisonRules", "LiaisonProtocol", "JSONSchema", "StrictJSON"]),
    ("FuzzCTF", ["AttendanceDomain"]),
    ("FuzzCSV", ["AttendanceDomain"]),
    ("FuzzAgreements", ["LiaisonRules"]),
]

let package = Package(
    name: "LiaisonFuzz",
    platforms: [.macOS(.v15)],
    dependencies: [
        // The identity is given by name so that the checkout's folder name does not matter.
        .package(name: "Liaison", path: ".."),
    ],
    targets: [
        .target(name: "CLibFuzzer"),
        .target(name: "FuzzSupport", dependencies: ["CLibFuzzer"]),
    ] + fuzzTargets.map { target in
        .executableTarget(
            name: target.name,
            dependencies: ["FuzzSupport"] + target.products.map { .product(name: $0, package: "Liaison") }
        )
    }
)
