import CorridorEngine

/// A parameter a planner may move, as a model file declares it (`levers:`, an extension of
/// the format, Docs/model-format.md): its label, unit and range for a planning page, and
/// the month it starts to move. The engine ignores the declaration; moving a lever is a
/// scenario `set` entry like any other.
public struct Lever: Sendable, Equatable {
    /// The parameter moved (one value for all groups, given by `value` and `schedule`).
    public var parameter: String
    /// A short label for controls, e.g. "Immigration judges added".
    public var label: String
    /// The unit of the lever's values, e.g. "judges".
    public var unit: String
    /// The range a planner may choose from, in `unit`.
    public var range: ClosedRange<Double>
    /// The step of a slider over `range`, in `unit`.
    public var step: Double
    /// The month the lever starts to move to a chosen value.
    public var from: Month
    /// Months it takes to reach the value, linearly (1: at once).
    public var ramp: Int

    /// The `set` entry that moves the lever to `value` from `from` over `ramp` months, in
    /// YAML flow syntax: the parameter's schedule entries before `from` (as `model` has
    /// them) followed by `{from, value, ramp}`. Applied with `Scenario.setting` it is
    /// exactly `corridor … --set 'PARAMETER=<entry>'`.
    public func setEntry(value: Double, from: Month? = nil, ramp: Int? = nil, in model: Model) throws -> String {
        let start = from ?? self.from, months = ramp ?? self.ramp
        guard let index = model.parameterIndex(parameter) else {
            throw ModelError(file: model.file, message: "the lever '\(parameter)' names no parameter of this model")
        }
        let spec = model.parameters[index]
        guard spec.isLeverable else {
            throw ModelError(file: model.file, message: "the lever '\(parameter)' has per-group values or a series in this scenario; a lever moves a parameter with one value for all groups, given by `value` and `schedule`")
        }
        var entries = (spec.schedule ?? []).filter { $0.from < start }.map { entry in
            "{from: \(entry.from), value: \(numberText(entry.value.values[0]))\(entry.ramp.map { ", ramp: \($0)" } ?? "")}"
        }
        entries.append("{from: \(start), value: \(numberText(value)), ramp: \(months)}")
        return "{schedule: [\(entries.joined(separator: ", "))]}"
    }
}

extension ModelParser {
    static let leverKeys = ["label", "unit", "min", "max", "step", "from", "ramp"]

    /// `levers: {PARAMETER: {label, unit, min, max, step, from, ramp}}`.
    static func parseLevers(_ tree: YAMLTree?, into model: inout Model) throws {
        guard let tree, !tree.isNull else { return }
        for (name, entry) in try tree.mapping(what: "levers (a mapping from parameter name to {label, unit, min, max, step, from, ramp})") {
            guard let index = model.parameterIndex(name) else {
                throw entry.error("the model has no parameter '\(name)' to declare as a lever.\(didYouMean(name, model.parameterNames)) Its parameters are \(listing(model.parameterNames, conjunction: "and"))")
            }
            let spec = model.parameters[index]
            guard spec.isLeverable else {
                throw entry.error("'\(name)' has \(spec.series != nil ? "a series" : "per-group values"); a lever moves a parameter with one value for all groups, given by `value` and `schedule`")
            }
            let fields = Dictionary(uniqueKeysWithValues: try entry.mapping(allowed: leverKeys, what: "a lever {label, unit, min, max, step, from, ramp}"))
            func required(_ key: String, _ hint: String) throws -> YAMLTree {
                guard let field = fields[key] else { throw entry.error("lever '\(name)' needs `\(key)`: \(hint)") }
                return field
            }
            let low = try required("min", "the least value a planner may choose").number(what: "the lever's least value")
            let highTree = try required("max", "the greatest value a planner may choose")
            let high = try highTree.number(what: "the lever's greatest value")
            guard low < high else { throw highTree.error("`max` (\(numberText(high))) must be above `min` (\(numberText(low)))") }
            let step = try fields["step"]?.number(what: "a slider step") ?? (high - low) / 100
            guard step > 0, step <= high - low else {
                throw fields["step"]!.error("`step` must be above 0 and at most max − min (\(numberText(high - low)))")
            }
            let fromTree = try required("from", "the month the lever starts to move, e.g. `from: 2026-01`")
            let from = try fromTree.month(what: "the lever's first month")
            guard from >= model.start else {
                throw fromTree.error("the lever's first month \(from) lies before the model's start \(model.start)")
            }
            model.levers.append(Lever(
                parameter: name,
                label: try fields["label"]?.scalarText(what: "a label (text)") ?? name,
                unit: try fields["unit"]?.scalarText(what: "a unit (text)") ?? "",
                range: low...high, step: step, from: from,
                ramp: try fields["ramp"]?.integer(what: "months to reach the value", atLeast: 1) ?? 1))
        }
    }
}
