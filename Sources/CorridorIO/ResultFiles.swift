import CorridorEngine
import CorridorModel

/// The result files of the model format (MODEL-FORMAT.md, "Outputs of a deterministic run")
/// and the ensemble summary, as CSV text.
public enum ResultFiles {
    /// `stocks.csv`: `step,month,group,compartment,value` (with a leading `member` column
    /// when `withMember`), steps 0…horizon.
    public static func stocks(_ model: EngineModel, _ trajectories: Trajectories, withMember: Bool) -> String {
        let names = EncodedNames(model)
        return perMemberTable(["step", "month", "group", "compartment", "value"], model, trajectories, withMember: withMember,
                       steps: 0..<(model.horizon + 1)) { member, step, prefix, table in
            for g in 0..<model.groupCount {
                for c in 0..<model.compartmentCount {
                    let value = trajectories.stock(member: member, step: step, slot: c * model.groupCount + g)
                    addPrefix(prefix, to: &table)
                    table.add(encoded: names.groups[g])
                    table.add(encoded: names.compartments[c])
                    table.add(value)
                    table.endRow()
                }
            }
        }
    }

    /// `flows.csv`: `step,month,flow,group,to,value`, steps 0…horizon-1, one row per destination.
    public static func flows(_ model: EngineModel, _ trajectories: Trajectories, withMember: Bool) -> String {
        let names = EncodedNames(model)
        return perMemberTable(["step", "month", "flow", "group", "to", "value"], model, trajectories, withMember: withMember,
                       steps: 0..<model.horizon) { member, step, prefix, table in
            for (k, entry) in trajectories.flowEntries.enumerated() {
                let flow = model.flows[entry.flow]
                let value = trajectories.flow(member: member, step: step, entry: k)
                addPrefix(prefix, to: &table)
                table.add(encoded: names.flows[entry.flow])
                table.add(encoded: names.groups[entry.group])
                table.add(encoded: names.compartments[flow.destinations[entry.destination]])
                table.add(value)
                table.endRow()
            }
        }
    }

    /// `outputs.csv`: `step,month,output,value`, steps 0…horizon-1.
    public static func outputs(_ model: EngineModel, _ trajectories: Trajectories, withMember: Bool) -> String {
        let names = EncodedNames(model)
        return perMemberTable(["step", "month", "output", "value"], model, trajectories, withMember: withMember,
                       steps: 0..<model.horizon) { member, step, prefix, table in
            for o in model.outputNames.indices {
                addPrefix(prefix, to: &table)
                table.add(encoded: names.outputs[o])
                table.add(trajectories.output(member: member, step: step, output: o))
                table.endRow()
            }
        }
    }

    private static func addPrefix(_ prefix: [String], to table: inout CSVTable) {
        for field in prefix { table.add(encoded: field) }
    }

    /// The model's names as CSV fields, encoded once per table.
    private struct EncodedNames {
        let groups, compartments, flows, outputs: [String]

        init(_ model: EngineModel) {
            groups = model.groupNames.map(CSVTable.field)
            compartments = model.compartmentNames.map(CSVTable.field)
            flows = model.flows.map { CSVTable.field($0.name) }
            outputs = model.outputNames.map(CSVTable.field)
        }
    }

    /// A per-member table: the header, then for each member and step the rows that `rows`
    /// appends, each starting with `prefix` (`[member,]step,month`, made once per member and step).
    private static func perMemberTable(
        _ header: [String], _ model: EngineModel, _ trajectories: Trajectories, withMember: Bool, steps: Range<Int>,
        rows: (_ member: Int, _ step: Int, _ prefix: [String], _ table: inout CSVTable) -> Void
    ) -> String {
        var table = CSVTable(header: (withMember ? ["member"] : []) + header)
        for member in 0..<trajectories.members {
            for step in steps {
                rows(member, step, (withMember ? [String(member)] : []) + [String(step), model.start.advanced(by: step).description], &table)
            }
        }
        return table.text
    }

    /// `summary.csv`, tidy: `step,month,kind,name,group,unit,mean,sd,p05,p25,p50,p75,p95`;
    /// `kind` is stock, flow or output, `group` is empty for an output, and `unit` is the
    /// output's unit where `units` (output name → unit, from the model file) states one.
    public static func summary(_ model: EngineModel, _ summary: EnsembleSummary, units: [String: String] = [:]) -> String {
        var table = CSVTable(header: ["step", "month", "kind", "name", "group", "unit", "mean", "sd", "p05", "p25", "p50", "p75", "p95"])
        let catalog = summary.catalog
        let labels: [[String]] = catalog.kinds.map { kind in
            switch kind {
            case let .stock(slot): ["stock", model.compartmentNames[slot / model.groupCount], model.groupNames[slot % model.groupCount], ""]
            case let .flow(flow, group): ["flow", model.flows[flow].name, model.groupNames[group], ""]
            case let .output(index): ["output", model.outputNames[index], "", units[model.outputNames[index]] ?? ""]
            }
        }
        for step in 0...model.horizon {
            let month = model.start.advanced(by: step).description
            for series in 0..<catalog.count where catalog.isRecorded(series, step: step, horizon: model.horizon) {
                let cell = summary.cell(step: step, series: series)
                table.append([String(step), month] + labels[series] + [numberText(summary.mean[cell]),
                              numberText(summary.standardDeviation[cell])] + summary.quantiles.map { numberText($0[cell]) })
            }
        }
        return table.text
    }
}
