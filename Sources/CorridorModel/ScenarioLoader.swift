import CorridorEngine
import Foundation

/// Loads model and scenario files (YAML, or JSON by the `.json` extension).
public enum ScenarioLoader {
    static let scenarioFormat = "corridor-scenario/1"
    static let scenarioKeys = ["format", "name", "model", "overlays", "horizon", "members", "seed", "set"]
    static let overlayFormat = "corridor-overlay/1"

    /// Loads a model file or a scenario file (told apart by its `format`), validating
    /// everything: what `corridor validate` checks and `corridor run` runs.
    public static func load(path: String) throws -> RunDefinition {
        let reads = FilesRead()
        var definition = try FilesRead.$current.withValue(reads) { try loadRecordingFiles(path: path) }
        definition.sourceFiles = reads.paths
        definition.notes = leadingComments(path)
        return definition
    }

    /// The comment lines at the top of a file, before anything else.
    static func leadingComments(_ path: String) -> [String] {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return [] }
        var lines: [String] = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            guard line.hasPrefix("#") else { break }
            lines.append(String(line.dropFirst()).trimmingCharacters(in: .whitespaces))
        }
        return lines
    }

    private static func loadRecordingFiles(path: String) throws -> RunDefinition {
        let (tree, folder) = try parseFile(path: path, shown: path)
        guard case let .mapping(mapping) = tree.node,
              let formatNode = mapping["format"], let format = formatNode.string else {
            return try modelDefinition(tree: tree, folder: folder)
        }
        if format == scenarioFormat {
            return try scenarioDefinition(tree: tree, folder: folder)
        }
        if format == overlayFormat {
            throw YAMLTree(node: formatNode, file: tree.file, keyPath: "format")
                .error("this is an overlay of fitted values: it is not run or validated alone; list it under `overlays:` in a scenario, which validates it")
        }
        return try modelDefinition(tree: tree, folder: folder)
    }

    private static func modelDefinition(tree: YAMLTree, folder: URL) throws -> RunDefinition {
        let model = try ModelParser.parseModel(tree, folder: folder)
        return RunDefinition(model: model, name: model.name, file: tree.file, isScenario: false)
    }

    static func parseFile(path: String, shown: String) throws -> (YAMLTree, URL) {
        let url = URL(fileURLWithPath: path).standardizedFileURL
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else {
            throw ModelError(file: shown, message: "no such file; check the path (it is relative to the folder you run corridor in\(shown == path ? "" : ", or to the file that names it"))")
        }
        guard !isDirectory.boolValue else {
            throw ModelError(file: shown, message: "this is a folder; give a model or scenario file (.yaml or .json)")
        }
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw ModelError(file: shown, message: "cannot read the file; check its permissions")
        }
        FilesRead.current?.record(url.path)
        guard let text = String(data: data, encoding: .utf8), !text.contains("\u{0}") else {
            throw ModelError(file: shown, message: "this is not a text file; a model or scenario is YAML or JSON text in UTF-8")
        }
        let tree = try YAMLTree.parse(text: text, file: shown, isJSON: url.pathExtension.lowercased() == "json")
        guard case .mapping = tree.node else {
            throw tree.error("this is not a model or scenario: expected a YAML mapping that starts with `format: \(ModelParser.modelFormat)` or `format: \(scenarioFormat)`")
        }
        return (tree, url.deletingLastPathComponent())
    }

    private static func scenarioDefinition(tree: YAMLTree, folder: URL) throws -> RunDefinition {
        let entries = try tree.mapping(allowed: scenarioKeys)
        var table: [String: YAMLTree] = [:]
        for (key, value) in entries { table[key] = value }
        guard let modelTree = table["model"] else {
            throw tree.error("missing key 'model': the path of the model file, relative to this scenario")
        }
        let modelPath = try modelTree.scalarText(what: "a model file path")
        let modelURL = URL(fileURLWithPath: modelPath, relativeTo: folder).standardizedFileURL
        let (parsedModel, modelFolder): (YAMLTree, URL)
        do {
            (parsedModel, modelFolder) = try parseFile(path: modelURL.path, shown: displayPath(modelURL))
        } catch let error as ModelError where error.line == nil && !FileManager.default.fileExists(atPath: modelURL.path) {
            throw modelTree.error("model file '\(modelPath)' not found (looked for \(displayPath(modelURL))); the path is relative to this scenario")
        }
        var model = try ModelParser.parseModel(parsedModel, folder: modelFolder)
        let name = try table["name"].map { try $0.scalarText(what: "a scenario name") } ?? tree.file
        let horizon = try table["horizon"].map { try $0.integer(what: "a horizon in steps (months)", atLeast: 1) }
        let members = try table["members"].map { try $0.integer(what: "an ensemble size", atLeast: 1) }
        let seed = try table["seed"].map { UInt64(try $0.integer(what: "a seed", atLeast: 0)) }
        if let overlays = table["overlays"], !overlays.isNull {
            for item in try overlays.sequence(what: "overlay file paths") {
                let relative = try item.scalarText(what: "an overlay file path")
                let url = URL(fileURLWithPath: relative, relativeTo: folder).standardizedFileURL
                guard FileManager.default.fileExists(atPath: url.path) else {
                    throw item.error("overlay file '\(relative)' not found (looked for \(displayPath(url))); run the calibration that writes it, or fix the path")
                }
                let (overlayTree, overlayFolder) = try parseFile(path: url.path, shown: displayPath(url))
                try apply(overlay: overlayTree, folder: overlayFolder, to: &model)
            }
        }
        if let overrides = table["set"], !overrides.isNull {
            let parser = ModelParser(groups: model.groups, compartments: model.compartments, folder: folder)
            for (key, value) in try overrides.mapping(what: "overrides (a mapping from parameter name to its new definition)") {
                try override(&model, parameter: key, with: value, parser: parser)
            }
        }
        return RunDefinition(model: model, name: name, file: tree.file, isScenario: true,
                             horizon: horizon, members: members, seed: seed)
    }

    /// Applies an overlay file (`format: corridor-overlay/1`, with a `set` mapping), as
    /// calibration writes them.
    static func apply(overlay tree: YAMLTree, folder: URL, to model: inout Model) throws {
        let entries = try tree.mapping(allowed: ["format", "set"])
        var table: [String: YAMLTree] = [:]
        for (key, value) in entries { table[key] = value }
        guard let format = table["format"], try format.scalarText(what: "a format") == overlayFormat else {
            throw tree.error("not an overlay: an overlay file starts with `format: \(overlayFormat)`")
        }
        let parser = ModelParser(groups: model.groups, compartments: model.compartments, folder: folder)
        for (key, value) in try table["set"]?.mapping(what: "overrides") ?? [] {
            try override(&model, parameter: key, with: value, parser: parser)
        }
    }

    /// Applies an overlay file to a loaded definition, recording it among its source files.
    public static func applyOverlay(_ definition: inout RunDefinition, path: String) throws {
        let reads = FilesRead()
        try FilesRead.$current.withValue(reads) {
            let (tree, folder) = try parseFile(path: path, shown: displayPath(URL(fileURLWithPath: path).standardizedFileURL))
            try apply(overlay: tree, folder: folder, to: &definition.model)
        }
        definition.sourceFiles += reads.paths
    }

    /// Applies overlay text (e.g. a calibration's result before it is written).
    public static func applyOverlay(_ definition: inout RunDefinition, text: String, file: String) throws {
        let tree = try YAMLTree.parse(text: text, file: file, isJSON: false)
        try apply(overlay: tree, folder: URL(fileURLWithPath: file).deletingLastPathComponent(), to: &definition.model)
    }

    static func override(_ model: inout Model, parameter name: String, with tree: YAMLTree, parser: ModelParser) throws {
        guard let index = model.parameterIndex(name) else {
            throw tree.error("the model has no parameter '\(name)'.\(didYouMean(name, model.parameterNames)) Its parameters are \(listing(model.parameterNames, conjunction: "and"))")
        }
        var spec = model.parameters[index]
        try parser.apply(tree, to: &spec, replacing: true)
        try parser.checkComplete(spec, start: model.start)
        let wasPerGroup = model.parameters[index].isPerGroup
        model.parameters[index] = spec
        if spec.isPerGroup && !wasPerGroup {
            try revalidateExpressions(model, changed: name, at: tree)
        }
    }

    /// After an override makes a parameter per-group, pooled capacities and outputs that use it become invalid.
    private static func revalidateExpressions(_ model: Model, changed name: String, at tree: YAMLTree) throws {
        func uses(_ expression: Expression) -> Bool { expression.parameters.contains(name) }
        for flow in model.flows {
            if case let .capacity(capacity, pooled: true) = flow.kind, uses(capacity.expression) {
                throw tree.error("this override gives '\(name)' per-group values, but flow '\(flow.name)' uses it in a pooled capacity (\(capacity.origin.file):\(capacity.origin.line ?? 0)); give one value for all groups")
            }
        }
        for output in model.outputs where uses(output.expression.expression) {
            throw tree.error("this override gives '\(name)' per-group values, but output '\(output.name)' uses it and has no group; give one value for all groups")
        }
    }

    /// Applies a command-line override `NAME=VALUE`: a number sets the parameter to that
    /// value for every month (dropping its schedule and series, keeping its uncertainty);
    /// anything else is read as YAML with the syntax of a scenario's `set` entry.
    public static func applyCommandLineOverride(_ definition: inout RunDefinition, _ assignment: String) throws {
        let source = "--set \(assignment)"
        guard let equals = assignment.firstIndex(of: "=") else {
            throw ModelError(file: source, message: "expected NAME=VALUE, e.g. --set judges=700 or --set 'judges={schedule: [{from: 2025-01, value: 900, ramp: 12}]}'")
        }
        let name = String(assignment[..<equals]).trimmingCharacters(in: .whitespaces)
        let valueText = String(assignment[assignment.index(after: equals)...])
        let tree = try YAMLTree.parse(text: valueText, file: source, isJSON: false)
        let parser = ModelParser(groups: definition.model.groups, compartments: definition.model.compartments,
                                 folder: URL(fileURLWithPath: FileManager.default.currentDirectoryPath))
        if case .scalar = tree.node {
            guard let index = definition.model.parameterIndex(name) else {
                throw ModelError(file: source, message: "the model has no parameter '\(name)'.\(didYouMean(name, definition.model.parameterNames)) Its parameters are \(listing(definition.model.parameterNames, conjunction: "and"))")
            }
            let origin = YAMLTree(node: tree.node, file: source, keyPath: name)
            definition.model.parameters[index].value = try parser.groupNumbers(origin, what: "a value")
            definition.model.parameters[index].origin = origin
            definition.model.parameters[index].schedule = nil
            definition.model.parameters[index].series = nil
            return
        }
        try override(&definition.model, parameter: name, with: YAMLTree(node: tree.node, file: source, keyPath: name), parser: parser)
    }
}
