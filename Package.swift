// swift-tools-version:6.1
import PackageDescription

/// The numeric targets are optimized in debug builds too (the tests' builds): the tests run
/// whole calibrations and backtests of the regional model, minutes at -Onone. Debug builds
/// keep their checks (CORRIDOR_INVARIANTS; preconditions hold in every build).
let optimizedInDebug = SwiftSetting.unsafeFlags(["-O"], .when(configuration: .debug))

let package = Package(
    name: "Corridor",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "corridor", targets: ["corridor"]),
        .library(name: "CorridorEngine", targets: ["CorridorEngine"]),
        .library(name: "CorridorModel", targets: ["CorridorModel"]),
        .library(name: "CorridorLinearAlgebra", targets: ["CorridorLinearAlgebra"]),
        .library(name: "CorridorAnalysis", targets: ["CorridorAnalysis"]),
        .library(name: "CorridorIO", targets: ["CorridorIO"]),
    ],
    // `--traits MPI`: the same `corridor` binary runs as the ranks of an MPI job (Open MPI
    // from Debian's libopenmpi-dev), sharing every ensemble's members. Off by default, so
    // the default build needs no MPI.
    // `Server` (on by default): `corridor serve`, the planning page, on Hummingbird and
    // SwiftNIO. `--disable-default-traits` leaves it out (and the minutes NIO takes to build).
    traits: [
        .trait(name: "MPI", description: "Share ensemble members among the ranks of an MPI job (needs libopenmpi-dev)"),
        .trait(name: "Server", description: "corridor serve: the planning page and its JSON API (builds Hummingbird and SwiftNIO)"),
        .default(enabledTraits: ["Server"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-numerics", from: "1.1.1"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1", traits: ["FullFoundation"]),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
    ],
    targets: [
        // C interface to OpenBLAS (CBLAS + Fortran LAPACK) and LAPACKE, from Debian's packages.
        .systemLibrary(
            name: "COpenBLAS",
            pkgConfig: "openblas",
            providers: [.apt(["libopenblas-dev", "liblapacke-dev"])]
        ),
        // C interface to Open MPI, used only with the MPI trait.
        .systemLibrary(name: "CMPI", pkgConfig: "ompi-c", providers: [.apt(["libopenmpi-dev"])]),
        // Thin, checked Swift wrapper over the few BLAS/LAPACK routines Corridor uses.
        .target(name: "CorridorLinearAlgebra", dependencies: ["COpenBLAS"], swiftSettings: [optimizedInDebug]),
        // The cache-prefetch hint the streaming summaries use (Swift has none of its own).
        .target(name: "CCorridorPrefetch"),
        // The vector expm1 and the hazard kernels' factor, compiled for SSE2 and for AVX2 and
        // chosen at run time (Swift cannot compile one function for another instruction set).
        .target(name: "CCorridorVectorMath", cSettings: [.unsafeFlags(["-O2"], .when(configuration: .debug))]),
        // Numeric core: ensembles, step kernels, random streams, streaming summaries. No files, no YAML.
        .target(
            name: "CorridorEngine",
            dependencies: ["CCorridorPrefetch", "CCorridorVectorMath", .product(name: "RealModule", package: "swift-numerics")],
            // Invariant checks (stocks ≥ 0, people conserved) in debug builds, which the tests use.
            swiftSettings: [.define("CORRIDOR_INVARIANTS", .when(configuration: .debug)), optimizedInDebug]
        ),
        // Model layer: parse, validate and compile model and scenario files.
        .target(
            name: "CorridorModel",
            dependencies: ["CorridorEngine", "Yams", .product(name: "RealModule", package: "swift-numerics")],
            swiftSettings: [optimizedInDebug]
        ),
        // Analysis: calibration against observed series, backtests.
        .target(
            name: "CorridorAnalysis",
            dependencies: ["CorridorEngine", "CorridorModel", "CorridorLinearAlgebra"],
            swiftSettings: [optimizedInDebug]
        ),
        // Input and output at the edges: the format's result files, summaries, analysis
        // tables (one RFC 4180 CSV writer), atomic output folders.
        .target(
            name: "CorridorIO",
            dependencies: ["CorridorEngine", "CorridorModel", "CorridorAnalysis", "Yams", .product(name: "Crypto", package: "swift-crypto")]
        ),
        // Reports: SVG charts, the HTML report and Jupyter notebooks.
        .target(
            name: "CorridorReport",
            dependencies: ["CorridorEngine", "CorridorModel", "CorridorAnalysis", "CorridorIO"]
        ),
        // The planning API without HTTP: a folder's scenarios and their levers, requests
        // (strict JSON) → runs, comparisons and plans → answers; the run queue.
        .target(
            name: "CorridorPlanning",
            dependencies: ["CorridorEngine", "CorridorModel", "CorridorAnalysis", "CorridorIO", "Yams"]
        ),
        // The planning page on Hummingbird: the routes of the JSON API, and the page itself
        // (HTML, CSS, JavaScript compiled into the binary). Empty without the Server trait,
        // so that builds without it (tests, sanitizers) compile no SwiftNIO.
        .target(
            name: "CorridorServer",
            dependencies: [
                "CorridorEngine", "CorridorModel", "CorridorIO", "CorridorPlanning",
                .product(name: "Hummingbird", package: "hummingbird", condition: .when(traits: ["Server"])),
                .product(name: "HTTPTypes", package: "swift-http-types", condition: .when(traits: ["Server"])),
                .product(name: "Logging", package: "swift-log", condition: .when(traits: ["Server"])),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle", condition: .when(traits: ["Server"])),
            ],
            resources: [.embedInCode("Page/index.html"), .embedInCode("Page/page.css"), .embedInCode("Page/page.js")]
        ),
        // The commands of the `corridor` tool, as a library so tests can drive them.
        .target(
            name: "CorridorCLI",
            dependencies: [
                "CorridorEngine", "CorridorModel", "CorridorLinearAlgebra", "CorridorAnalysis", "CorridorIO", "CorridorReport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .target(name: "CMPI", condition: .when(traits: ["MPI"])),
                .target(name: "CorridorPlanning", condition: .when(traits: ["Server"])),
                .target(name: "CorridorServer", condition: .when(traits: ["Server"])),
            ]
        ),
        .executableTarget(name: "corridor", dependencies: ["CorridorCLI"]),
        // libFuzzer targets of the parsers (scripts/fuzz); built normally, a replayer of inputs.
        .executableTarget(name: "corridor-fuzz", dependencies: ["CorridorModel", "CorridorAnalysis", "CorridorEngine", "CorridorPlanning"],
                          path: "Sources/CorridorFuzz"),
        // package-benchmark suites: `swift package benchmark` (see Benchmarks/README.md).
        .executableTarget(
            name: "CorridorBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                "CorridorEngine", "CorridorModel", "CorridorAnalysis", "CorridorLinearAlgebra", "CorridorIO",
            ],
            path: "Benchmarks/CorridorBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .testTarget(
            name: "CorridorLinearAlgebraTests",
            dependencies: ["CorridorLinearAlgebra", .product(name: "Numerics", package: "swift-numerics")]
        ),
        .testTarget(
            name: "CorridorEngineTests",
            dependencies: ["CorridorEngine", "CorridorModel", .product(name: "Numerics", package: "swift-numerics")]
        ),
        .testTarget(
            name: "CorridorModelTests",
            dependencies: ["CorridorModel", "CorridorEngine", .product(name: "Numerics", package: "swift-numerics")]
        ),
        .testTarget(
            name: "CorridorAnalysisTests",
            dependencies: ["CorridorAnalysis", "CorridorModel", "CorridorEngine", "CorridorIO"]
        ),
        .testTarget(
            name: "CorridorIOTests",
            dependencies: ["CorridorIO", "CorridorModel"]
        ),
        .testTarget(
            name: "CorridorCLITests",
            dependencies: ["CorridorCLI", "CorridorModel", "CorridorEngine", "corridor"]
        ),
    ]
)
