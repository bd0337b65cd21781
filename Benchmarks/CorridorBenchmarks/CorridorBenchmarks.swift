// Benchmarks of Corridor's hot loops. Run: swift package benchmark (see Benchmarks/README.md).
// Inputs are built before startMeasurement(); throughput is member-steps per second where
// a benchmark runs members through steps. CORRIDOR_BENCHMARK_SMOKE=1 runs each benchmark
// once and skips the 100,000-member run, to keep CI's pass short.
import Benchmark
import CorridorAnalysis
import CorridorEngine
import CorridorIO
import CorridorLinearAlgebra
import CorridorModel
import Foundation

let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
let smoke = ProcessInfo.processInfo.environment["CORRIDOR_BENCHMARK_SMOKE"] != nil

/// Loads a model given as YAML text.
func loadModel(_ yaml: String, horizon: Int) -> EngineModel {
    let file = FileManager.default.temporaryDirectory.appendingPathComponent("corridor-benchmark-\(UUID().uuidString).yaml")
    try! yaml.write(to: file, atomically: true, encoding: .utf8)
    defer { try? FileManager.default.removeItem(at: file) }
    return try! ScenarioLoader.load(path: file.path).model.compile(horizon: horizon)
}

func kernelModel(_ flows: String, parameters: String = "") -> String {
    """
    format: corridor-model/1
    name: kernel
    start: 2020-01
    groups: [A, B, C, D, E]
    compartments: [x, y, z]
    parameters:
      r1: {value: {default: 0.02, B: 0.03}}
      r2: {value: 0.05}
      c: {value: 500}
      w: {value: {default: 0.4, C: 0.7}}
    \(parameters)
    initial:
      x: {default: 100000}
      y: {default: 20000}
    flows:
    \(flows)
    """
}

let kernels: [(name: String, yaml: String)] = [
    ("hazard", kernelModel("""
      - {name: f1, from: x, rate: r1, to: y}
      - {name: f2, from: x, rate: r2, to: z}
      - {name: f3, from: y, rate: r2, to: x}
    """)),
    ("pooled-capacity", kernelModel("""
      - {name: f1, from: x, capacity: c * 5, to: y}
      - {name: f2, from: y, capacity: c, to: z}
      - {name: f3, from: z, capacity: c * 2, to: x}
    """)),
    ("pergroup-capacity", kernelModel("""
      - {name: f1, from: x, capacity: c * w, allocation: perGroup, to: y}
      - {name: f2, from: y, capacity: c, allocation: perGroup, to: z}
      - {name: f3, from: z, capacity: c * 2, allocation: perGroup, to: x}
    """)),
    ("weighted-split", kernelModel("""
      - {name: f1, from: x, rate: r1, to: {y: w, z: 1 - w}}
      - {name: f2, from: y, rate: r2, to: {x: w, z: 2 * w}}
    """)),
    ("expressions", kernelModel("""
      - {name: f1, from: x, rate: "min(r1 * exp(-total(y) / 1e6), max(r2, stock(z) / (1 + stock(x))))", to: y}
      - {name: f2, from: y, rate: "(r2 + r1 * w) / (1 + total(z) / 1e5)", to: z}
    """)),
]

/// The hand-written specialization of one small model (MODEL-FORMAT.md's example shape):
/// the same numbers as the generic engine, for the "within 1.5×" comparison.
let handModelYAML = """
    format: corridor-model/1
    name: hand
    start: 2020-01
    groups: [A, B, C, D, E]
    compartments: [home, transit, court, protected, returned]
    parameters:
      departure: {value: {A: 0.002, B: 0.0015, C: 0.0025, D: 0.0004, E: 0.001}}
      grant: {value: {A: 0.2, B: 0.25, C: 0.15, D: 0.05, E: 0.4}}
      judges: {value: 600}
    initial:
      home: {A: 6300000, B: 17100000, C: 9900000, D: 12800000, E: 1000000}
      court: {default: 100000}
    flows:
      - {name: leave, from: home, rate: departure, to: transit}
      - {name: encounter, from: transit, rate: "1", to: {court: 0.7, returned: 0.3}}
      - {name: complete, from: court, capacity: judges * 60, to: {protected: grant, returned: 1 - grant}}
      - {name: reattempt, from: returned, rate: "0.1", to: transit}
      - {name: arrive, inflow: "100", to: transit}
    """

/// Runs the hand model over `members` lanes for `steps` steps with plain arrays; returns home of group A, lane 0.
struct HandWrittenModel {
    let departure: [Double] = [0.002, 0.0015, 0.0025, 0.0004, 0.001]
    let grant: [Double] = [0.2, 0.25, 0.15, 0.05, 0.4]
    let initialHome: [Double] = [6_300_000, 17_100_000, 9_900_000, 12_800_000, 1_000_000]
    let lanes: Int
    var home, transit, court, protected, returned: [Double]
    var served: [Double]

    init(lanes: Int) {
        self.lanes = lanes
        home = Array(repeating: 0, count: 5 * lanes)
        transit = home; court = home; protected = home; returned = home; served = Array(repeating: 0, count: lanes)
    }

    mutating func run(steps: Int) -> Double {
        for g in 0..<5 {
            for l in 0..<lanes {
                home[g * lanes + l] = initialHome[g]; transit[g * lanes + l] = 0; court[g * lanes + l] = 100_000
                protected[g * lanes + l] = 0; returned[g * lanes + l] = 0
            }
        }
        let encounterLeave = -expm1(-1.0), reattemptLeave = -expm1(-0.1)
        for _ in 0..<steps {
            // Pooled capacity of the court: S/D of each group's stock.
            for l in 0..<lanes {
                var demand = 0.0
                for g in 0..<5 { demand += court[g * lanes + l] }
                served[l] = demand > 0 ? min(demand, 36_000) / demand : 0
            }
            for g in 0..<5 {
                let leave = -expm1(-departure[g])
                for l in 0..<lanes {
                    let i = g * lanes + l
                    let left = home[i] * leave
                    let encountered = transit[i] * encounterLeave
                    let completed = court[i] * served[l]
                    let reattempts = returned[i] * reattemptLeave
                    home[i] -= left
                    transit[i] = transit[i] - encountered + left + reattempts + 100
                    court[i] = court[i] - completed + encountered * 0.7
                    protected[i] += completed * grant[g]
                    returned[i] = returned[i] - reattempts + encountered * 0.3 + completed * (1 - grant[g])
                }
            }
        }
        return home[0]
    }
}

func regionalDefinition() -> RunDefinition {
    try! ScenarioLoader.load(path: repository.appendingPathComponent("Datasets/scenarios/baseline.yaml").path)
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput, .mallocCountTotal],
        warmupIterations: smoke ? 0 : 1,
        maxDuration: .seconds(smoke ? 1 : 10),
        maxIterations: smoke ? 1 : 20,
        thresholds: [.mallocCountTotal: .init(absolute: [.p90: 0])]
    )
    let lanes = 256, steps = 120

    // MARK: - Step kernels: one tile of 256 members through 120 steps, no allocation inside.
    for kernel in kernels {
        let model = loadModel(kernel.yaml, horizon: steps)
        Benchmark("kernel-\(kernel.name)-members\(lanes)-steps\(steps)",
                  configuration: .init(scalingFactor: .one)) { benchmark in
            let tile = try PreparedTile(model: model, lanes: lanes, draws: false)
            benchmark.startMeasurement()
            for _ in benchmark.scaledIterations {
                try tile.run()
                blackHole(tile.firstMemberStock(slot: 0))
            }
            benchmark.stopMeasurement()
        }
    }

    // MARK: - Generic engine against a hand-written loop of the same model.
    let handModel = loadModel(handModelYAML, horizon: steps)
    Benchmark("generic-engine-hand-model-members\(lanes)-steps\(steps)") { benchmark in
        let tile = try PreparedTile(model: handModel, lanes: lanes, draws: false)
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            try tile.run()
            blackHole(tile.firstMemberStock(slot: 0))
        }
    }
    Benchmark("hand-written-loop-hand-model-members\(lanes)-steps\(steps)") { benchmark in
        var hand = HandWrittenModel(lanes: lanes)
        // The two must agree before their speeds are compared.
        let tile = try PreparedTile(model: handModel, lanes: lanes, draws: false)
        try tile.run()
        let generic = tile.firstMemberStock(slot: 0), specialized = hand.run(steps: steps)
        precondition(abs(generic - specialized) <= 1e-9 * abs(generic), "hand-written loop disagrees: \(specialized) vs \(generic)")
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            blackHole(hand.run(steps: steps))
        }
    }

    // MARK: - Whole runs of the regional model (276 months) with streaming summaries.
    let regional = regionalDefinition().model.compile(horizon: 276)
    for members in smoke ? [1, 1000] : [1, 1000, 100_000] {
        Benchmark("regional-run-members\(members)-steps276",
                  configuration: .init(maxIterations: members >= 100_000 ? 3 : (smoke ? 1 : 20),
                                       thresholds: [:])) { benchmark in
            for _ in benchmark.scaledIterations {
                blackHole(try Ensemble.run(regional, options: RunOptions(members: members, seed: 1, threads: 2)))
            }
        }
    }

    // MARK: - Streaming summaries: the same 4,096 members with and without them (both in
    // tiles of 1,024, so that the difference is the summaries alone).
    for summarize in [false, true] {
        Benchmark("regional-members4096-\(summarize ? "with" : "without")-summaries",
                  configuration: .init(thresholds: [:])) { benchmark in
            for _ in benchmark.scaledIterations {
                blackHole(try Ensemble.run(regional, options: RunOptions(members: 4096, seed: 1, threads: 1, tileSize: 1024,
                                                                        summarize: summarize)))
            }
        }
    }

    // The example scenario (48 series): the summaries' cost per value is (with − without) /
    // (members × 5,785 values each: 25 stocks × 121 months + 23 flows and outputs × 120),
    // all in tiles of 1,024 (the default), so that the
    // difference is the summaries alone. 4,096 and 16,384 members: the difference between
    // the two is the cost of 12 more tiles once a worker's sketches are set up.
    let example = try! ScenarioLoader.load(path: repository.appendingPathComponent("Datasets/examples/scenario.yaml").path)
        .model.compile(horizon: 120)
    for (members, summarize) in [(4096, false), (4096, true), (16384, false), (16384, true)] {
        Benchmark("example-members\(members)-\(summarize ? "with" : "without")-summaries",
                  configuration: .init(thresholds: [:])) { benchmark in
            for _ in benchmark.scaledIterations {
                blackHole(try Ensemble.run(example, options: RunOptions(members: members, seed: 1, threads: 1, tileSize: 1024,
                                                                       summarize: summarize)))
            }
        }
    }

    // Summary updates allocate nothing once a worker's sketches hold their cells' ranges:
    // tiles of the example model's members streamed into the summary of every series after
    // four tiles (in which the sketches' arena grows to its size: here 7 allocations, all in
    // the first two), eight tiles a sample, each the next 1,024 members (new values, new
    // extremes). The step loop's share is the kernels' zero.
    Benchmark("summary-updates-example-members1024-steps120", configuration: .init(scalingFactor: .one)) { benchmark in
        let warmUpTiles = 4, tilesPerSample = 8
        let tile = try PreparedTile(model: example, lanes: 1024, seed: 1,
                                    summarizedTiles: warmUpTiles + tilesPerSample * benchmark.scaledIterations.count)
        for index in 0..<warmUpTiles { try tile.run(firstMember: index * 1024) }
        var firstMember = warmUpTiles * 1024
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            for _ in 0..<tilesPerSample {
                try tile.run(firstMember: firstMember)
                firstMember += 1024
            }
        }
        benchmark.stopMeasurement()
        blackHole(tile.firstMemberStock(slot: 0))
    }

    // MARK: - Calibration: one Levenberg-Marquardt iteration of the baseline fit
    // (a Jacobian of 1,411 members in one batch, QR solves of the stacked damped system).
    Benchmark("calibration-baseline-one-iteration", configuration: .init(maxIterations: smoke ? 1 : 5, thresholds: [:])) { benchmark in
        var config = try CalibrationConfig.load(path: repository.appendingPathComponent("Datasets/calibration/baseline.yaml").path)
        config.maximumIterations = 1
        let inputs = try config.loadInputs()
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            blackHole(try Calibrator(config: config, scenario: inputs.scenario, observed: inputs.observed, threads: 2).fit())
        }
    }
    Benchmark("lapack-qr-step-4000x1411", configuration: .init(maxIterations: smoke ? 1 : 10, thresholds: [:])) { benchmark in
        // One damped step of the baseline calibration: dgels (QR) of the stacked
        // [J; sqrt(lambda) D] system, about 2,600 residuals + 1,411 damping rows by 1,411 unknowns.
        let rows = 4000, n = 1411
        var a = Matrix(rows: rows, columns: n)
        for j in 0..<n { for i in 0..<rows { a[i, j] = i == j ? Double(n) : 1 / Double(1 + i + j) } }
        let b = Matrix(rows: rows, columns: 1, repeating: 1)
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations { blackHole(try LinearAlgebra.leastSquares(a, b)) }
    }

    // MARK: - Sensitivity: the regression of an output on 1,000 members' draws.
    Benchmark("sensitivity-regression-members1000", configuration: .init(maxIterations: smoke ? 1 : 10, thresholds: [:])) { benchmark in
        let definition = regionalDefinition()
        for _ in benchmark.scaledIterations {
            blackHole(try Sensitivity.run(scenario: try Scenario(definition, members: 1000, seed: 1), output: "courtBacklog",
                                          month: Month(parsing: "2030-09")!, threads: 2))
        }
    }
}
