import CorridorAnalysis
import CorridorEngine
import CorridorIO
import CorridorModel
import Foundation
import Yams

/// Caps on what one request may ask, so a page or a script cannot take the machine.
public struct ServerLimits: Sendable {
    /// Members of one ensemble (per configuration or candidate).
    public var members = 5000
    /// Months one run may span.
    public var horizon = 600
    /// Candidates per batch of a plan.
    public var candidates = 41
    /// Configurations of one comparison.
    public var configurations = 6
    /// Runs computing at once; more wait their turn.
    public var concurrentRuns = 2
    /// Runs waiting for a turn; more are refused (429).
    public var waitingRuns = 32
    /// Bytes of one request body.
    public var bodyBytes = 65_536

    public init() {}
}

/// The planning page's work, without HTTP: scenarios and their levers, runs with their
/// difference from the unchanged scenario, comparisons, plans, and the files that
/// reproduce them with the command line. Every number comes from the same library calls
/// the `corridor` commands make.
package final class PlanningService: Sendable {
    package let catalog: ScenarioCatalog
    package let observed: ObservedData?
    package let limits: ServerLimits
    /// Worker threads of each run.
    package let threads: Int
    /// The unchanged scenarios' recorded outputs, by what made them (the last few).
    private let unchangedRuns = Locked<[(key: String, recorded: RecordedSeries)]>([])

    package init(catalog: ScenarioCatalog, observed: ObservedData?, limits: ServerLimits, threads: Int) {
        self.catalog = catalog
        self.observed = observed
        self.limits = limits
        self.threads = threads
    }

    // MARK: - Scenarios

    package struct ScenarioInfo: Encodable {
        package var name: String
        package var title: String
        package var notes: [String]
        package var start: String
        package var horizon: Int
        package var members: Int
        package var seed: UInt64
        package var outputs: [OutputInfo]
        package var defaultOutputs: [String]
        package var levers: [LeverInfo]
    }

    package struct BrokenScenario: Encodable {
        package var name: String
        package var error: String
    }

    package struct OverlayInfo: Encodable {
        package var name: String
        package var description: String
    }

    package struct ScenarioList: Encodable {
        package var corridor = CorridorVersion.current
        package var scenarios: [ScenarioInfo]
        /// Files of the folder that do not load, with the reason.
        package var unreadable: [BrokenScenario]
        package var overlays: [OverlayInfo]
        package var limits: Limits

        package struct Limits: Encodable {
            package var members, horizon, candidates, configurations: Int
        }
    }

    package func scenarioList() -> ScenarioList {
        var scenarios: [ScenarioInfo] = [], broken: [BrokenScenario] = []
        for (name, result) in catalog.scenarios() {
            switch result {
            case let .success(entry):
                do { scenarios.append(try info(entry)) } catch { broken.append(BrokenScenario(name: name, error: APIError.from(error).message)) }
            case let .failure(error): broken.append(BrokenScenario(name: name, error: APIError.from(error).message))
            }
        }
        return ScenarioList(scenarios: scenarios, unreadable: broken,
                            overlays: catalog.overlays().map { OverlayInfo(name: $0.name, description: $0.description) },
                            limits: .init(members: limits.members, horizon: limits.horizon, candidates: limits.candidates,
                                          configurations: limits.configurations))
    }

    private func info(_ entry: ScenarioCatalog.Entry) throws -> ScenarioInfo {
        let scenario = entry.scenario, model = scenario.model
        let outputs = model.outputNames.map { name in
            let presentation = model.presentation[name]
            return OutputInfo(name: name, label: presentation?.label ?? name, unit: presentation?.unit ?? "",
                              observed: presentation?.observed?.series)
        }
        let shown = model.levers.filter { scenario.months.contains($0.from) }
        let values = try scenario.values(shown.map { ($0.parameter, $0.from) })
        let levers = zip(shown, values).map { lever, value in
            LeverInfo(parameter: lever.parameter, label: lever.label, unit: lever.unit, min: lever.range.lowerBound,
                      max: lever.range.upperBound, step: lever.step, from: lever.from.description, ramp: lever.ramp, value: value)
        }
        return ScenarioInfo(name: entry.name, title: scenario.name, notes: scenario.definition.notes, start: model.start.description,
                            horizon: scenario.horizon, members: scenario.members, seed: scenario.seed, outputs: outputs,
                            defaultOutputs: model.chartedOutputs,
                            levers: levers)
    }

    // MARK: - Configurations

    /// A configuration made ready to run: the scenario with the overlay and levers applied,
    /// the same scenario unchanged (overlay applied, no lever moved), and what was applied.
    package struct Prepared {
        package var changed: Scenario
        package var unchanged: Scenario
        package var entry: ScenarioCatalog.Entry
        package var overlay: ScenarioCatalog.Overlay?
        /// Each moved lever's `set` entry, in the model's lever order.
        package var setEntries: [(parameter: String, entry: String)]
        package var name: String
    }

    package func prepare(_ configuration: Configuration, _ settings: EnsembleSettings, defaultMembers: Int = 1000) throws -> Prepared {
        let entry = try catalog.scenario(named: configuration.scenario)
        var unchanged = entry.scenario
        if let members = settings.members {
            guard (1...limits.members).contains(members) else {
                throw APIError.badRequest("members: \(members) is outside 1…\(limits.members), this server's cap (corridor serve --max-members)")
            }
            unchanged.members = members
        } else {
            unchanged.members = min(limits.members, unchanged.members > 1 ? unchanged.members : defaultMembers)
        }
        if let seed = settings.seed { unchanged.seed = seed }
        if let horizon = settings.horizon {
            guard (1...min(limits.horizon, Scenario.maximumHorizon)).contains(horizon) else {
                throw APIError.badRequest("horizon: \(horizon) months is outside 1…\(min(limits.horizon, Scenario.maximumHorizon)), this server's cap (corridor serve --max-horizon)")
            }
            unchanged.horizon = horizon
        } else if unchanged.horizon > limits.horizon {
            throw APIError.badRequest("horizon: scenario '\(entry.name)' runs \(unchanged.horizon) months, over this server's cap of \(limits.horizon) (corridor serve --max-horizon); give a shorter horizon")
        }
        var overlay: ScenarioCatalog.Overlay?
        if let name = configuration.overlay {
            overlay = try catalog.overlay(named: name)
            unchanged = try unchanged.addingOverlay(path: overlay!.file.path)
        }
        let levers = unchanged.model.levers
        for name in configuration.levers.keys where !levers.contains(where: { $0.parameter == name }) {
            let names = levers.map(\.parameter)
            throw APIError.badRequest("levers: the model has no lever '\(name)'.\(didYouMean(name, names)) Its levers are \(names.joined(separator: ", ")) (the model file's `levers:`)")
        }
        var changed = unchanged, setEntries: [(String, String)] = []
        for lever in levers {
            guard let move = configuration.levers[lever.parameter] else { continue }
            guard move.value.isFinite else { throw APIError.badRequest("levers.\(lever.parameter): the value must be a finite number") }
            let (moved, entry) = try changed.moving(lever, to: move.value, from: move.from, ramp: move.ramp)
            changed = moved
            setEntries.append((lever.parameter, entry))
        }
        let name = configuration.name ?? entry.name
        return Prepared(changed: changed.named(name), unchanged: unchanged, entry: entry, overlay: overlay,
                        setEntries: setEntries, name: name)
    }

    /// The outputs asked for (default: the model's report outputs), checked.
    package func outputs(_ selection: Selection, of scenario: Scenario) throws -> [String] {
        let model = scenario.model
        let names = selection.outputs ?? model.chartedOutputs
        guard !names.isEmpty else { throw APIError.badRequest("outputs: name at least one output") }
        for name in names where !model.outputNames.contains(name) {
            throw APIError.badRequest("outputs: the model has no output '\(name)'; its outputs are \(model.outputNames.joined(separator: ", "))")
        }
        return names
    }

    /// Bytes a request may hold as member-by-member outputs (its paired differences need every
    /// member's chosen outputs at every month, of each ensemble compared).
    static let recordedMemoryBudget = 2 << 30

    /// Refuses a request whose member-by-member outputs would not fit `recordedMemoryBudget`,
    /// before anything is allocated (raised caps such as 1,000,000 members × 1,200 months would
    /// otherwise take tens of gigabytes).
    private func checkRecordedMemory(_ scenario: Scenario, outputs: [String], ensembles: Int) throws {
        let bytes = Double(scenario.members) * Double(scenario.horizon + 1) * Double(outputs.count * ensembles * MemoryLayout<Double>.size)
        guard bytes > Double(Self.recordedMemoryBudget) else { return }
        let gibibytes = String(format: "%.1f", bytes / Double(1 << 30))
        throw APIError.badRequest("members: \(scenario.members) members × \(scenario.horizon) months × \(outputs.count) outputs × \(ensembles) ensembles need \(gibibytes) GiB for the member-by-member differences, over this server's 2 GiB; ask for fewer members, a shorter horizon or fewer outputs")
    }

    // MARK: - Run

    /// A run of a configuration: its streamed summaries (what `corridor run --summaries
    /// outputs` writes) and every member's chosen outputs beside the unchanged scenario's.
    package struct RunOutcome {
        package var prepared: Prepared
        package var outputs: [String]
        package var result: EnsembleResult
        package var comparison: Comparison
        package var steps: [Int]
        package var seconds: Double
    }

    package func run(_ request: RunRequest) throws -> RunOutcome {
        let began = Date()
        let prepared = try prepare(request.configuration, request.ensemble)
        let scenario = prepared.changed
        let outputs = try outputs(request.selection, of: scenario)
        try checkRecordedMemory(scenario, outputs: outputs, ensembles: 2)
        let steps = try request.selection.at.map { try scenario.step(of: $0, "at: the month") }
        let model = scenario.compiled()
        let kinds = outputs.map { SeriesKind.output(model.outputNames.firstIndex(of: $0)!) }
        var options = scenario.runOptions(threads: threads)
        options.summaryScope = .outputs
        options.record = kinds
        let result = try Ensemble.run(model, options: options)
        let unchanged = try unchangedRecord(prepared, kinds: kinds, outputs: outputs)
        let comparison = Comparison(names: [prepared.entry.name, prepared.name], outputs: outputs, start: model.start,
                                    horizon: scenario.horizon, members: scenario.members, recorded: [unchanged, result.recorded!])
        return RunOutcome(prepared: prepared, outputs: outputs, result: result, comparison: comparison, steps: steps,
                          seconds: Date().timeIntervalSince(began))
    }

    /// The unchanged scenario's recorded outputs, from the last few made or run now.
    private func unchangedRecord(_ prepared: Prepared, kinds: [SeriesKind], outputs: [String]) throws -> RecordedSeries {
        let scenario = prepared.unchanged
        let stamps = prepared.entry.stamps.sorted { $0.key < $1.key }.map { "\($0.key)@\($0.value.timeIntervalSince1970)" }
        let key = ([prepared.entry.name, prepared.overlay?.name ?? "-", "\(scenario.members)", "\(scenario.seed)",
                    "\(scenario.horizon)"] + outputs + stamps).joined(separator: "|")
        if let cached = unchangedRuns.withLock({ $0.first { $0.key == key }?.recorded }) { return cached }
        var options = scenario.runOptions(threads: threads)
        options.summarize = false
        options.record = kinds
        let recorded = try Ensemble.run(scenario.compiled(), options: options).recorded!
        unchangedRuns.withLock { runs in
            runs.removeAll { $0.key == key }
            runs.insert((key, recorded), at: 0)
            if runs.count > 4 { runs.removeLast() }
        }
        return recorded
    }

    package struct OutputResult: Encodable {
        package var info: OutputInfo
        /// Over members at each month: the mean and p05, p25, p50, p75, p95 (`summary.csv`'s).
        package var mean: [Double]
        package var quantiles: [String: [Double]]
        /// The difference from the unchanged scenario, member by member.
        package var difference: BandSeries
        package var observed: [ObservedPoint]
        package var at: [KeyNumber]
    }

    /// An output at a chosen month: the level's quantiles and the difference's band.
    package struct KeyNumber: Encodable {
        package var month: String
        package var mean, p05, p25, p50, p75, p95: Double
        package var difference: DifferenceBand
    }

    package struct DifferenceBand: Encodable {
        package var mean, p05, p50, p95: Double
    }

    package struct RunResponse: Encodable {
        package var corridor = CorridorVersion.current
        package var scenario: String
        package var overlay: String?
        package var seed: UInt64
        package var members: Int
        package var start: String
        package var horizon: Int
        /// Each moved lever's scenario `set` entry.
        package var set: [String: String]
        package var outputs: [OutputResult]
        package var seconds: Double
    }

    package func response(_ outcome: RunOutcome) -> RunResponse {
        let scenario = outcome.prepared.changed, result = outcome.result, model = result.model
        let levels = EnsembleSummary.quantileLevels.map { "p" + String(format: "%02d", Int(($0 * 100).rounded())) }
        let outputs = outcome.outputs.enumerated().map { index, name -> OutputResult in
            let o = model.outputNames.firstIndex(of: name)!
            let steps = 0..<model.horizon
            var mean: [Double], quantiles: [[Double]]
            if let summary = result.summary, let series = summary.catalog.kinds.firstIndex(of: .output(o)) {
                let cells = steps.map { summary.cell(step: $0, series: series) }
                mean = cells.map { summary.mean[$0] }
                quantiles = summary.quantiles.map { level in cells.map { level[$0] } }
            } else {  // one member: its values
                mean = steps.map { result.trajectories!.output(member: 0, step: $0, output: o) }
                quantiles = levels.map { _ in mean }
            }
            let differences = steps.map { outcome.comparison.difference(scenario: 1, output: index, step: $0) }
            let presentation = scenario.model.presentation[name]
            let observedPoints = presentation?.observed.flatMap { match in observed?.points(match) } ?? []
            return OutputResult(
                info: OutputInfo(name: name, label: presentation?.label ?? name, unit: presentation?.unit ?? "", observed: presentation?.observed?.series),
                mean: mean, quantiles: Dictionary(uniqueKeysWithValues: zip(levels, quantiles)),
                difference: BandSeries(differences),
                observed: observedPoints.filter { scenario.months.contains($0.month) }.map { ObservedPoint(month: $0.month.description, value: $0.value) },
                at: outcome.steps.map { step in
                    let d = differences[step]
                    return KeyNumber(month: model.start.advanced(by: step).description, mean: mean[step], p05: quantiles[0][step],
                                     p25: quantiles[1][step], p50: quantiles[2][step], p75: quantiles[3][step], p95: quantiles[4][step],
                                     difference: DifferenceBand(mean: d.mean, p05: d.p05, p50: d.p50, p95: d.p95))
                })
        }
        return RunResponse(scenario: outcome.prepared.entry.name, overlay: outcome.prepared.overlay?.name, seed: scenario.seed,
                           members: scenario.members, start: model.start.description, horizon: model.horizon,
                           set: Dictionary(uniqueKeysWithValues: outcome.prepared.setEntries.map { ($0.parameter, $0.entry) }),
                           outputs: outputs, seconds: outcome.seconds)
    }

    /// The run's file as `corridor run --summaries outputs --out` writes it: `summary.csv`,
    /// or `outputs.csv` for one member.
    package func csv(_ outcome: RunOutcome) -> (name: String, text: String) {
        let result = outcome.result
        if let summary = result.summary {
            return ("summary.csv", ResultFiles.summary(result.model, summary, units: outcome.prepared.changed.model.outputUnits))
        }
        return ("outputs.csv", ResultFiles.outputs(result.model, result.trajectories!, withMember: false))
    }

    // MARK: - Compare

    package struct CompareResponse: Encodable {
        package var corridor = CorridorVersion.current
        package var seed: UInt64
        package var members: Int
        package var start: String
        package var horizon: Int
        package var configurations: [String]
        package var outputs: [ComparedOutput]
        package var seconds: Double
    }

    package struct ComparedOutput: Encodable {
        package var info: OutputInfo
        /// Per configuration: its level and its difference from the first, member by member.
        package var levels: [BandSeries]
        package var differences: [BandSeries]
    }

    package func compare(_ request: CompareRequest) throws -> (comparison: Comparison, response: CompareResponse) {
        let began = Date()
        guard (1...limits.configurations).contains(request.configurations.count) else {
            throw APIError.badRequest("configurations: give 1 to \(limits.configurations) (this server's cap, corridor serve --max-configurations); got \(request.configurations.count)")
        }
        var prepared = try request.configurations.map { try prepare($0, request.ensemble) }
        let names = prepared.map(\.name)
        for (index, name) in names.enumerated() where names[..<index].contains(name) {
            prepared[index].changed = prepared[index].changed.named("\(name) (\(index + 1))")
        }
        let reference = prepared[0].changed
        let outputs = try outputs(request.selection, of: reference)
        try checkRecordedMemory(reference, outputs: outputs, ensembles: prepared.count)
        let scenarios = prepared.map { configuration -> Scenario in
            var scenario = configuration.changed
            scenario.horizon = reference.horizon
            scenario.members = reference.members
            scenario.seed = reference.seed
            return scenario
        }
        let comparison = try Comparison(scenarios: scenarios, outputs: outputs, threads: threads)
        let compared = outputs.enumerated().map { index, name -> ComparedOutput in
            let presentation = reference.model.presentation[name]
            let steps = 0..<comparison.horizon
            return ComparedOutput(
                info: OutputInfo(name: name, label: presentation?.label ?? name, unit: presentation?.unit ?? "", observed: presentation?.observed?.series),
                levels: comparison.names.indices.map { k in BandSeries(steps.map { comparison.level(scenario: k, output: index, step: $0) }) },
                differences: comparison.names.indices.map { k in BandSeries(steps.map { comparison.difference(scenario: k, output: index, step: $0) }) })
        }
        return (comparison, CompareResponse(seed: reference.seed, members: reference.members, start: comparison.start.description,
                                            horizon: comparison.horizon, configurations: comparison.names, outputs: compared,
                                            seconds: Date().timeIntervalSince(began)))
    }

    // MARK: - Plan

    package struct PlanResponse: Encodable {
        package var corridor = CorridorVersion.current
        package var seed: UInt64
        package var members: Int
        package var lever: String
        package var target: String
        package var confidence: Double
        package var range: [Double]
        package var from: String
        package var ramp: Int
        package var curve: [Point]
        /// The least value meeting the target with `confidence`; null when none in the range does.
        package var answer: Double?
        package var seconds: Double

        package struct Point: Encodable {
            package var value: Double
            package var probability: Double
        }
    }

    package func plan(_ request: PlanRequest) throws -> (plan: Plan, response: PlanResponse) {
        let began = Date()
        let prepared = try prepare(request.configuration, request.ensemble, defaultMembers: 200)
        let scenario = prepared.changed
        guard let lever = scenario.model.levers.first(where: { $0.parameter == request.lever }) else {
            throw APIError.badRequest("lever: the model has no lever '\(request.lever)'; its levers are \(scenario.model.levers.map(\.parameter).joined(separator: ", "))")
        }
        guard (2...limits.candidates).contains(request.candidates) else {
            throw APIError.badRequest("candidates: \(request.candidates) is outside 2…\(limits.candidates), this server's cap (corridor serve --max-candidates)")
        }
        guard request.confidence > 0, request.confidence <= 1 else {
            throw APIError.badRequest("confidence: must be in (0, 1]; got \(request.confidence)")
        }
        var range = lever.range
        if let given = request.range {
            guard given.count == 2, given[0] < given[1], given.allSatisfy(\.isFinite) else {
                throw APIError.badRequest("range: give [low, high] with low < high; got \(given)")
            }
            range = given[0]...given[1]
        }
        let plan = try Plan.run(scenario: scenario, parameter: lever.parameter, target: request.target, confidence: request.confidence,
                                range: range, from: lever.from, ramp: lever.ramp, candidates: request.candidates,
                                wholeNumbers: Plan.isWholeNumberRange(range, candidates: request.candidates), threads: threads)
        return (plan, PlanResponse(seed: scenario.seed, members: scenario.members, lever: lever.parameter, target: request.target.description,
                                   confidence: request.confidence, range: [range.lowerBound, range.upperBound], from: lever.from.description,
                                   ramp: lever.ramp, curve: plan.curve.map { .init(value: $0.value, probability: $0.probability) },
                                   answer: plan.answer, seconds: Date().timeIntervalSince(began)))
    }

    // MARK: - Scenario file

    /// The scenario file that reproduces a configuration with `corridor run`: the base
    /// scenario's keys, the overlay added to its `overlays`, members and seed as run, and
    /// each moved lever's entry in `set`. It is written for the scenarios folder (its
    /// paths are relative to it).
    package func scenarioFile(_ request: ScenarioFileRequest) throws -> (name: String, text: String) {
        let prepared = try prepare(request.configuration, request.ensemble)
        let scenario = prepared.changed
        let text = try String(contentsOf: prepared.entry.file, encoding: .utf8)
        guard var root = try Yams.compose(yaml: text), case var .mapping(mapping) = root else {
            throw APIError(status: 500, message: "error: \(prepared.entry.file.path) is not a YAML mapping")
        }
        let fileName = request.configuration.name.map(Self.fileName) ?? "\(prepared.entry.name)-planned"
        mapping["name"] = Node(request.configuration.name ?? fileName)
        mapping["horizon"] = Node(String(scenario.horizon))
        mapping["members"] = Node(String(scenario.members))
        mapping["seed"] = Node(String(scenario.seed))
        if let overlay = prepared.overlay {
            var overlays = mapping["overlays"]?.sequence ?? Node.Sequence([], .implicit, .flow)
            overlays.append(Node(relativePath(overlay.file, from: catalog.scenariosFolder)))
            mapping["overlays"] = .sequence(overlays)
        }
        if !prepared.setEntries.isEmpty {
            var set = mapping["set"]?.mapping ?? Node.Mapping([])
            for (parameter, entry) in prepared.setEntries {
                let schedule = try Yams.compose(yaml: entry)!.mapping!["schedule"]!
                var existing = set[parameter]?.mapping ?? Node.Mapping([], .implicit, .flow)
                existing["schedule"] = schedule
                set[parameter] = .mapping(existing)
            }
            mapping["set"] = .mapping(set)
        }
        root = .mapping(mapping)
        let moved = prepared.setEntries.map { "\($0.parameter) \($0.entry)" }
        let folder = displayPath(catalog.scenariosFolder)
        var header = ["\(fileName).yaml: made on Corridor's planning page (corridor \(CorridorVersion.current)) from scenario '\(prepared.entry.name)' (\(displayPath(prepared.entry.file)))."]
        if let overlay = prepared.overlay { header.append("Overlay added: \(overlay.name).") }
        header.append(moved.isEmpty ? "No lever moved." : "Levers moved: " + moved.joined(separator: "; ") + ".")
        header += ["Save it in \(folder)/ (its paths are relative to that folder) and run:",
                   "  corridor run \(folder)/\(fileName).yaml --summaries outputs --out out/\(fileName)"]
        let body = try Yams.serialize(node: root, width: -1)
        return ("\(fileName).yaml", header.map { "# " + $0 }.joined(separator: "\n") + "\n" + body)
    }

    /// A configuration's name as a file name: letters, digits, `-` and `_`.
    package static func fileName(_ name: String) -> String {
        let kept = name.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" ? $0 : "-" }
        let text = String(kept).trimmingCharacters(in: CharacterSet(charactersIn: "-"))
        return text.isEmpty ? "planned" : text
    }

    private func relativePath(_ file: URL, from folder: URL) -> String {
        let target = file.standardizedFileURL.pathComponents, base = folder.standardizedFileURL.pathComponents
        var common = 0
        while common < min(target.count, base.count), target[common] == base[common] { common += 1 }
        return (Array(repeating: "..", count: base.count - common) + target[common...]).joined(separator: "/")
    }
}
