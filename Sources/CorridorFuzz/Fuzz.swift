import CorridorAnalysis
import CorridorEngine
import CorridorModel
import CorridorPlanning
import Foundation

/// libFuzzer targets for everything Corridor parses from files people edit (Docs/reliability.md).
/// Built for fuzzing with `scripts/fuzz` (`--sanitize fuzzer --sanitize address` and
/// `-DCORRIDOR_FUZZING`, so libFuzzer supplies `main`); built normally it is a replayer:
/// `corridor-fuzz TARGET FILE...` feeds each file to the target once.
/// The target is chosen by `CORRIDOR_FUZZ_TARGET` (fuzzing) or the first argument (replay).
enum FuzzTarget: String, CaseIterable {
    /// A whole model or scenario file, loaded, compiled and run for three months.
    case model
    /// The input as an output expression and a flow rate of a small model.
    case expression
    /// The input as a series CSV file that a model's parameter reads.
    case series
    /// The input as an observed-data CSV file.
    case observed
    /// The input as a calibration file.
    case calibration
    /// The input as the body of each planning API request (run, compare, plan, scenario
    /// file), answered by the planning service on a small scenario with one lever.
    case api

    /// A private folder for the files a target writes, one per process.
    static let folder: URL = {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("corridor-fuzz-\(getpid())")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }()

    /// Feeds `data` to the target. Errors are the expected answer to bad input; only a
    /// crash, a hang or a sanitizer report is a finding.
    func run(_ data: Data) {
        let text = String(decoding: data, as: UTF8.self)
        do {
            switch self {
            case .model:
                try loadAndRun(write(text, to: "input.yaml"))
            case .expression:
                let quoted = "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
                    .replacingOccurrences(of: "\n", with: "\\n") + "\""
                try loadAndRun(write(Self.smallModel(rate: quoted, output: quoted), to: "expression.yaml"))
            case .series:
                _ = try write(text, to: "series.csv")
                try loadAndRun(write(Self.smallModel(rate: "0.1", output: "total(x)", series: "series.csv"), to: "series-model.yaml"))
            case .observed:
                _ = try ObservedData.load(file: write(text, to: "observed.csv"))
            case .calibration:
                _ = try CalibrationConfig.parse(text: text, file: "calibration.yaml", folder: Self.folder)
            case .api:
                Self.answerAsEveryRequest(data)
            }
        } catch {
            _ = "\(error)"  // every message is built, as the CLI would print it
        }
    }

    private func write(_ text: String, to name: String) throws -> String {
        let url = Self.folder.appendingPathComponent(name)
        try Data(text.utf8).write(to: url)
        return url.path
    }

    /// The planning service over a folder with one scenario of the small model (a lever on
    /// `k`) and one overlay, with caps that keep every answer small.
    static let planning: PlanningService = {
        let scenarios = folder.appendingPathComponent("api/scenarios"), overlays = folder.appendingPathComponent("api/overlays")
        for url in [scenarios, overlays] { try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true) }
        let model = smallModel(rate: "0.1", output: "total(x)") + "\nlevers:\n  k: {min: 0, max: 10, from: 2024-03, ramp: 2}\n"
        try? Data(model.utf8).write(to: scenarios.appendingPathComponent("model.yaml"))
        try? Data("format: corridor-scenario/1\nmodel: model.yaml\nhorizon: 12\n".utf8).write(to: scenarios.appendingPathComponent("s.yaml"))
        try? Data("format: corridor-overlay/1\nset:\n  s: {value: 2}\n".utf8).write(to: overlays.appendingPathComponent("o.yaml"))
        var limits = ServerLimits()
        limits.members = 4
        limits.horizon = 24
        limits.candidates = 4
        limits.configurations = 3
        return PlanningService(catalog: ScenarioCatalog(scenarios: scenarios, overlays: overlays), observed: nil, limits: limits, threads: 1)
    }()

    /// Decodes the input as each request body and answers it; errors are the expected answer.
    private static func answerAsEveryRequest(_ data: Data) {
        let decoder = JSONDecoder()
        func attempt(_ body: () throws -> Void) {
            do { try body() } catch { _ = APIError.from(error).message }
        }
        attempt { _ = planning.response(try planning.run(decoder.decode(RunRequest.self, from: data))) }
        attempt { _ = try planning.compare(decoder.decode(CompareRequest.self, from: data)) }
        attempt { _ = try planning.plan(decoder.decode(PlanRequest.self, from: data)) }
        attempt { _ = try planning.scenarioFile(decoder.decode(ScenarioFileRequest.self, from: data)) }
        attempt { _ = try decoder.decode(CancelRequest.self, from: data) }
    }

    private func loadAndRun(_ path: String) throws {
        let definition = try ScenarioLoader.load(path: path)
        let model = definition.model.compile(horizon: 3)
        _ = try Ensemble.run(model, options: RunOptions(members: 2, seed: 1, threads: 1, tileSize: 2))
    }

    static func smallModel(rate: String, output: String, series: String? = nil) -> String {
        """
        format: corridor-model/1
        name: fuzz
        start: 2024-01
        groups: [A, B]
        compartments: [x, y]
        parameters:
          k: {value: 2, uncertainty: {dist: lognormal, cv: 0.1}}
          \(series.map { "s: {series: \($0)}" } ?? "s: {value: 1}")
        initial: {x: 100}
        flows:
          - {name: f, from: x, rate: \(rate), to: y}
          - {name: g, inflow: k * s, to: x}
        outputs:
          o: \(output)
        """
    }
}

private let selectedTarget: FuzzTarget = {
    let name = ProcessInfo.processInfo.environment["CORRIDOR_FUZZ_TARGET"] ?? "model"
    guard let target = FuzzTarget(rawValue: name) else {
        FileHandle.standardError.write(Data("CORRIDOR_FUZZ_TARGET must be one of \(FuzzTarget.allCases.map(\.rawValue).joined(separator: ", "))\n".utf8))
        exit(2)
    }
    return target
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ bytes: UnsafeRawPointer, _ count: Int) -> CInt {
    selectedTarget.run(Data(bytes: bytes, count: count))
    return 0
}

#if !CORRIDOR_FUZZING
@main
struct Replay {
    static func main() {
        let arguments = Array(CommandLine.arguments.dropFirst())
        guard let first = arguments.first, let target = FuzzTarget(rawValue: first) else {
            print("usage: corridor-fuzz TARGET FILE...   (TARGET: \(FuzzTarget.allCases.map(\.rawValue).joined(separator: ", ")))")
            exit(2)
        }
        for path in arguments.dropFirst() {
            guard let data = FileManager.default.contents(atPath: path) else { print("cannot read \(path)"); exit(2) }
            target.run(data)
            print("ok \(path)")
        }
    }
}
#endif
