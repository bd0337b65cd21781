import CorridorEngine
import Foundation
@testable import CorridorModel

/// A temporary folder of model, scenario and series files for one test.
final class Workspace {
    let folder: URL

    init() {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("corridor-test-\(UUID().uuidString)")
        try! FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: folder) }

    @discardableResult
    func write(_ name: String, _ contents: String) -> String {
        let url = folder.appendingPathComponent(name)
        try! FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try! contents.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    func load(_ name: String, _ contents: String) throws -> RunDefinition {
        try ScenarioLoader.load(path: write(name, contents))
    }

    /// The error loading `contents` gives, with the folder stripped from file names.
    func error(named name: String = "model.yaml", _ contents: String) -> String {
        do {
            _ = try load(name, contents)
            return "no error"
        } catch let error as ModelError {
            return error.description.replacingOccurrences(of: folder.path + "/", with: "")
        } catch {
            return "unexpected \(error)"
        }
    }
}

/// Runs one deterministic member of a model given as YAML text.
func deterministicRun(_ yaml: String, horizon: Int) throws -> (EngineModel, Trajectories) {
    let workspace = Workspace()
    let model = try workspace.load("model.yaml", yaml).model.compile(horizon: horizon)
    let result = try Ensemble.run(model, options: RunOptions(members: 1))
    return (model, result.trajectories!)
}

extension Trajectories {
    func stock(_ model: EngineModel, step: Int, compartment: String, group: String) -> Double {
        let c = model.compartmentNames.firstIndex(of: compartment)!, g = model.groupNames.firstIndex(of: group)!
        return stock(member: 0, step: step, slot: c * model.groupCount + g)
    }

    /// People moved by a flow for a group to a destination during a step.
    func flow(_ model: EngineModel, step: Int, flow name: String, group: String, to destination: String, member: Int = 0) -> Double {
        let f = model.flows.firstIndex { $0.name == name }!, g = model.groupNames.firstIndex(of: group)!
        let d = model.flows[f].destinations.firstIndex(of: model.compartmentNames.firstIndex(of: destination)!)!
        let entry = flowEntries.firstIndex { $0.flow == f && $0.group == g && $0.destination == d }!
        return flow(member: member, step: step, entry: entry)
    }

    func output(_ model: EngineModel, step: Int, _ name: String, member: Int = 0) -> Double {
        output(member: member, step: step, output: model.outputNames.firstIndex(of: name)!)
    }
}

/// A model with one group per name and compartments as given, plus extra YAML.
func modelYAML(groups: [String] = ["A"], compartments: [String], body: String) -> String {
    """
    format: corridor-model/1
    name: test
    start: 2020-01
    groups: [\(groups.joined(separator: ", "))]
    compartments: [\(compartments.joined(separator: ", "))]
    \(body)
    """
}

/// One group moving from x to y at 0.1 / `divisor` a month over `horizon` months: a member
/// whose `divisor` (parameter 0) is scaled to zero fails with a rate of inf.
func divisorModel(horizon: Int) throws -> EngineModel {
    let yaml = modelYAML(compartments: ["x", "y"], body: """
        parameters:
          divisor: {value: 1}
        initial: {x: 10}
        flows:
          - {name: leave, from: x, rate: 0.1 / divisor, to: y}
        """)
    return try Workspace().load("m.yaml", yaml).model.compile(horizon: horizon)
}
