import ArgumentParser
import CorridorModel

/// `corridor validate`: checks files without running them.
struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check model and scenario files without running them; exit 0 when all are valid.",
        discussion: """
            Every rule of the model format is checked, with series CSV files and the model a scenario names. Each problem is reported as file:line:column with what would be valid.

            Example:
              corridor validate Datasets/examples/model.yaml \\
                  Datasets/examples/scenario.yaml
            """
    )

    @Argument(help: "Model or scenario files (YAML or JSON).")
    var files: [String]

    func validate() throws {
        if files.isEmpty { throw ValidationError("give at least one file to validate") }
    }

    func run() throws {
        var failures = 0
        for file in files {
            do {
                let definition = try ScenarioLoader.load(path: file)
                let model = definition.model
                printWarnings(model)
                let kind = definition.isScenario ? "scenario '\(definition.name)' of model '\(model.name)'" : "model '\(model.name)'"
                print("\(file): valid \(kind): \(model.groups.count) groups, \(model.compartments.count) compartments, "
                      + "\(model.parameterNames.count) parameters, \(model.flowNames.count) flows, \(model.outputNames.count) outputs")
            } catch let error as ModelError {
                printError(error.description)
                failures += 1
            }
        }
        if failures > 0 { throw ExitCode.failure }
    }
}
