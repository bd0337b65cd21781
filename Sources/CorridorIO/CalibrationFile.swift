import CorridorAnalysis
import CorridorModel
import Foundation
import Yams

extension CalibrationConfig {
    /// Reads and parses a calibration file (`format: corridor-calibration/1`).
    public static func load(path: String) throws -> CalibrationConfig {
        let url = URL(fileURLWithPath: path).standardizedFileURL
        guard let text = try? String(contentsOf: url, encoding: .utf8) else {
            throw ModelError(file: path, message: "no such file or not UTF-8 text; check the path")
        }
        return try parse(text: text, file: path, folder: url.deletingLastPathComponent())
    }

    /// The scenario (or model) the file starts from, resolved to the calibration's horizon,
    /// and the observed data it fits to.
    public func loadInputs() throws -> (scenario: Scenario, observed: ObservedData) {
        let definition = try ScenarioLoader.load(path: scenarioPath)
        let scenario = try Scenario(definition, horizon: horizon(from: definition.model.start))
        return (scenario, try ObservedData.load(folder: observedPath))
    }

    /// The fitted values of `result` as an overlay file (`corridor-overlay/1`) that scenarios
    /// list under `overlays:`, emitted by Yams: one `set` entry per fitted parameter.
    public func overlay(of result: CalibrationResult) throws -> String {
        var written: Set<String> = []
        let model = result.fitted.model
        let entries = parameters.filter { written.insert($0.name).inserted }.map { (Node($0.name), model.setEntry($0.name)) }
        let set = Node.mapping(Node.Mapping([(Node("set"), Node.mapping(Node.Mapping(entries)))]))
        let header = "format: corridor-overlay/1\n"
            + "# Fitted by `corridor calibrate \(file)` to \(Set(targets.map(\.observedSeries)).sorted().joined(separator: ", "))\n"
            + "# over \(window.lowerBound)…\(window.upperBound). Do not edit by hand: run the calibration again.\n"
        // Lines are not folded (width -1); the values are flow mappings (Model.setEntry).
        return header + (try Yams.serialize(node: set, width: -1, sortKeys: false))
    }
}
