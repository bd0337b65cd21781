import CorridorEngine
import Foundation

/// Reads model files (MODEL-FORMAT.md, `corridor-model/1`) into validated `Model`s.
/// (About 400 lines, kept whole: one section per part of the format, in the format's
/// order; outputs and report settings are in OutputParsing.swift.)
struct ModelParser {
    static let modelFormat = "corridor-model/1"
    static let topLevelKeys = ["format", "name", "start", "groups", "compartments", "parameters", "initial", "flows", "outputs", "report", "levers"]
    static let parameterKeys = ["value", "schedule", "series", "uncertainty"]
    static let functionNames = ["min", "max", "exp", "stock", "total", "flow"]

    let groups: [String]
    let compartments: [String]
    /// Folder that relative paths in this file are resolved against.
    let folder: URL

    // MARK: - Model

    static func parseModel(_ root: YAMLTree, folder: URL) throws -> Model {
        let entries = try root.mapping(allowed: topLevelKeys, what: "a model (a mapping that starts with `format: \(modelFormat)`)")
        var table: [String: YAMLTree] = [:]
        for (key, value) in entries { table[key] = value }
        func required(_ key: String, _ hint: String) throws -> YAMLTree {
            guard let value = table[key] else { throw root.error("missing key '\(key)': \(hint)") }
            return value
        }
        let format = try required("format", "the first line of a model is `format: \(modelFormat)`")
        let formatText = try format.scalarText(what: "a format name")
        guard formatText == modelFormat else {
            let hint = formatText == ScenarioLoader.scenarioFormat ? " (this is a scenario's format; is this file a scenario?)" : ""
            throw format.error("unknown format '\(formatText)'\(hint); this version of Corridor reads \(modelFormat)")
        }
        let name = try table["name"].map { try $0.scalarText(what: "a model name") } ?? root.file
        let start = try required("start", "the month of step 0, e.g. `start: 2019-10`").month(what: "the start month")
        let groups = try uniqueNames(try required("groups", "a list of group names, e.g. `groups: [SLV, GTM, HND]`"), kind: "group")
        let compartments = try uniqueNames(try required("compartments", "a list of compartment names, e.g. `compartments: [home, transit]`"), kind: "compartment")
        let parser = ModelParser(groups: groups, compartments: compartments, folder: folder)

        var parameters: [ParameterSpec] = []
        if let parameterTree = table["parameters"], !parameterTree.isNull {
            for (key, value) in try parameterTree.mapping(what: "parameters (a mapping from name to definition)") {
                guard isIdentifier(key) else {
                    throw value.error("'\(key)' is not a valid parameter name: use letters, digits and _, starting with a letter or _")
                }
                if functionNames.contains(key) {
                    throw value.error("'\(key)' is a function name and cannot name a parameter")
                }
                var spec = ParameterSpec(name: key, origin: value)
                try parser.apply(value, to: &spec, replacing: false)
                try parser.checkComplete(spec, start: start)
                parameters.append(spec)
            }
        }
        let initial = try parser.parseInitial(table["initial"])
        var model = Model(name: name, file: root.file, start: start, groups: groups, compartments: compartments,
                          parameters: parameters, initial: initial, flows: [], outputs: [])
        let flowsTree = try required("flows", "a list of flows (may be empty: `flows: []`)")
        var flowNames: Set<String> = []
        for item in try flowsTree.sequence(what: "flows") {
            let flow = try parser.parseFlow(item, model: model)
            guard flowNames.insert(flow.name).inserted else {
                throw item.error("duplicate flow name '\(flow.name)': each flow needs its own name")
            }
            model.flows.append(flow)
        }
        try parseOutputs(table["outputs"], report: table["report"], parser: parser, into: &model)
        try parseLevers(table["levers"], into: &model)
        return model
    }

    static func uniqueNames(_ tree: YAMLTree, kind: String) throws -> [String] {
        var names: [String] = []
        for item in try tree.sequence(what: "\(kind) names") {
            let name = try item.identifier(what: "a \(kind)")
            if names.contains(name) { throw item.error("duplicate \(kind) name '\(name)': each \(kind) is listed once") }
            if kind == "group" && name == "default" { throw item.error("'default' cannot name a group: it is the key that fills unnamed groups") }
            names.append(name)
        }
        guard !names.isEmpty else { throw tree.error("at least one \(kind) is needed") }
        return names
    }

    // MARK: - Parameters

    /// Reads a parameter definition (or a scenario's override of one) into `spec`.
    /// With `replacing`, the keys given replace the existing ones; a `schedule` replaces
    /// a `series` and vice versa, and `uncertainty: null` removes the draws.
    func apply(_ tree: YAMLTree, to spec: inout ParameterSpec, replacing: Bool) throws {
        let entries = try tree.mapping(allowed: Self.parameterKeys, what: "a parameter definition (a mapping with value, schedule, series or uncertainty)")
        let keys = entries.map(\.key)
        if keys.contains("schedule") && keys.contains("series") {
            throw tree.error("a parameter has at most one of `schedule` and `series`")
        }
        for (key, value) in entries {
            switch key {
            case "value":
                spec.value = try groupNumbers(value, what: "a value")
            case "schedule":
                spec.schedule = try parseSchedule(value)
                if replacing { spec.series = nil }
            case "series":
                spec.series = try parseSeries(value)
                if replacing { spec.schedule = nil }
            case "uncertainty":
                spec.uncertainty = value.isNull && replacing ? nil : try parseUncertainty(value)
            default:
                break
            }
        }
        if !replacing && entries.isEmpty {
            throw tree.error("parameter '\(spec.name)' has no value: give `value`, or a `series`")
        }
        spec.origin = tree
    }

    /// Checks the rules a complete parameter must satisfy.
    func checkComplete(_ spec: ParameterSpec, start: Month) throws {
        if spec.schedule != nil && spec.series != nil {
            throw spec.origin.error("parameter '\(spec.name)' has both `schedule` and `series`; keep one")
        }
        if spec.value == nil {
            if let series = spec.series {
                if let first = series.points.first, first.month > start {
                    throw spec.origin.error("parameter '\(spec.name)': its series starts at \(first.month), after the model's start \(start); give `value` for the months before it")
                }
            } else {
                throw spec.origin.error("parameter '\(spec.name)' needs `value`\(spec.schedule != nil ? " (the value before its schedule's first entry)" : "")")
            }
        }
    }

    /// A number for every group: a number, or a per-group map whose `default` fills the groups it does not name.
    func groupNumbers(_ tree: YAMLTree, what: String, nonNegative: Bool = false) throws -> GroupNumbers {
        if case .scalar = tree.node {
            let number = try tree.number(what: "\(what) (a number or a per-group map)")
            if nonNegative && number < 0 { throw tree.error("\(what) must not be negative, found \(numberText(number))") }
            return GroupNumbers(values: Array(repeating: number, count: groups.count), isPerGroup: false)
        }
        let entries = try tree.mapping(what: "\(what) (a number or a per-group map such as {default: 0, SLV: 1})")
        var byGroup: [String: Double] = [:]
        var fallback: Double?
        for (key, value) in entries {
            let number = try value.number(what: "a number for \(key)")
            if nonNegative && number < 0 {
                throw value.error("\(what) for \(key) must not be negative, found \(numberText(number))")
            }
            if key == "default" {
                fallback = number
            } else if groups.contains(key) {
                byGroup[key] = number
            } else {
                throw value.error("unknown group '\(key)'.\(didYouMean(key, groups)) The groups are \(listing(groups, conjunction: "and")), and `default` fills the ones not named")
            }
        }
        var values: [Double] = []
        var missing: [String] = []
        for group in groups {
            if let value = byGroup[group] ?? fallback { values.append(value) } else { missing.append(group) }
        }
        guard missing.isEmpty else {
            throw tree.error("no value for group\(missing.count > 1 ? "s" : "") \(listing(missing, conjunction: "and")) and no `default`: add \(missing.count > 1 ? "them" : "it") or a `default`")
        }
        return GroupNumbers(values: values, isPerGroup: true)
    }

    func parseSchedule(_ tree: YAMLTree) throws -> [ScheduleEntry] {
        var entries: [ScheduleEntry] = []
        for item in try tree.sequence(what: "a schedule") {
            let fields = try item.mapping(allowed: ["from", "value", "ramp"], what: "a schedule entry {from: YYYY-MM, value, ramp}")
            var table: [String: YAMLTree] = [:]
            for (key, value) in fields { table[key] = value }
            guard let fromTree = table["from"] else { throw item.error("a schedule entry needs `from: YYYY-MM`") }
            guard let valueTree = table["value"] else { throw item.error("a schedule entry needs `value`") }
            let from = try fromTree.month(what: "`from`")
            if let previous = entries.last, from <= previous.from {
                throw fromTree.error("schedule out of order: \(from) does not come after \(previous.from); list entries in strictly increasing `from` order")
            }
            let ramp = try table["ramp"].map { try $0.integer(what: "a ramp length in steps", atLeast: 1) }
            entries.append(ScheduleEntry(from: from, value: try groupNumbers(valueTree, what: "a value"), ramp: ramp))
        }
        return entries
    }

    func parseSeries(_ tree: YAMLTree) throws -> SeriesData {
        if case .scalar = tree.node {
            let path = try tree.scalarText(what: "a CSV file path or an inline series")
            return try SeriesCSV.load(path: path, folder: folder, groups: groups, declaredAt: tree)
        }
        var points: [(Month, GroupNumbers)] = []
        for (key, value) in try tree.mapping(what: "a series (a CSV path, or an inline mapping {YYYY-MM: value})") {
            guard let month = Month(parsing: key) else {
                throw value.error("'\(key)' is not a month: series keys are months written YYYY-MM, e.g. 2019-10")
            }
            if let previous = points.last, month <= previous.0 {
                throw value.error("series months must increase: \(month) comes after \(previous.0)")
            }
            points.append((month, try groupNumbers(value, what: "the value for \(month)")))
        }
        guard !points.isEmpty else { throw tree.error("the series is empty: give at least one month") }
        return SeriesData(points: points.map { (month: $0.0, value: $0.1) }, origin: tree)
    }

    func parseUncertainty(_ tree: YAMLTree) throws -> Uncertainty {
        let entries = try tree.mapping(allowed: ["dist", "cv", "sd", "min", "max", "low", "high", "perGroup"],
                                       what: "an uncertainty block such as {dist: lognormal, cv: 0.25}")
        var table: [String: YAMLTree] = [:]
        for (key, value) in entries { table[key] = value }
        guard let distTree = table["dist"] else { throw tree.error("missing `dist`: one of lognormal, normal or uniform") }
        let dist = try distTree.scalarText(what: "a distribution name")
        let allowedKeys: [String]
        let distribution: Uncertainty.Distribution
        func number(_ key: String, _ what: String) throws -> Double {
            guard let value = table[key] else { throw tree.error("\(dist) needs `\(key)` (\(what))") }
            return try value.number(what: what)
        }
        switch dist {
        case "lognormal":
            allowedKeys = ["cv"]
            let cv = try number("cv", "the coefficient of variation, ≥ 0")
            if cv < 0 { throw table["cv"]!.error("cv must be ≥ 0, found \(numberText(cv))") }
            distribution = .lognormal(cv: cv)
        case "normal":
            allowedKeys = ["sd", "min", "max"]
            let sd = try number("sd", "the standard deviation, ≥ 0")
            if sd < 0 { throw table["sd"]!.error("sd must be ≥ 0, found \(numberText(sd))") }
            let low = try table["min"].map { try $0.number(what: "the lower clamp") } ?? -.infinity
            let high = try table["max"].map { try $0.number(what: "the upper clamp") } ?? .infinity
            if low > high { throw tree.error("min (\(numberText(low))) is above max (\(numberText(high)))") }
            distribution = .normal(sd: sd, min: low, max: high)
        case "uniform":
            allowedKeys = ["low", "high"]
            let low = try number("low", "the smallest factor")
            let high = try number("high", "the largest factor")
            if low > high { throw tree.error("low (\(numberText(low))) is above high (\(numberText(high)))") }
            distribution = .uniform(low: low, high: high)
        default:
            throw distTree.error("unknown distribution '\(dist)'.\(didYouMean(dist, ["lognormal", "normal", "uniform"])) Valid: lognormal, normal, uniform")
        }
        for key in table.keys where key != "dist" && key != "perGroup" && !allowedKeys.contains(key) {
            throw table[key]!.error("`\(key)` does not apply to \(dist); it takes \(listing(allowedKeys.map { "`\($0)`" }, conjunction: "and"))")
        }
        let perGroup = try table["perGroup"].map { try $0.boolean(what: "perGroup") } ?? false
        return Uncertainty(distribution: distribution, perGroup: perGroup)
    }

    // MARK: - Initial state

    func parseInitial(_ tree: YAMLTree?) throws -> [Double] {
        var initial = Array(repeating: 0.0, count: groups.count * compartments.count)
        guard let tree, !tree.isNull else { return initial }
        for (key, value) in try tree.mapping(what: "initial stocks (a mapping from compartment to people)") {
            guard let c = compartments.firstIndex(of: key) else {
                throw value.error("unknown compartment '\(key)'.\(didYouMean(key, compartments)) The compartments are \(listing(compartments, conjunction: "and"))")
            }
            let numbers = try groupNumbers(value, what: "the initial stock of \(key)", nonNegative: true)
            for g in groups.indices { initial[c * groups.count + g] = numbers.values[g] }
        }
        return initial
    }

    // MARK: - Flows

    func compartment(_ tree: YAMLTree, what: String) throws -> Int {
        let name = try tree.scalarText(what: "a compartment name")
        guard let index = compartments.firstIndex(of: name) else {
            throw tree.error("unknown \(what) compartment '\(name)'.\(didYouMean(name, compartments)) The compartments are \(listing(compartments, conjunction: "and"))")
        }
        return index
    }

    func parseFlow(_ tree: YAMLTree, model: Model) throws -> FlowSpec {
        let entries = try tree.mapping(allowed: ["name", "from", "rate", "capacity", "allocation", "inflow", "to"],
                                       what: "a flow (a mapping with name, from, rate/capacity/inflow and to)")
        var table: [String: YAMLTree] = [:]
        for (key, value) in entries { table[key] = value }
        guard let nameTree = table["name"] else { throw tree.error("a flow needs a `name`") }
        let name = try nameTree.identifier(what: "a flow")
        if model.parameterIndex(name) != nil {
            throw nameTree.error("flow '\(name)' has the name of a parameter; parameters and flows must not share a name")
        }
        let kinds = ["rate", "capacity", "inflow"].filter { table[$0] != nil }
        guard kinds.count == 1 else {
            throw tree.error(kinds.isEmpty
                ? "flow '\(name)' needs one of `rate` (hazard), `capacity` or `inflow`"
                : "flow '\(name)' has \(listing(kinds.map { "`\($0)`" }, conjunction: "and")); a flow is one kind: give exactly one")
        }
        if table["allocation"] != nil && kinds[0] != "capacity" {
            throw table["allocation"]!.error("`allocation` applies to capacity flows only")
        }
        var source: Int?
        if kinds[0] == "inflow" {
            if let from = table["from"] { throw from.error("an inflow comes from outside the model and has no `from`") }
        } else {
            guard let from = table["from"] else { throw tree.error("flow '\(name)' needs `from`: the compartment people leave") }
            source = try compartment(from, what: "`from`")
        }
        let kind: FlowSpec.Kind
        switch kinds[0] {
        case "rate":
            kind = .hazard(rate: try parseExpression(table["rate"]!, model: model, context: .group))
        case "capacity":
            var pooled = true
            if let allocation = table["allocation"] {
                switch try allocation.scalarText(what: "an allocation") {
                case "pooled": pooled = true
                case "perGroup": pooled = false
                case let other: throw allocation.error("unknown allocation '\(other)'; valid: pooled (one capacity shared in proportion to stocks) or perGroup")
                }
            }
            kind = .capacity(try parseExpression(table["capacity"]!, model: model, context: pooled ? .pooled : .group), pooled: pooled)
        default:
            kind = .inflow(try parseExpression(table["inflow"]!, model: model, context: .group))
        }
        guard let toTree = table["to"] else {
            throw tree.error("flow '\(name)' needs `to`: a compartment, or a map of compartment → weight")
        }
        var destinations: [(Int, ExpressionSpec?)] = []
        if case .scalar = toTree.node {
            destinations.append((try compartment(toTree, what: "destination"), nil))
        } else {
            for (key, value) in try toTree.mapping(what: "destinations (a compartment, or a map of compartment → weight)") {
                guard let c = compartments.firstIndex(of: key) else {
                    throw value.error("unknown destination compartment '\(key)'.\(didYouMean(key, compartments)) The compartments are \(listing(compartments, conjunction: "and"))")
                }
                destinations.append((c, try parseExpression(value, model: model, context: .group)))
            }
            guard !destinations.isEmpty else { throw toTree.error("flow '\(name)' has no destination") }
        }
        return FlowSpec(name: name, origin: tree, source: source, kind: kind,
                        destinations: destinations.map { (compartment: $0.0, weight: $0.1) })
    }

    // MARK: - Expressions

    enum Context {
        /// Evaluated for each group: rates, per-group capacities, weights, inflows.
        case group
        /// A pooled capacity: no group, so per-group parameters and stock(c) are errors.
        case pooled
        /// A named output: like pooled, and flow(f) is allowed.
        case output
    }

    func parseExpression(_ tree: YAMLTree, model: Model, context: Context) throws -> ExpressionSpec {
        let text = try tree.scalarText(what: "an expression")
        let expression: Expression
        do {
            expression = try ExpressionParser.parse(text)
        } catch {
            throw expressionError(tree, text: text, offset: error.offset, "malformed expression: \(error.message)")
        }
        try check(expression, tree: tree, text: text, model: model, context: context)
        return ExpressionSpec(expression: expression, text: text, origin: tree)
    }

    private func expressionError(_ tree: YAMLTree, text: String, offset: Int, _ message: String) -> ModelError {
        tree.error("\(message) (at character \(offset + 1) of \"\(text)\")")
    }

    private func check(_ expression: Expression, tree: YAMLTree, text: String, model: Model, context: Context) throws {
        let recurse = { (inner: Expression) in try check(inner, tree: tree, text: text, model: model, context: context) }
        switch expression {
        case .number:
            return
        case let .parameter(name, offset):
            guard let index = model.parameterIndex(name) else {
                let kindHint = compartments.contains(name) ? " '\(name)' is a compartment: write stock(\(name)) or total(\(name))"
                    : model.flows.contains(where: { $0.name == name }) ? " '\(name)' is a flow: write flow(\(name)) in an output" : ""
                throw expressionError(tree, text: text, offset: offset,
                    "unknown parameter '\(name)'.\(didYouMean(name, model.parameterNames))\(kindHint.isEmpty ? " The parameters are \(listing(model.parameterNames, conjunction: "and"))" : kindHint)")
            }
            if context != .group && model.parameters[index].isPerGroup {
                let place = context == .pooled ? "a pooled capacity" : "an output"
                throw expressionError(tree, text: text, offset: offset,
                    "'\(name)' has per-group values, but \(place) has no group to take them for; use a parameter with one value"
                    + (context == .pooled ? ", or `allocation: perGroup`" : ""))
            }
        case let .negate(inner), let .exp(inner):
            try recurse(inner)
        case let .binary(_, a, b), let .minimum(a, b), let .maximum(a, b):
            try recurse(a)
            try recurse(b)
        case let .stock(name, offset):
            guard compartments.contains(name) else {
                throw expressionError(tree, text: text, offset: offset, "unknown compartment '\(name)'.\(didYouMean(name, compartments)) The compartments are \(listing(compartments, conjunction: "and"))")
            }
            if context != .group {
                throw expressionError(tree, text: text, offset: offset, "stock(\(name)) is one group's stock, and here there is no group; use total(\(name))")
            }
        case let .total(name, offset):
            guard compartments.contains(name) else {
                throw expressionError(tree, text: text, offset: offset, "unknown compartment '\(name)'.\(didYouMean(name, compartments)) The compartments are \(listing(compartments, conjunction: "and"))")
            }
        case let .flow(name, offset):
            guard context == .output else {
                throw expressionError(tree, text: text, offset: offset, "flow(\(name)) can only be used in outputs")
            }
            guard model.flows.contains(where: { $0.name == name }) else {
                throw expressionError(tree, text: text, offset: offset, "unknown flow '\(name)'.\(didYouMean(name, model.flowNames)) The flows are \(listing(model.flowNames, conjunction: "and"))")
            }
        }
    }
}
