import CorridorEngine
import CorridorIO
import CorridorModel

/// The readable table `corridor run` prints without `--out`: the named outputs (or,
/// when the model has none, the total stock of each compartment) every twelfth month
/// and in the last month.
enum OutputTable {
    static func render(_ result: EnsembleResult, title: String, outputs shown: [String]? = nil) -> String {
        let model = result.model
        let catalog = result.summary?.catalog ?? SeriesCatalog(model: model)
        let chosen = (shown ?? model.outputNames).compactMap { model.outputNames.firstIndex(of: $0) }
        let outputSeries = chosen.map { output in catalog.kinds.firstIndex { $0 == .output(output) }! }
        let usesOutputs = !outputSeries.isEmpty
        let lastStep = usesOutputs ? model.horizon - 1 : model.horizon
        var steps = Array(stride(from: 0, through: lastStep, by: 12))
        if steps.last != lastStep { steps.append(lastStep) }
        let columns = usesOutputs ? chosen.map { model.outputNames[$0] } : model.compartmentNames.map { "total(\($0))" }

        func value(step: Int, column: Int) -> String {
            if let summary = result.summary {
                let cells: [Int]
                if usesOutputs {
                    cells = [summary.cell(step: step, series: outputSeries[column])]
                } else {
                    cells = (0..<model.groupCount).map { summary.cell(step: step, series: column * model.groupCount + $0) }
                }
                // Quantiles of a sum are not sums of quantiles: show means for totals.
                if cells.count > 1 { return readableNumber(cells.reduce(0) { $0 + summary.mean[$1] }) + " (mean)" }
                let median = summary.quantiles[2][cells[0]], low = summary.quantiles[0][cells[0]], high = summary.quantiles[4][cells[0]]
                return "\(readableNumber(median)) [\(readableNumber(low))–\(readableNumber(high))]"
            }
            guard let trajectories = result.trajectories else { return "" }
            if usesOutputs { return readableNumber(trajectories.output(member: 0, step: step, output: chosen[column])) }
            let total = (0..<model.groupCount).reduce(0.0) { $0 + trajectories.stock(member: 0, step: step, slot: column * model.groupCount + $1) }
            return readableNumber(total)
        }

        var rows: [[String]] = [["month"] + columns]
        for step in steps {
            rows.append([model.start.advanced(by: step).description] + columns.indices.map { value(step: step, column: $0) })
        }
        let kind = result.members > 1
            ? "\(result.members) members: median [p05–p95]"
            : "deterministic run"
        return "\(title) — \(kind); every 12th month and the last (use --out DIR for every month and series)\n"
            + textTable(rows, rightAligned: Set(1..<rows[0].count))
    }
}

/// A plain text table with a rule under the header.
func textTable(_ rows: [[String]], rightAligned: Set<Int>) -> String {
    let widths = rows[0].indices.map { column in rows.map { $0[column].count }.max() ?? 0 }
    var lines: [String] = []
    for (index, row) in rows.enumerated() {
        lines.append(row.enumerated().map { column, text in
            let padding = String(repeating: " ", count: widths[column] - text.count)
            return rightAligned.contains(column) ? padding + text : text + padding
        }.joined(separator: "  "))
        if index == 0 { lines.append(widths.map { String(repeating: "─", count: $0) }.joined(separator: "  ")) }
    }
    return lines.joined(separator: "\n")
}
