import CorridorEngine

/// Named outputs, with the optional presentation keys of the format's extension
/// (Docs/model-format.md, "Extensions"), and the report's default outputs.
extension ModelParser {
    static func parseOutputs(_ outputsTree: YAMLTree?, report reportTree: YAMLTree?, parser: ModelParser, into model: inout Model) throws {
        if let outputsTree, !outputsTree.isNull {
            for (key, value) in try outputsTree.mapping(what: "outputs (a mapping from name to expression)") {
                guard isIdentifier(key) else {
                    throw value.error("'\(key)' is not a valid output name: use letters, digits and _, starting with a letter or _")
                }
                if case .mapping = value.node {
                    // The extended form: the expression with how reports show it.
                    let fields = Dictionary(uniqueKeysWithValues: try value.mapping(allowed: ["expression", "unit", "label", "observed"]))
                    guard let expressionTree = fields["expression"] else {
                        throw value.error("an output written as a mapping needs `expression:` (and may have unit, label, observed)")
                    }
                    model.outputs.append((key, try parser.parseExpression(expressionTree, model: model, context: .output)))
                    model.presentation[key] = try Self.presentation(fields)
                } else {
                    model.outputs.append((key, try parser.parseExpression(value, model: model, context: .output)))
                }
            }
        }
        if let reportTree, !reportTree.isNull {
            let fields = Dictionary(uniqueKeysWithValues: try reportTree.mapping(allowed: ["outputs", "description"], what: "report settings"))
            model.reportDescription = try fields["description"]?.scalarText(what: "a description (text)")
            if let list = fields["outputs"] {
                for item in try list.sequence(what: "output names") {
                    let name = try item.scalarText(what: "an output name")
                    guard model.outputNames.contains(name) else {
                        throw item.error("unknown output '\(name)'; the outputs are \(model.outputNames.joined(separator: ", "))")
                    }
                    model.reportOutputs.append(name)
                }
            }
        }
    }

    /// `unit`, `label` and `observed: {series, group, at}` of an output.
    static func presentation(_ fields: [String: YAMLTree]) throws -> OutputPresentation {
        var presentation = OutputPresentation(unit: try fields["unit"]?.scalarText(what: "a unit (text)"),
                                              label: try fields["label"]?.scalarText(what: "a label (text)"))
        if let observedTree = fields["observed"] {
            let observed = Dictionary(uniqueKeysWithValues: try observedTree.mapping(allowed: ["series", "group", "at"], what: "an observed series {series, group, at}"))
            guard let series = observed["series"] else { throw observedTree.error("`observed:` needs `series:` (the name of an observed series)") }
            let at = try observed["at"]?.scalarText(what: "`end` or `month`") ?? "month"
            guard at == "end" || at == "month" else {
                throw observed["at"]!.error("`at:` is `end` (a stock at the end of each period) or `month` (monthly values); found '\(at)'")
            }
            presentation.observed = ObservedMatch(series: try series.scalarText(what: "a series name"),
                                                  group: try observed["group"]?.scalarText(what: "a group code") ?? "ALL",
                                                  endOfPeriod: at == "end")
        }
        return presentation
    }
}
